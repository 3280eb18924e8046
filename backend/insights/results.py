"""What the insights services return: plain, typed, immutable values.

The GraphQL layer maps these one to one; nothing here touches the database. Rates are
fractions in ``[0, 1]`` and are ``None`` where the denominator is zero (no data is not
the same as a 0% rate, and a chart should show a gap rather than a dip).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from backend.content.models import ContentItem

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


@dataclass(frozen=True, slots=True)
class ItemInsights:
    """One of the creator's items over the window."""

    item_id: int
    title: str
    type: str
    published_at: dt.datetime | None
    tags: tuple[str, ...]
    views: int
    likes: int
    clicks: int
    impressions: int
    clicked_impressions: int
    ctr: float | None
    dwell_ms: float | None
    dwell_samples: int


@dataclass(frozen=True, slots=True)
class InsightTotals:
    """Sums over all of the creator's items for the window."""

    items: int
    views: int
    likes: int
    clicks: int
    impressions: int
    clicked_impressions: int
    ctr: float | None
    dwell_ms: float | None
    dwell_samples: int
    audience_size: int


@dataclass(frozen=True, slots=True)
class DailyPoint:
    """One UTC day of the trend; days without activity are present with zeros."""

    date: dt.date
    views: int
    likes: int
    impressions: int
    clicked_impressions: int
    ctr: float | None


@dataclass(frozen=True, slots=True)
class AudienceInterest:
    """A tag the creator's audience cares about; the shares sum to 1 over all tags."""

    tag_id: int
    name: str
    weight: float
    share: float


@dataclass(frozen=True, slots=True)
class MethodBreakdown:
    """Impressions of the creator's items made by one recommendation method."""

    method: str
    impressions: int
    clicked_impressions: int
    ctr: float | None
    share: float


@dataclass(frozen=True, slots=True)
class RisingItem:
    """An item whose views grew over the last 7 days against the 7 before."""

    item_id: int
    title: str
    views_last_7d: int
    views_prev_7d: int
    growth: float | None  # (last - prev) / prev; None when prev is 0 (new traction)


@dataclass(frozen=True, slots=True)
class SimilarCreator:
    """Another creator like this one, by model embeddings or by shared audience."""

    creator_id: int
    display_name: str
    score: float
    source: str  # "embedding" or "audience"
    shared_audience: int | None = None  # people engaging with both (audience source only)


@dataclass(frozen=True, slots=True)
class WrittenInsight:
    """A sentence for the creator, with the figures it was drawn from."""

    kind: str
    text: str
    figures: dict[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CreatorInsights:
    """Everything the creator dashboard shows, for one window ending at ``end``."""

    creator_id: int
    display_name: str
    window_days: int
    start: dt.datetime
    end: dt.datetime
    totals: InsightTotals
    items: list[ItemInsights]
    series: list[DailyPoint]
    audience_interests: list[AudienceInterest]
    methods: list[MethodBreakdown]
    top_items: list[ItemInsights]
    rising_items: list[RisingItem]
    similar_creators: list[SimilarCreator]
    audience_overlap: list[SimilarCreator]
    written: list[WrittenInsight]


@dataclass(frozen=True, slots=True)
class UserStats:
    """Lifetime counts of one user's own activity."""

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


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    """One of the user's own interactions, with the item it was on."""

    interaction_id: int
    kind: str
    occurred_at: dt.datetime
    value: float | None
    device: str
    item: ContentItem
