"""What GraphQL execution alone costs on this machine: the libraries' own floor.

    python -m bench.graphql_floor [--requests 200]

The selections of ``bench.load``'s ``items`` (a 50-item page) and ``dashboard`` (20
recommendations with their cards, reasons and breakdowns, plus activity and stats) are
executed over plain in-memory objects: no database, no Django, no resolvers of the
project's own. Two executors: graphql-core's ``execute`` on the schema strawberry built,
and strawberry's ``execute``, which adds its own field machinery. Prints CPU ms per
request and microseconds per resolved field. What a served request pays on top of this
(SQL, the session, scoring) comes from ``bench.cpu_profile``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import strawberry
from graphql import execute, parse


@strawberry.type
class Named:
    id: strawberry.ID
    name: str
    display_name: str


@strawberry.type
class Card:
    id: strawberry.ID
    type: str
    title: str
    excerpt: str
    image_url: str
    published_at: str
    creator: Named
    category: Named
    tags: list[Named]


@strawberry.type
class Reason:
    kind: str
    text: str
    evidence_ids: list[strawberry.ID]


@strawberry.type
class Breakdown:
    graph: float
    content: float
    freshness: float
    diversity_penalty: float


@strawberry.type
class Pick:
    score: float
    item: Card
    reasons: list[Reason]
    breakdown: Breakdown


@strawberry.type
class Served:
    method: str
    model_version: str
    diversity: float
    cached: bool
    items: list[Pick]


@strawberry.type
class Act:
    kind: str
    occurred_at: str
    item: Card


@strawberry.type
class Stats:
    interactions: int
    likes: int
    views: int


@strawberry.type
class Edge:
    node: Card


@strawberry.type
class Page:
    edges: list[Edge]


def _card(i: int) -> Card:
    who = Named(id=str(i % 7), name="n", display_name="Someone")
    tags = [Named(id=str(t), name=f"tag {t}", display_name="") for t in range(3)]
    return Card(
        id=str(i),
        type="BLOG",
        title=f"Item {i}",
        excerpt="A short excerpt.",
        image_url=f"/covers/{i}.svg",
        published_at="2025-05-01T00:00:00+00:00",
        creator=who,
        category=who,
        tags=tags,
    )


def _pick(i: int) -> Pick:
    reasons = [Reason(kind="LIKED_SIMILAR", text="Because you liked X", evidence_ids=["1", "2"])]
    return Pick(
        score=1.0 / (i + 1),
        item=_card(i),
        reasons=reasons * 2,
        breakdown=Breakdown(graph=0.5, content=0.2, freshness=0.1, diversity_penalty=0.0),
    )


# Built once: the runs time execution, not the making of the objects.
_CARDS = [_card(i) for i in range(100)]
_PICKS = [_pick(i) for i in range(100)]


@strawberry.type
class Query:
    @strawberry.field
    def items(self, first: int) -> Page:
        return Page(edges=[Edge(node=card) for card in _CARDS[:first]])

    @strawberry.field
    def recommendations(self, first: int) -> Served:
        return Served(
            method="HYBRID", model_version="v", diversity=0.4, cached=False, items=_PICKS[:first]
        )

    @strawberry.field
    def recent_activity(self, limit: int) -> list[Act]:
        return [Act(kind="VIEW", occurred_at="2025-05-01", item=card) for card in _CARDS[:limit]]

    @strawberry.field
    def stats(self) -> Stats:
        return Stats(interactions=396, likes=40, views=200)


ITEMS = """{ items(first: 50) { edges { node {
  id type title excerpt imageUrl publishedAt
  creator { id displayName } category { name } tags { name } } } } }"""

DASHBOARD = """{ recommendations(first: 20) { method modelVersion diversity cached
    items { score item { id type title excerpt imageUrl creator { id displayName } }
            reasons { kind text evidenceIds }
            breakdown { graph content freshness diversityPenalty } } }
  recentActivity(limit: 10) { kind occurredAt item { title } }
  stats { interactions likes views } }"""


def _fields(value: object) -> int:
    """Fields resolved to produce ``value``: one per key, list items counted inside."""
    if isinstance(value, dict):
        return sum(1 + _fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(_fields(v) for v in value)
    return 0


def _cpu_ms(run, requests: int) -> float:
    for _ in range(20):
        run()
    started = time.process_time()
    for _ in range(requests):
        run()
    return (time.process_time() - started) / requests * 1000


async def _async_cpu_ms(schema: strawberry.Schema, document: str, requests: int) -> float:
    """Strawberry's async execution, as the server runs it, on one event loop."""
    for _ in range(20):
        await schema.execute(document)
    started = time.process_time()
    for _ in range(requests):
        await schema.execute(document)
    return (time.process_time() - started) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    schema = strawberry.Schema(query=Query)
    report = {}
    for name, document in (("items", ITEMS), ("dashboard", DASHBOARD)):
        parsed = parse(document)
        fields = _fields(schema.execute_sync(document).data)
        core = _cpu_ms(lambda parsed=parsed: execute(schema._schema, parsed), args.requests)
        full = asyncio.run(_async_cpu_ms(schema, document, args.requests))
        report[name] = {
            "fields": fields,
            "graphql_core_ms": round(core, 2),
            "strawberry_ms": round(full, 2),
            "us_per_field_core": round(core * 1000 / fields, 1),
            "us_per_field_strawberry": round(full * 1000 / fields, 1),
        }
        print(
            f"{name}: {fields} fields; graphql-core {core:.2f} ms "
            f"({core * 1000 / fields:.1f} us/field), strawberry {full:.2f} ms "
            f"({full * 1000 / fields:.1f} us/field)"
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
