"""The exploration bandit's state: one Beta-Bernoulli arm per candidate source (and, when
``RECOMMENDATION_BANDIT_SEGMENTS`` is on, per reader segment), shared by every worker.

An impression placed by source ``S`` is a trial of ``S``'s arm: a success when the reader
clicked, liked or saved the item *from that list* (an interaction carrying the
impression's request id, by the same reader on the same item: the attribution of
``backend.interactions``), a failure otherwise. So
``alpha = 1 + successes`` and ``beta = 1 + failures`` (a uniform prior), and Thompson
sampling (``backend.recommendations.sources``) draws each source's engagement rate from
``Beta(alpha, beta)``.

Outcomes are counted in batches by :func:`count_outcomes`, which a periodic job
(``manage.py count_source_outcomes``) and the traffic simulator call: it takes the
impressions past a cursor that are at least ``settle_s`` old (so the clicks that follow a
list have arrived), joins their outcomes by request id in one SQL
aggregation, and adds the counts to the arms with ``F()`` expressions, in one transaction
with the cursor row locked, so two jobs never count an impression twice.

An arm's rate is measured where its items land: the re-rank orders each list by score, so
it is the source's engagement as served (a source given more slots also fills lower
positions, which readers look at less), not a position-free rate.

Serving reads the arms through the shared cache (:func:`posterior`), a few seconds stale
at most, so a request costs no database read for them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from backend.interactions.models import Impression, Interaction, InteractionKind
from backend.recommendations.cache import guarded_call
from backend.recommendations.models import OutcomeCursor, SourceArm, SourceArmSnapshot
from backend.recommendations.sources import SOURCES

__all__ = [
    "ENGAGED_KINDS",
    "Counted",
    "arm_table",
    "count_outcomes",
    "posterior",
    "reset_arms",
    "segment_of",
]

# Acts that make an impression a success for the source that placed it.
ENGAGED_KINDS = (InteractionKind.CLICK, InteractionKind.LIKE, InteractionKind.SAVE)
# Serving reads the arms from the cache, this many seconds stale at most.
ARMS_CACHE_TTL = 10
_ARMS_KEY = "lupi:bandit-arms"
# An impression is counted once it is this old: the clicks on a list come within minutes.
SETTLE_S = 30 * 60
# At most this many impressions per count (a backlog is worked off over several runs).
BATCH = 200_000
PRIOR = 1.0


@dataclass(frozen=True)
class Counted:
    """What one count added: impressions and engaged ones per (segment, source)."""

    upto: int  # the cursor after the count (last impression id counted)
    shown: dict[tuple[str, str], int]
    engaged: dict[tuple[str, str], int]

    @property
    def impressions(self) -> int:
        return sum(self.shown.values())


def segment_of(method: str) -> str:
    """The arm segment of a list made by ``method``: the method itself when segments are
    on (readers placed by their history and by declared interests alone may take to
    different sources), else one segment for everybody."""
    return method if getattr(settings, "RECOMMENDATION_BANDIT_SEGMENTS", False) else ""


def arm_table() -> dict[tuple[str, str], tuple[float, float]]:
    """``(segment, source) -> (alpha, beta)`` of every stored arm, from the shared cache
    when it is fresh (one query otherwise)."""
    kept = guarded_call("get", lambda b: b.get(_ARMS_KEY))
    if isinstance(kept, dict):
        return kept
    table = {
        (segment, source): (alpha, beta)
        for segment, source, alpha, beta in SourceArm.objects.values_list(
            "segment", "source", "alpha", "beta"
        )
    }
    guarded_call("set", lambda b: b.set(_ARMS_KEY, table, timeout=ARMS_CACHE_TTL))
    return table


def posterior(segment: str = "") -> tuple[np.ndarray, np.ndarray]:
    """``(alpha, beta)`` of every source in ``SOURCES`` order for ``segment`` (the prior
    for an arm with nothing counted yet)."""
    table = arm_table()
    pairs = [table.get((segment, source), (PRIOR, PRIOR)) for source in SOURCES]
    alpha, beta = (np.array(column, dtype=np.float64) for column in zip(*pairs, strict=True))
    return alpha, beta


def _forget_cached_arms() -> None:
    guarded_call("delete", lambda b: b.delete(_ARMS_KEY))


def _tally(first_id: int, upto: int, variants: Collection[str] | None) -> tuple[dict, dict]:
    """Impressions and engaged impressions per (segment, source) of the sourced impressions
    with ids in ``(first_id, upto]`` (of ``variants`` only, when given): one aggregation."""
    engaged = Interaction.objects.filter(
        user_id=OuterRef("user_id"),
        request_id=OuterRef("request_id"),
        item_id=OuterRef("item_id"),
        kind__in=ENGAGED_KINDS,
    )
    impressions = Impression.objects.filter(id__gt=first_id, id__lte=upto, source__in=SOURCES)
    if variants is not None:
        impressions = impressions.filter(variant__in=list(variants))
    rows = (
        impressions.annotate(hit=Exists(engaged))
        .order_by()
        .values("method", "source")
        .annotate(shown=Count("id"), engaged=Count("id", filter=Q(hit=True)))
    )
    shown: dict[tuple[str, str], int] = {}
    hits: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (segment_of(row["method"]), row["source"])
        shown[key] = shown.get(key, 0) + row["shown"]
        hits[key] = hits.get(key, 0) + row["engaged"]
    return shown, hits


def _upto(cursor: int, cutoff: datetime, batch: int) -> int:
    """The last impression id of this count: at most ``batch`` past the first sourced
    impression after the cursor, and none shown after ``cutoff`` (ids grow with time; a
    later id is left for the next count). Impressions of lists not made from sources are
    stepped over."""
    after = Impression.objects.filter(id__gt=cursor)
    first = after.exclude(source="").order_by("id").values_list("id", flat=True).first()
    if first is None:
        return cursor
    window = after.filter(id__gte=first, id__lt=first + batch)
    late = window.filter(shown_at__gt=cutoff).order_by("id").values_list("id", flat=True)
    first_late = late.first()
    if first_late is not None:
        return first_late - 1
    last = window.order_by("-id").values_list("id", flat=True).first()
    return cursor if last is None else last


def _add(shown: dict, hits: dict, now: datetime) -> None:
    """Add the counts to the arms (``F()`` updates: atomic whatever else runs) and keep a
    snapshot of each arm counted."""
    keys = sorted(shown)
    SourceArm.objects.bulk_create(
        [SourceArm(segment=segment, source=source) for segment, source in keys],
        ignore_conflicts=True,
    )
    for segment, source in keys:
        n, k = shown[(segment, source)], hits[(segment, source)]
        SourceArm.objects.filter(segment=segment, source=source).update(
            alpha=F("alpha") + k,
            beta=F("beta") + (n - k),
            shown=F("shown") + n,
            engaged=F("engaged") + k,
            updated_at=now,
        )
    arms = SourceArm.objects.filter(
        Q(*[Q(segment=segment, source=source) for segment, source in keys], _connector=Q.OR)
    )
    SourceArmSnapshot.objects.bulk_create(
        [
            SourceArmSnapshot(
                taken_at=now, segment=arm.segment, source=arm.source, alpha=arm.alpha, beta=arm.beta
            )
            for arm in arms
        ]
    )


def count_outcomes(
    *,
    settle_s: float = SETTLE_S,
    batch: int = BATCH,
    now: datetime | None = None,
    variants: Collection[str] | None = None,
) -> Counted:
    """Count the outcomes of the impressions shown since the last count and at least
    ``settle_s`` ago into the arms; returns what was added.

    ``variants``: learn only from the lists of these experiment variants (the others are
    passed over for good), so that a bandit compared with fixed mixes learns from its own
    traffic alone; ``None`` learns from every list made from sources."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settle_s)
    with transaction.atomic():
        OutcomeCursor.objects.get_or_create(pk=1)
        cursor = OutcomeCursor.objects.select_for_update().get(pk=1)
        upto = _upto(cursor.impression_id, cutoff, batch)
        if upto <= cursor.impression_id:
            return Counted(cursor.impression_id, {}, {})
        shown, hits = _tally(cursor.impression_id, upto, variants)
        if shown:
            _add(shown, hits, now)
        cursor.impression_id = upto
        cursor.counted_at = now
        cursor.save(update_fields=["impression_id", "counted_at"])
    if shown:
        transaction.on_commit(_forget_cached_arms)
        _forget_cached_arms()
    return Counted(upto, shown, hits)


def reset_arms() -> None:
    """Start every arm again from the prior and count only impressions shown from now on
    (the arms' history stays): for a simulation that measures learning from scratch."""
    with transaction.atomic():
        OutcomeCursor.objects.get_or_create(pk=1)
        cursor = OutcomeCursor.objects.select_for_update().get(pk=1)
        SourceArm.objects.all().delete()
        last = Impression.objects.order_by("-id").values_list("id", flat=True).first() or 0
        cursor.impression_id = max(cursor.impression_id, last)
        cursor.save(update_fields=["impression_id"])
    _forget_cached_arms()
