"""Generated documents, variables and bodies thrown at the GraphQL view: whatever arrives,
the answer is never a server error, never a masked internal error (each would be a case the
code does not handle), and never carries exception text.

Derandomised (the same examples on every run) and bounded, so it runs in seconds.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.schema.conftest import make_user

HOSTILE = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text an exception would leave in a message, were it not masked.
LEAKS = (
    "Traceback",
    "Error(",
    "object has no attribute",
    "maximum recursion",
    "out of range",
    "not supported",
    "datatype mismatch",
    "int too large",
    "cannot contain NUL",
    "codec can't",
    "expected to contain",
    "Internal error",
)

FIELDS = [
    "items(first: 3) { edges { cursor node { id title tags { name } } } totalCount }",
    "tags { id name }",
    "categories { id }",
    "me { username }",
    "dashboard { stats { likes } recentActivity(limit: 3) { kind } }",
    "similarItems(itemId: $id) { items { score } }",
    "creatorInsights(creatorId: $id, windowDays: $n) { windowDays }",
    "recommendations(first: $n) { method }",
    "item(id: $id) { id title }",
    "items(first: $n, after: $cursor) { totalCount }",
    "__typename",
    "nope { x }",
]
MUTATIONS = [
    "login(username: $text, password: $text) { username }",
    "setInterests(tagIds: [$id]) { username }",
    "updatePreferences(accentColor: $text, fontSize: $n) { username }",
    "recordInteraction(input: {itemId: $id, kind: LIKE, context: {device: $text}}) { id }",
    "markNotInterested(tagId: $id)",
]
VARIABLE_TYPES = {"id": "ID!", "n": "Int", "cursor": "String", "text": "String!"}


def _declared(body: str) -> str:
    """The variable definitions ``body`` uses (an unused one would fail validation)."""
    used = [f"${name}: {kind}" for name, kind in VARIABLE_TYPES.items() if f"${name}" in body]
    return f"({', '.join(used)})" if used else ""


texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\x00", "a\ud800", "\udfff", "", "9" * 30, "arrayconnection:-1"]),
)
ints = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from([0, -1, 2**31, 2**63])
)
json_values = st.recursive(
    st.none() | st.booleans() | ints | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)
named_variables = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(texts, ints, st.integers(min_value=1, max_value=12).map(str)),
        "n": st.one_of(ints, texts, st.integers(min_value=1, max_value=400)),
        "cursor": texts,
        "text": texts,
    },
)
# Mostly the variables the documents declare; sometimes anything JSON can hold.
variables = st.one_of(named_variables, named_variables, named_variables, json_values)


@st.composite
def documents(draw) -> str:
    """Operations over real and unknown fields, spread through fragments and aliases."""
    kind = draw(st.sampled_from(["query", "mutation"]))
    pool = FIELDS if kind == "query" else MUTATIONS
    picked = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
    body = " ".join(
        f"a{i}: {field}" if draw(st.booleans()) else field for i, field in enumerate(picked)
    )
    root = "Query" if kind == "query" else "Mutation"
    declared = _declared(body)
    shape = draw(st.sampled_from(["plain", "fragment", "inline", "cycle", "unknown", "doubling"]))
    if shape == "fragment":
        return f"{kind} Op{declared} {{ ...F }} fragment F on {root} {{ {body} }}"
    if shape == "inline":
        return f"{kind} Op{declared} {{ ... on {root} {{ {body} }} }}"
    if shape == "cycle":
        return f"{kind} {{ ...A }} fragment A on {root} {{ ...B }} fragment B on {root} {{ ...A }}"
    if shape == "unknown":
        return f"{kind} {{ ...Missing {body} }}"
    if shape == "doubling":
        levels = draw(st.integers(min_value=1, max_value=40))
        chain = " ".join(
            f"fragment F{i} on {root} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
        )
        return f"{kind} Op{declared} {{ ...F0 }} {chain} fragment F{levels} on {root} {{ {body} }}"
    return f"{kind} Op{declared} {{ {body} }}"


def _cut(document: str, at: int) -> str:
    """The document cut short or with a character dropped: a syntax error somewhere."""
    return document[: at % (len(document) + 1)]


graphql_bodies = st.builds(
    lambda document, cut, values, mangle: json.dumps(
        {"query": _cut(document, cut) if mangle else document, "variables": values}
    ).encode(),
    documents(),
    st.integers(min_value=0),
    variables,
    st.booleans(),
)
other_bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.builds(
        lambda query, values: json.dumps({"query": query, "variables": values}).encode(),
        st.one_of(texts, ints, st.none()),
        json_values,
    ),
    st.sampled_from(
        [
            b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 3000 + b"]" * 3000 + b"}}",
            b'{"query": "\xff"}',
            b'{"query": "{ __typename }", "variables": {"n": 1' + b"0" * 5000 + b"}}",
        ]
    ),
)


def _assert_clean(response) -> None:
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json"), response.content
    payload = response.json()
    for error in payload.get("errors", []):
        assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", error
        for leak in LEAKS:
            assert leak not in error["message"], error


@pytest.fixture
def signed_in(catalogue) -> Client:
    client = Client()
    client.force_login(make_user())
    return client


@HOSTILE
@given(body=graphql_bodies)
def test_generated_operations_get_clean_answers(signed_in, body):
    _assert_clean(signed_in.post("/graphql/", body, content_type="application/json"))


@HOSTILE
@given(body=other_bodies, content_type=st.sampled_from(["application/json", "text/plain"]))
def test_generated_bodies_get_clean_answers(signed_in, body, content_type):
    _assert_clean(signed_in.post("/graphql/", body, content_type=content_type))


@HOSTILE
@given(document=documents(), values=variables)
def test_generated_get_requests_get_clean_answers(catalogue, document, values):
    response = Client().get("/graphql/", {"query": document, "variables": json.dumps(values)})
    _assert_clean(response)
