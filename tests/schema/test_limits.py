"""Depth, token, alias, fragment, field and cost limits and the introspection switch, with
their exact errors, and with fragments (named and inline) against each limiter."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
from graphql import parse

from schema import budget, limits, schema
from tests.schema.conftest import error_messages

FRONTEND = Path(__file__).resolve().parents[2] / "frontend" / "src"


def _nested(depth: int) -> str:
    """An `items` query whose deepest field sits at ``depth``.

    The depth limiter counts the top-level field as depth 0, so `{ items { totalCount } }`
    has depth 1. Pages of 2 keep the nested connections under the cost limit.
    """
    path = ["items(first: 2)", "edges", "node", "creator"]
    leaves = {
        "items(first: 2)": "totalCount",
        "edges": "cursor",
        "node": "title",
        "creator": "displayName",
    }
    fields = [path[i % 4] for i in range(depth)]
    return (
        "query Deep { "
        + " { ".join(fields)
        + " { "
        + leaves[fields[-1]]
        + " }" * len(fields)
        + " }"
    )


def test_query_at_the_depth_limit_runs(gql, catalogue):
    result = gql(_nested(limits.MAX_DEPTH))
    assert "errors" not in result, result


def test_query_deeper_than_the_limit_is_refused(gql, catalogue):
    result = gql(_nested(limits.MAX_DEPTH + 1))
    assert result["data"] is None
    assert error_messages(result) == [
        f"'Deep' exceeds maximum operation depth of {limits.MAX_DEPTH}"
    ]


def test_too_many_aliases_are_refused(gql, catalogue):
    count = limits.MAX_ALIASES + 1
    query = "{ " + " ".join(f"a{i}: tags {{ id }}" for i in range(count)) + " }"
    result = gql(query)
    assert error_messages(result) == [f"{count} aliases found. Allowed: {limits.MAX_ALIASES}"]
    allowed = "{ " + " ".join(f"a{i}: tags {{ id }}" for i in range(count - 1)) + " }"
    assert "errors" not in gql(allowed)


def test_too_many_tokens_are_refused(gql, catalogue):
    # "{", "tags", "{", then "id" repeated, then "}", "}": well past the limit.
    query = "{ tags { " + "id " * limits.MAX_TOKENS + "} }"
    result = gql(query)
    assert error_messages(result) == [
        f"Syntax Error: Document contains more than {limits.MAX_TOKENS} tokens. Parsing aborted."
    ]


@pytest.mark.skipif(limits.INTROSPECTION_ENABLED, reason="introspection enabled by settings")
def test_introspection_is_off_unless_enabled(gql, db):
    result = gql("{ __schema { queryType { name } } }")
    assert error_messages(result) == [
        "GraphQL introspection has been disabled, but the requested query contained the "
        f"field '{name}'."
        for name in ("__schema", "queryType")
    ]
    # __typename is not introspection: clients rely on it.
    assert gql("{ __typename }") == {"data": {"__typename": "Query"}}


# Every limiter again, with the offending part inside fragments (named and inline), where
# limiters that walk only the operation would miss it.


def test_depth_counts_through_fragments(gql, catalogue):
    deep = _nested(limits.MAX_DEPTH + 1).removeprefix("query Deep { ").removesuffix(" }")
    query = f"query Deep {{ ...Outer }} fragment Outer on Query {{ ... on Query {{ {deep} }} }}"
    assert error_messages(gql(query)) == [
        f"'Deep' exceeds maximum operation depth of {limits.MAX_DEPTH}"
    ]


def test_aliases_count_through_fragments(gql, catalogue):
    count = limits.MAX_ALIASES + 1
    half = count // 2
    first = " ".join(f"a{i}: tags {{ id }}" for i in range(half))
    second = " ".join(f"b{i}: tags {{ id }}" for i in range(count - half))
    query = f"{{ ...A ... on Query {{ {second} }} }} fragment A on Query {{ {first} }}"
    assert error_messages(gql(query)) == [f"{count} aliases found. Allowed: {limits.MAX_ALIASES}"]


def test_tokens_count_inside_fragments(gql, catalogue):
    query = "{ ...A } fragment A on Query { tags { " + "id " * limits.MAX_TOKENS + "} }"
    assert error_messages(gql(query)) == [
        f"Syntax Error: Document contains more than {limits.MAX_TOKENS} tokens. Parsing aborted."
    ]


def _doubling(levels: int, leaf: str = "__typename") -> str:
    """Fragments each spreading the next one twice: ``2**levels`` copies of ``leaf``."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ {leaf} }}"


def test_fragment_expansion_is_counted_without_expanding(gql, db):
    # 2**10 fields in nine short definitions (nesting 11 is within the limit).
    assert limits.MAX_FIELDS < 2**10 and limits.MAX_FRAGMENT_NESTING >= 11
    assert error_messages(gql(_doubling(10))) == [
        f"1024 fields after spreading fragments. Allowed: {limits.MAX_FIELDS}"
    ]
    assert gql(_doubling(3)) == {"data": {"__typename": "Query"}}


def test_fields_merged_under_one_name_are_limited(gql, catalogue):
    # 300 copies of one field: graphql-core's merge check compares all 44,850 pairs.
    flat = "{ " + "tags { id } " * 300 + "}"
    assert error_messages(gql(flat)) == [
        f"'tags' is selected 300 times at one level. Allowed: {limits.MAX_REPEATED_FIELDS}"
    ]
    # Through fragments: 2**9 copies of __typename merge into one level.
    assert error_messages(gql(_doubling(9))) == [
        f"'__typename' is selected 512 times at one level. Allowed: {limits.MAX_REPEATED_FIELDS}"
    ]


def test_repeats_count_where_sub_selections_merge(gql, catalogue):
    # Four `items`, each with four `edges`, each with four `node`s: merged, 16 `edges` and
    # 64 `node`s share one level each (validation's work multiplies down the levels).
    four = " ".join(["node { id }"] * 4)
    edges = " ".join([f"edges {{ {four} }}"] * 4)
    query = "{ " + " ".join([f"items(first: 1) {{ {edges} }}"] * 4) + " }"
    assert error_messages(gql(query)) == [
        f"'node' is selected 64 times at one level. Allowed: {limits.MAX_REPEATED_FIELDS}"
    ]
    inline = "{ " + " ".join(["... on Query { tags { id } }"] * 11) + " }"
    assert error_messages(gql(inline)) == [
        f"'tags' is selected 11 times at one level. Allowed: {limits.MAX_REPEATED_FIELDS}"
    ]
    # The same field in a few fragments, as clients compose them, is fine.
    composed = (
        "{ tags { id ...T ...U } ... on Query { tags { name } } } "
        "fragment T on Tag { id name } fragment U on Tag { id }"
    )
    assert "errors" not in gql(composed)


def test_inline_fragments_count_towards_the_expansion(gql, db):
    leaf = "... on Query { __typename } ... { __typename }"
    assert error_messages(gql(_doubling(9, leaf))) == [
        f"1024 fields after spreading fragments. Allowed: {limits.MAX_FIELDS}"
    ]


def test_the_reported_attack_is_refused_quickly(gql, db):
    # Each fragment spreading the next twice, 30 levels: 2**30 fields in about 1.2 kB.
    query = _doubling(30)
    assert len(query) < 1400
    started = time.perf_counter()
    result = gql(query)
    elapsed = time.perf_counter() - started
    assert error_messages(result) == [
        f"Fragments nest 31 deep. Allowed: {limits.MAX_FRAGMENT_NESTING}"
    ]
    assert result["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    # Far below the minutes an expansion would take, with room for a loaded machine.
    assert elapsed < 2, elapsed


def test_a_long_chain_of_fragments_is_refused(gql, db):
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(240))
    query = f"{{ ...F0 }} {chain} fragment F240 on Query {{ __typename }}"
    assert error_messages(gql(query)) == [
        f"Fragments nest 241 deep. Allowed: {limits.MAX_FRAGMENT_NESTING}"
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ ...Nope }", "Unknown fragment 'Nope'."),
        ("{ ... on Query { ...Nope } }", "Unknown fragment 'Nope'."),
        ("{ ...A } fragment A on Query { ...A }", "Cannot spread fragment 'A' within itself."),
        (
            "{ ...A } fragment A on Query { ...B } fragment B on Query { tags { ...A } }",
            "Cannot spread fragment 'A' within itself via 'B'.",
        ),
        (
            "{ ...A } fragment A on Query { __typename } fragment A on Query { ...A }",
            "There can be only one fragment named 'A'.",
        ),
    ],
)
def test_broken_fragments_are_validation_errors(gql, db, query, message):
    result = gql(query)
    assert result["data"] is None
    assert error_messages(result) == [message]
    assert result["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


def _insights(count: int, window: int) -> str:
    fields = "totals { views likes } series { date views }"
    return (
        "{ "
        + " ".join(
            f'a{i}: creatorInsights(creatorId: "1", windowDays: {window}) {{ {fields} }}'
            for i in range(count)
        )
        + " }"
    )


def _insight_cost(window: int) -> int:
    # The field, its window, and six fields below it (totals, series and four leaves).
    return 1 + window * limits.INSIGHT_DAY_COST + 6


def test_aliased_insight_windows_are_refused_by_cost(gql, db):
    # The reported case: 15 aliased year-long windows, within the alias limit.
    assert limits.MAX_ALIASES >= 15
    cost = 15 * _insight_cost(365)
    assert error_messages(gql(_insights(15, 365))) == [
        f"Query cost {cost} exceeds {limits.MAX_COST}."
    ]
    # One year-long window is fine (refused only because nobody is signed in).
    assert error_messages(gql(_insights(1, 365))) == [
        "creatorInsights: Log in first; anonymous users cannot do this."
    ]


def test_cost_counts_windows_from_variables_and_through_fragments(gql, db):
    over = limits.MAX_COST // _insight_cost(365) + 1
    spreads = " ".join(
        f'a{i}: creatorInsights(creatorId: "1", windowDays: $days) {{ ...T }}' for i in range(over)
    )
    query = (
        f"query Q($days: Int!) {{ ... on Query {{ {spreads} }} }} "
        "fragment T on CreatorInsights { totals { views likes } series { date views } }"
    )
    result = gql(query, {"days": 365})
    assert error_messages(result) == [
        f"Query cost {over * _insight_cost(365)} exceeds {limits.MAX_COST}."
    ]
    # A day-long window costs little: the same document runs (and is refused because
    # nobody is signed in).
    assert set(error_messages(gql(query, {"days": 1}))) == {
        "creatorInsights: Log in first; anonymous users cannot do this."
    }


def test_cost_weighs_scoring_passes_and_page_sizes(gql, db):
    item = "score item { id title creator { displayName } tags { name } }"
    one = f"recommendations(first: 100) {{ items {{ {item} }} }}"
    # 1 (recommendations) + 100 (scoring pass) + 100 x (items 1 + score 1 + item 1 + id,
    # title 2 + creator 2 + tags 2) per alias.
    cost = 1 + limits.SCORING_PASS_COST + 100 * 9
    count = limits.MAX_COST // cost + 1
    query = "{ " + " ".join(f"r{i}: {one}" for i in range(count)) + " }"
    assert error_messages(gql(query)) == [f"Query cost {count * cost} exceeds {limits.MAX_COST}."]
    fragment_query = (
        "query { "
        + " ".join(f"r{i}: recommendations(first: $n) {{ ...R }}" for i in range(count))
        + f" }} fragment R on RecommendationList {{ items {{ {item} }} }}"
    ).replace("query {", "query Q($n: Int!) {")
    assert error_messages(gql(fragment_query, {"n": 100})) == [
        f"Query cost {count * cost} exceeds {limits.MAX_COST}."
    ]


def test_page_sizes_multiply_what_a_connection_selects(gql, catalogue):
    node = "id title excerpt creator { displayName } tags { name } category { name }"
    per_node = 1 + 1 + 9  # edges, node, then its nine fields
    cost = 1 + limits.MAX_PAGE_SIZE * per_node
    count = limits.MAX_COST // cost + 1
    query = (
        "{ "
        + " ".join(
            f"p{i}: items(first: {limits.MAX_PAGE_SIZE}) {{ edges {{ node {{ {node} }} }} }}"
            for i in range(count)
        )
        + " }"
    )
    assert error_messages(gql(query)) == [f"Query cost {count * cost} exceeds {limits.MAX_COST}."]
    allowed = query.replace(f"first: {limits.MAX_PAGE_SIZE}", "first: 2")
    assert "errors" not in gql(allowed)


def test_the_spa_documents_are_well_within_every_limit():
    """The dashboard's own documents, with the largest variables it may send, keep a
    margin below each limit."""
    sources = [
        path.read_text()
        for path in sorted(FRONTEND.rglob("*.ts*"))
        if "gql" not in path.parts and not path.name.endswith(".test.tsx")
    ]
    documents = [d for text in sources for d in re.findall(r"graphql\(`(.*?)`\)", text, re.S)]
    fragments = "\n".join(d for d in documents if d.lstrip().startswith("fragment"))
    operations = [d for d in documents if not d.lstrip().startswith("fragment")]
    assert len(operations) > 10
    largest = {"first": limits.MAX_PAGE_SIZE, "windowDays": 365, "limit": limits.MAX_PAGE_SIZE}
    for operation in operations:
        size = budget.measure(parse(operation + fragments), schema._schema, limits.WEIGHTS, largest)
        assert size.cost * 1.4 <= limits.MAX_COST, (operation[:60], size)
        assert size.fields * 2 <= limits.MAX_FIELDS, (operation[:60], size)
        assert size.nesting * 2 <= limits.MAX_FRAGMENT_NESTING, (operation[:60], size)
        repeats, _name = budget.most_repeated(parse(operation + fragments))
        assert repeats * 2 <= limits.MAX_REPEATED_FIELDS, (operation[:60], repeats)


def test_a_request_past_the_time_limit_is_stopped_with_an_error(gql, catalogue, monkeypatch):
    # A limit that has passed by the first moment the request waits for the database.
    monkeypatch.setattr(limits, "REQUEST_TIMEOUT", 1e-9)
    result = gql("{ tags { id } }")
    assert result == {
        "data": None,
        "errors": [
            {
                "message": "The request ran longer than 1e-09 s and was stopped; a mutation "
                "in it may still have been applied.",
                "extensions": {"code": "TIMEOUT"},
            }
        ],
    }
    # The worker is free: the next request (with the limit off) is answered in full.
    monkeypatch.setattr(limits, "REQUEST_TIMEOUT", 0)
    assert len(gql("{ tags { id } }")["data"]["tags"]) == 3


def test_a_document_is_validated_once_however_often_it_is_sent(gql, catalogue, monkeypatch):
    """The validation cache hits across requests: the limiters' rule classes are built once,
    not per request, so the cache key (document, rules) repeats."""
    import strawberry.schema.schema as strawberry_schema

    validations = []
    real = strawberry_schema.validate

    def counting(*args, **kwargs):
        validations.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    # a text no other test sends, so the process-wide cache has not seen it
    name = f"Once{uuid.uuid4().hex}"
    query = f"query {name} {{ items(first: 2) {{ totalCount }} }}"
    for _ in range(3):
        result = gql(query)
        assert "errors" not in result, result
    assert len(validations) == 1
    # a refused document is refused every time, from the cache as well
    deep = _nested(limits.MAX_DEPTH + 1).replace("query Deep", f"query Deep{name}")
    assert all(gql(deep)["data"] is None for _ in range(2))
    assert len(validations) == 2
