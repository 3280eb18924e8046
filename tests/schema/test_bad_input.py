"""Bad requests and bad input: each a clean GraphQL error, or a 400/413 with a JSON body
for a request that is not GraphQL at all; nothing reaches the client as exception text."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from schema import limits
from tests.schema.conftest import error_messages


def _raw(gql, body: bytes, content_type: str = "application/json"):
    return gql.client.post(
        "/graphql/", body, content_type=content_type, HTTP_X_CSRFTOKEN=gql.csrf_token()
    )


def _refused(response, status: int, message: str, code: str = "BAD_REQUEST") -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": code}}]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"null", "Expected a JSON object, got null."),
        (b'"{ __typename }"', "Expected a JSON object, got a string."),
        (b"42", "Expected a JSON object, got a number."),
        (b"true", "Expected a JSON object, got a boolean."),
        (b'{"query": "\xff{ __typename }"}', "The request body is not valid UTF-8."),
        (b"{query: }", "The request body is not valid JSON."),
        (
            b'{"query": "{ __typename }", "variables": {"n": 1' + b"0" * 5000 + b"}}",
            "The request body is not valid JSON.",
        ),
        (b"[]", "Batching is not enabled"),
    ],
)
def test_bodies_that_are_not_graphql_requests(gql, db, body, message):
    _refused(_raw(gql, body), 400, message)


def test_json_nested_past_the_limit(gql, db):
    deep = '{"query": "{ __typename }", "variables": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"
    nested = f"JSON nested deeper than {limits.MAX_JSON_DEPTH} levels."
    _refused(_raw(gql, deep.encode()), 400, nested)
    # The envelope and the variables object are two levels; the arrays make up the rest.
    arrays = limits.MAX_JSON_DEPTH - 2
    within = {
        "query": "{ __typename }",
        "variables": {"a": json.loads("[" * arrays + "]" * arrays)},
    }
    assert _raw(gql, json.dumps(within).encode()).json() == {"data": {"__typename": "Query"}}
    beyond = json.dumps(within).replace("[]", "[[]]").encode()
    _refused(_raw(gql, beyond), 400, nested)


def test_body_size_limit(gql, db):
    padding = " " * limits.MAX_BODY_BYTES
    body = json.dumps({"query": "{ __typename }" + padding}).encode()
    _refused(
        _raw(gql, body),
        413,
        f"The request body has {len(body)} bytes. Allowed: {limits.MAX_BODY_BYTES}",
        "PAYLOAD_TOO_LARGE",
    )


def test_multipart_without_a_boundary(gql, db):
    # Django's CSRF check reads the form before the view runs, and refuses it.
    response = _raw(gql, b"--x\r\n\r\n", "multipart/form-data")
    _refused(response, 400, "The request could not be read.")
    _refused(
        _raw(gql, b"--x--\r\n", "multipart/form-data; boundary=x"), 400, "Unsupported content type"
    )


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("arrayconnection:99999999999999999999999"),
        _cursor(f"arrayconnection:{limits.MAX_CURSOR_OFFSET + 1}"),
        _cursor("arrayconnection:-10"),
        _cursor("arrayconnection:1e3"),
        _cursor("arrayconnection:\u0661"),
        _cursor("otherprefix:3"),
        _cursor("arrayconnection"),
        "!!!",
        "YXJyYXljb25uZWN0aW9uOjE",  # padding missing
        "",
    ],
)
def test_cursors_are_checked_for_shape_and_range(gql, catalogue, cursor):
    query = "query Page($after: String) { items(first: 2, after: $after) { totalCount } }"
    result = gql(query, {"after": cursor})
    assert result["data"] is None
    assert error_messages(result) == ["after: not a cursor from this API."]
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    before = gql(query.replace("after", "before"), {"before": cursor})
    assert error_messages(before) == ["before: not a cursor from this API."]


def test_cursors_handed_out_still_page(gql, catalogue):
    query = (
        "query Page($after: String) { items(first: 2, after: $after) "
        "{ edges { cursor } pageInfo { endCursor } } }"
    )
    first = gql(query)["data"]["items"]
    second = gql(query, {"after": first["pageInfo"]["endCursor"]})
    assert "errors" not in second and len(second["data"]["items"]["edges"]) == 2
    beyond = gql(query, {"after": _cursor(f"arrayconnection:{limits.MAX_CURSOR_OFFSET}")})
    assert beyond["data"]["items"]["edges"] == []


def test_page_arguments_are_errors_with_their_names(gql, catalogue):
    assert error_messages(gql("{ items(first: -1) { totalCount } }")) == [
        "Argument 'first' must be a non-negative integer."
    ]
    result = gql("{ items(last: 2) { totalCount } }")
    assert error_messages(result) == ["Argument 'last' needs 'before': pages count from the start."]
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("value", [str(2**63), "-1", "0", "1e3", "\u0661", " 7", "9" * 400])
def test_ids_outside_the_key_range_are_input_errors(gql, catalogue, value):
    result = gql("query One($id: ID!) { item(id: $id) { id } }", {"id": value})
    shown = value if len(value) <= 40 else value[:40] + "..."
    assert error_messages(result) == [f"id: {shown!r} is not a valid id."]


def test_the_largest_key_is_a_valid_id(gql, catalogue):
    assert gql(f'{{ item(id: "{2**63 - 1}") {{ id }} }}') == {"data": {"item": None}}


def test_category_ids_out_of_range_are_refused_not_ignored(gql, user):
    gql.login(user)
    result = gql(f'{{ recommendations(filters: {{categoryIds: ["{2**63}"]}}) {{ method }} }}')
    assert error_messages(result) == [f"filters.categoryIds: '{2**63}' is not a valid id."]


NUL_OR_SURROGATE = "may not contain NUL characters or unpaired surrogates."


@pytest.mark.parametrize("text", ["de\x00mo", "de\ud800mo", "\udfff"])
def test_nul_and_lone_surrogates_in_variables_are_refused(gql, db, text):
    query = 'mutation In($u: String!) { login(username: $u, password: "x") { username } }'
    result = gql(query, {"u": text})
    assert error_messages(result) == [f"variables.u: text {NUL_OR_SURROGATE}"]
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


def test_nul_in_a_nested_input_is_refused_with_its_path(gql, user, catalogue):
    gql.login(user)
    query = "mutation Rec($input: InteractionInput!) { recordInteraction(input: $input) { id } }"
    variables = {
        "input": {
            "itemId": str(catalogue["items"][0].pk),
            "kind": "LIKE",
            "context": {"device": "phone\x00"},
        }
    }
    assert error_messages(gql(query, variables)) == [
        f"variables.input.context.device: text {NUL_OR_SURROGATE}"
    ]


def test_nul_in_a_string_literal_is_refused(gql, db):
    result = gql('mutation { login(username: "de\\u0000mo", password: "x") { username } }')
    assert error_messages(result) == [f"A string argument {NUL_OR_SURROGATE}"]
    assert result["errors"][0]["locations"] == [{"line": 1, "column": 28}]


def test_a_lone_surrogate_in_the_document_is_a_syntax_error(gql, db):
    assert error_messages(gql('{ item(id: "\ud800") { id } }')) == [
        "Syntax Error: Invalid character within String: U+D800."
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ cacheStat { hits } }", "Cannot query field 'cacheStat' on type 'Query'."),
        ("{ items(firs: 2) { totalCount } }", "Unknown argument 'firs' on field 'Query.items'."),
        (
            "{ items(type: BLG) { totalCount } }",
            "Value 'BLG' does not exist in 'ContentType' enum.",
        ),
    ],
)
@pytest.mark.skipif(limits.FIELD_SUGGESTIONS, reason="suggestions enabled by settings")
def test_no_suggestions_name_hidden_fields(gql, db, query, message):
    assert error_messages(gql(query)) == [message]


@pytest.mark.skipif(not limits.MASK_ERRORS, reason="errors shown by settings (DEBUG)")
def test_exception_text_is_masked_and_logged_under_the_reference(gql, db, monkeypatch, caplog):
    from backend.content import services as content_services

    def failing_tags():
        raise RuntimeError("connection to 10.0.0.7 failed: password authentication")

    # A fault injected in the service: anything the code did not turn into a GraphQL error.
    monkeypatch.setattr(content_services, "tags", failing_tags)
    with caplog.at_level(logging.ERROR, logger="schema.errors"):
        result = gql("{ tags { id } }")
    (error,) = result["errors"]
    reference = error["extensions"]["errorId"]
    assert error["message"] == f"Internal error (reference {reference})."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "errorId": reference}
    assert error["path"] == ["tags"]
    assert "10.0.0.7" not in json.dumps(result)
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    assert "10.0.0.7" in record.getMessage()
    assert record.exc_info is not None


@pytest.mark.skipif(not limits.MASK_ERRORS, reason="errors shown by settings (DEBUG)")
def test_a_database_outage_is_unavailable_and_masked(gql, db, monkeypatch, caplog):
    from django.db import OperationalError

    from backend.content import services as content_services

    def failing_tags():
        raise OperationalError("connection to server at 10.0.0.7 failed: Connection refused")

    # What psycopg raises through Django while PostgreSQL restarts.
    monkeypatch.setattr(content_services, "tags", failing_tags)
    with caplog.at_level(logging.ERROR, logger="schema.errors"):
        result = gql("{ tags { id } }")
    (error,) = result["errors"]
    reference = error["extensions"]["errorId"]
    assert error["message"] == (
        f"The database is unavailable just now; try again (reference {reference})."
    )
    assert error["extensions"] == {"code": "UNAVAILABLE", "errorId": reference}
    assert "10.0.0.7" not in json.dumps(result)
    assert any(reference in r.getMessage() and "10.0.0.7" in r.getMessage() for r in caplog.records)


def test_our_own_errors_keep_their_text_and_code(gql, db):
    (error,) = gql("{ dashboard { me { username } } }")["errors"]
    assert error["message"] == "dashboard: Log in first; anonymous users cannot do this."
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
