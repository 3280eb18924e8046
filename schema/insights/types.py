"""GraphQL types of creator insights and of a user's own activity and counts."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from schema.content.types import ContentItem
from schema.context import Info
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

# The insight services return frozen dataclasses whose attribute names match these types,
# so resolvers hand them over as they are.

CTR_DOC = (
    "Clicked impressions / impressions: an impression counts as clicked when the same "
    "person clicked or viewed the item within 24 hours. Null without impressions."
)


@strawberry.type(description="One of the creator's items over the window.")
class ItemInsights:
    item_id: strawberry.ID
    title: str
    type: str
    published_at: dt.datetime | None
    tags: list[str]
    views: int
    likes: int
    clicks: int
    impressions: int
    clicked_impressions: int
    ctr: float | None = strawberry.field(description=CTR_DOC)
    dwell_ms: float | None = strawberry.field(description="Mean dwell time in milliseconds.")
    dwell_samples: int

    @strawberry.field(description="The item itself.")
    async def item(self, info: Info) -> ContentItem | None:
        return await info.context.loaders.content_item_by_id.load(int(self.item_id))


@strawberry.type(description="Sums over all of the creator's items for the window.")
class InsightTotals:
    items: int
    views: int
    likes: int
    clicks: int
    impressions: int
    clicked_impressions: int
    ctr: float | None = strawberry.field(description=CTR_DOC)
    dwell_ms: float | None
    dwell_samples: int
    audience_size: int = strawberry.field(description="Distinct people who engaged.")


@strawberry.type(description="One UTC day of the trend; quiet days are present with zeros.")
class DailyPoint:
    date: dt.date
    views: int
    likes: int
    impressions: int
    clicked_impressions: int
    ctr: float | None


@strawberry.type(description="A tag the creator's audience cares about.")
class AudienceInterest:
    tag_id: strawberry.ID
    name: str
    weight: float
    share: float = strawberry.field(description="Share of all audience interest (sums to 1).")


@strawberry.type(description="Impressions of the creator's items made by one method.")
class MethodBreakdown:
    method: str = strawberry.field(description="hybrid, content, trending or fallback.")
    impressions: int
    clicked_impressions: int
    ctr: float | None
    share: float


@strawberry.type(description="An item whose views grew over the last 7 days.")
class RisingItem:
    item_id: strawberry.ID
    title: str
    views_last_7d: int
    views_prev_7d: int
    growth: float | None = strawberry.field(
        description="(last - previous) / previous; null when the week before had no views."
    )


@strawberry.type(description="Another creator like this one.")
class SimilarCreator:
    creator_id: strawberry.ID
    display_name: str
    score: float
    source: str = strawberry.field(description="`embedding` (model) or `audience` (overlap).")
    shared_audience: int | None


@strawberry.type(description="A sentence for the creator with the figures it rests on.")
class WrittenInsight:
    kind: str
    text: str
    figures: JSON


@strawberry.type(description="How a creator's work is doing. Only for that creator or staff.")
class CreatorInsights:
    creator_id: strawberry.ID
    display_name: str
    window_days: int
    start: dt.datetime
    end: dt.datetime
    totals: InsightTotals
    items: list[ItemInsights]
    series: list[DailyPoint] = strawberry.field(description="Daily trend over the window.")
    audience_interests: list[AudienceInterest]
    methods: list[MethodBreakdown] = strawberry.field(
        description="Which recommendation methods surfaced the creator's items."
    )
    top_items: list[ItemInsights]
    rising_items: list[RisingItem]
    similar_creators: list[SimilarCreator]
    audience_overlap: list[SimilarCreator]
    written: list[WrittenInsight]


@strawberry.type(description="Lifetime counts of the viewer's own activity.")
class UserStats:
    interactions: int
    views: int
    clicks: int
    likes: int
    shares: int
    comments: int
    saves: int
    dwells: int
    skips: int
    dislikes: int
    hides: int
    dwell_ms_total: float
    items_engaged: int
    creators_engaged: int
    not_interested_tags: int
    not_interested_creators: int
    interested_tags: int
    interested_categories: int
    first_activity: dt.datetime | None
    last_activity: dt.datetime | None


@strawberry.type(description="One of the viewer's own interactions, with its item.")
class ActivityEntry:
    interaction_id: strawberry.ID
    kind: InteractionKind = strawberry.field(description="What the user did.")
    occurred_at: dt.datetime
    value: float | None
    device: str
    item: ContentItem
