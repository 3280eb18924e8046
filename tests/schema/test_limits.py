"""Depth, token and alias limits and the introspection switch, with their exact errors."""

from __future__ import annotations

import pytest

from schema import limits
from tests.schema.conftest import error_messages


def _nested(depth: int) -> str:
    """An `items` query whose deepest field sits at ``depth``.

    The depth limiter counts the top-level field as depth 0, so `{ items { totalCount } }`
    has depth 1.
    """
    path = ["items", "edges", "node", "creator"]
    leaves = {"items": "totalCount", "edges": "cursor", "node": "title", "creator": "displayName"}
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
