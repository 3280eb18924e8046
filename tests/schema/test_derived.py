"""The insights' GraphQL types are derived from the services' result dataclasses: a field
added to a result reaches the API without a second declaration."""

from __future__ import annotations

import dataclasses

import pytest
import strawberry

from backend.insights import results
from schema.derived import graphql_type
from schema.insights import types as insight_types

PAIRS = [name for name in results.__all__ if hasattr(insight_types, name)]


@pytest.mark.parametrize("name", PAIRS)
def test_every_result_field_is_an_api_field_in_its_order(name: str) -> None:
    source = getattr(results, name)
    derived = getattr(insight_types, name).__strawberry_definition__
    names = [f.python_name for f in derived.fields]
    assert names[: len(dataclasses.fields(source))] == [f.name for f in dataclasses.fields(source)]


@dataclasses.dataclass(frozen=True)
class Part:
    """A part.

    More about it."""

    part_id: int
    tags: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Whole:
    """A whole."""

    parts: list[Part]
    main: Part | None
    figures: dict


def test_ids_lists_and_nested_results_are_mapped() -> None:
    part = graphql_type(Part)
    whole = graphql_type(Whole, fields={"main": strawberry.field(description="The main part.")})

    @strawberry.type
    class Query:
        whole_field = strawberry.field(
            name="whole",
            resolver=lambda: Whole([Part(7, ("a", "b"))], None, {"n": 1}),
            graphql_type=whole,
        )

    schema = strawberry.Schema(query=Query, types=[part])
    sdl = schema.as_str()
    assert '"""A part."""\ntype Part {\n  partId: ID!\n  tags: [String!]!\n}' in sdl
    assert '"""The main part."""\n  main: Part' in sdl
    result = schema.execute_sync("{ whole { parts { partId tags } main { partId } figures } }")
    assert result.errors is None
    assert result.data == {
        "whole": {"parts": [{"partId": "7", "tags": ["a", "b"]}], "main": None, "figures": {"n": 1}}
    }
