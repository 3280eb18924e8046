"""What a caller may ask for and what a served list is: the knobs and filters with their
bounds, the method, the list, its items and their score breakdowns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from backend.recommendations.explanations import (
    Reason,
)
from backend.recommendations.export import TYPE_ORDER

__all__ = [
    "FRESHNESS_OFF",
    "InvalidKnob",
    "Method",
    "Recommendation",
    "RecommendationFilters",
    "RecommendationKnobs",
    "RecommendationList",
    "ScoreBreakdown",
    "validate_first",
]


PAGE_SIZE_MAX = 100


HALF_LIFE_MIN_DAYS = 1.0


HALF_LIFE_MAX_DAYS = 365.0


DEFAULT_HALF_LIFE_DAYS = 30.0


# A half-life of 0 days: no freshness boost at all (an instant decay).
FRESHNESS_OFF = 0.0


DEFAULT_DIVERSITY = 0.3


class Method(StrEnum):
    HYBRID = "hybrid"
    CONTENT = "content"
    TRENDING = "trending"
    FALLBACK = "fallback"


class InvalidKnob(ValueError):
    """A per-request knob is out of bounds; ``knob`` names it."""

    def __init__(self, knob: str, message: str) -> None:
        super().__init__(f"{knob}: {message}")
        self.knob = knob


@dataclass(frozen=True)
class RecommendationFilters:
    """What may appear: item types and categories (empty = all), ids never to show."""

    types: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()
    exclude_ids: tuple[int, ...] = ()
    exclude_own: bool = False

    def normalised(self) -> RecommendationFilters:
        unknown = [t for t in self.types if t not in TYPE_ORDER]
        if unknown:
            raise InvalidKnob("types", f"unknown type {unknown[0]!r}; use one of {TYPE_ORDER}")
        return RecommendationFilters(
            types=tuple(sorted(set(self.types))),
            categories=tuple(sorted({int(c) for c in self.categories})),
            exclude_ids=tuple(sorted({int(i) for i in self.exclude_ids})),
            exclude_own=bool(self.exclude_own),
        )


@dataclass(frozen=True)
class RecommendationKnobs:
    """Per-request tuning, each bounded.

    ``blend``: share of the content score for items with interactions, 0 (graph only) to 1
    (content only); ``None`` keeps the blend the model was trained with. ``diversity``: 0
    (pure relevance) to 1 (strongest MMR and same-creator decay). ``freshness_half_life_days``:
    after this many days an item keeps half of its freshness boost (1 to 365); 0 turns the
    boost off. ``diversity=0`` with ``freshness_half_life_days=0`` serves the model's own
    ranking: re-ranking off, as the quality benchmark measures it.
    """

    blend: float | None = None
    diversity: float = DEFAULT_DIVERSITY
    freshness_half_life_days: float = DEFAULT_HALF_LIFE_DAYS

    def validated(self) -> RecommendationKnobs:
        def bounded(name: str, value: float | None, low: float, high: float) -> None:
            if value is None:
                return
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidKnob(name, f"must be a number from {low:g} to {high:g}")
            if not math.isfinite(value) or not low <= value <= high:
                raise InvalidKnob(name, f"must be from {low:g} to {high:g}, got {value!r}")

        bounded("blend", self.blend, 0.0, 1.0)
        bounded("diversity", self.diversity, 0.0, 1.0)
        half_life = self.freshness_half_life_days
        if type(half_life) not in (int, float) or half_life != FRESHNESS_OFF:
            bounded(
                "freshness_half_life_days",
                self.freshness_half_life_days,
                HALF_LIFE_MIN_DAYS,
                HALF_LIFE_MAX_DAYS,
            )
        return self


def validate_first(first: int) -> int:
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= PAGE_SIZE_MAX:
        raise InvalidKnob("first", f"must be an integer from 1 to {PAGE_SIZE_MAX}, got {first!r}")
    return first


@dataclass(frozen=True)
class ScoreBreakdown:
    """The parts of a score, in one unit: ``score = graph + content + popularity +
    freshness + context - fatigue_penalty - diversity_penalty``.

    ``context``: what the moment of the request (local hour, device) adds or takes, 0
    without a context; ``fatigue_penalty``: what the item's recent impressions that the user
    did not engage with take off."""

    graph: float = 0.0
    content: float = 0.0
    popularity: float = 0.0
    freshness: float = 0.0
    context: float = 0.0
    fatigue_penalty: float = 0.0
    diversity_penalty: float = 0.0


@dataclass(frozen=True)
class Recommendation:
    item_id: int
    score: float
    reasons: tuple[Reason, ...] = ()
    breakdown: ScoreBreakdown = field(default_factory=ScoreBreakdown)
    # The candidate source that placed the item (backend/recommendations/sources.py), or ""
    # when the list was not made from sources.
    source: str = ""


@dataclass(frozen=True)
class RecommendationList:
    """One served list: its items, how it was made, and by which model version."""

    items: tuple[Recommendation, ...]
    method: Method
    model_version: str
    diversity: float
    cached: bool = False
    request_id: str = ""
    # The experiment variant it was served under, "<experiment>:<variant>" ("" for none).
    variant: str = ""

    @property
    def item_ids(self) -> list[int]:
        return [rec.item_id for rec in self.items]

    @property
    def sources(self) -> list[str]:
        """The source of each item ("" for all of a list not made from sources)."""
        return [rec.source for rec in self.items]
