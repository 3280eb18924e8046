"""Trending items: recent positive feedback, each act decaying exponentially with age.

``score(i) = sum over positive acts a on i within the window of w(a) * 2^(-age(a) / h)``

with ``w`` the kind's weight from the export (a like counts more than a view) and ``h``
the half-life. Negative acts do not count against an item here: trending answers "what
are people engaging with", and a hide says more about one viewer than about the item.

The ranking is the same for everyone, so it is computed once and kept in the cache for a
short while; the per-user exclusions are applied by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from backend.interactions.models import Interaction
from backend.recommendations.cache import guarded_call
from backend.recommendations.export import KIND_WEIGHTS

__all__ = ["TRENDING_HALF_LIFE_HOURS", "TRENDING_WINDOW_DAYS", "Trending", "trending"]

TRENDING_WINDOW_DAYS = 14
TRENDING_HALF_LIFE_HOURS = 48.0
# Kept as a list of (item id, score) this long; a minute of staleness is invisible in a
# ranking that decays over days.
TRENDING_CACHE_TTL = 60
TRENDING_LIMIT = 2000
_CACHE_KEY = "lupi:trending"

_POSITIVE_KINDS = [kind for kind, weight in KIND_WEIGHTS.items() if weight > 0]


@dataclass(frozen=True)
class Trending:
    """Items by decayed popularity, best first."""

    items: tuple[tuple[int, float], ...]

    def scores(self) -> dict[int, float]:
        return dict(self.items)

    def top_ids(self, n: int, share: float = 0.25) -> set[int]:
        """The first ``n`` items scoring at least ``share`` of the top item's score."""
        if not self.items:
            return set()
        floor = self.items[0][1] * share
        return {item_id for item_id, score in self.items[:n] if score >= floor}


def compute_trending(
    now: datetime | None = None,
    *,
    window_days: int = TRENDING_WINDOW_DAYS,
    half_life_hours: float = TRENDING_HALF_LIFE_HOURS,
    limit: int = TRENDING_LIMIT,
) -> Trending:
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    acts = Interaction.objects.filter(
        occurred_at__gte=since,
        occurred_at__lte=now,
        kind__in=_POSITIVE_KINDS,
        item__published_at__isnull=False,
    ).values_list("item_id", "kind", "occurred_at")
    decay = math.log(2) / (half_life_hours * 3600.0)
    scores: dict[int, float] = {}
    for item_id, kind, occurred_at in acts.iterator(chunk_size=20_000):
        age = max((now - occurred_at).total_seconds(), 0.0)
        scores[item_id] = scores.get(item_id, 0.0) + KIND_WEIGHTS[kind] * math.exp(-decay * age)
    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))[:limit]
    return Trending(items=tuple(ranked))


def trending() -> Trending:
    """The current trending ranking, from the cache when it is fresh."""
    cached = guarded_call("get", lambda b: b.get(_CACHE_KEY))
    if isinstance(cached, Trending):
        return cached
    result = compute_trending()
    guarded_call("set", lambda b: b.set(_CACHE_KEY, result, timeout=TRENDING_CACHE_TTL))
    return result
