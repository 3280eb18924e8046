"""GraphQL types of creator insights and of a user's own activity and counts."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.insights import results
from schema.content.types import ContentItem
from schema.context import Info
from schema.derived import graphql_type
from schema.interactions.types import InteractionKind

__all__ = [
    "ActivityEntry",
    "AudienceInterest",
    "CreatorInsights",
    "DailyPoint",
    "InsightTotals",
    "ItemInsights",
    "MethodBreakdown",
    "RisingItem",
    "SimilarCreator",
    "UserStats",
    "WrittenInsight",
]

# Each type is derived from the service's result dataclass of the same name
# (backend/insights/results.py): only what the API says differently is written here.

CTR_DOC = (
    "Clicked impressions / impressions: an impression counts as clicked when the same "
    "person clicked or viewed the item within 24 hours. Null without impressions."
)


async def _item(self: Any, info: Info) -> ContentItem | None:
    return await info.context.loaders.content_item_by_id.load(int(self.item_id))


ItemInsights = graphql_type(
    results.ItemInsights,
    fields={
        "ctr": strawberry.field(description=CTR_DOC),
        "dwell_ms": strawberry.field(description="Mean dwell time in milliseconds."),
    },
    extra={"item": strawberry.field(resolver=_item, description="The item itself.")},
)
InsightTotals = graphql_type(
    results.InsightTotals,
    fields={
        "ctr": strawberry.field(description=CTR_DOC),
        "audience_size": strawberry.field(description="Distinct people who engaged."),
    },
)
DailyPoint = graphql_type(results.DailyPoint)
AudienceInterest = graphql_type(
    results.AudienceInterest,
    fields={"share": strawberry.field(description="Share of all audience interest (sums to 1).")},
)
MethodBreakdown = graphql_type(
    results.MethodBreakdown,
    fields={"method": strawberry.field(description="hybrid, content, trending or fallback.")},
)
RisingItem = graphql_type(
    results.RisingItem,
    fields={
        "growth": strawberry.field(
            description="(last - previous) / previous; null when the week before had no views."
        )
    },
)
SimilarCreator = graphql_type(
    results.SimilarCreator,
    fields={"source": strawberry.field(description="`embedding` (model) or `audience` (overlap).")},
)
WrittenInsight = graphql_type(results.WrittenInsight)
CreatorInsights = graphql_type(
    results.CreatorInsights,
    fields={
        "series": strawberry.field(description="Daily trend over the window."),
        "methods": strawberry.field(
            description="Which recommendation methods surfaced the creator's items."
        ),
    },
    description="How a creator's work is doing. Only for that creator or staff.",
)
UserStats = graphql_type(results.UserStats)
ActivityEntry = graphql_type(
    results.ActivityEntry,
    fields={"kind": strawberry.field(description="What the user did.")},
    types_={"kind": InteractionKind, "item": ContentItem},
)
