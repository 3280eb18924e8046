"""What staff read of the exploration bandit: each candidate source's posterior now, and
how it moved over the counts of outcomes (``SourceArmSnapshot``).

For a source with ``Beta(alpha, beta)``:

* ``mean = alpha / (alpha + beta)``, the expected engagement rate of an item it places;
* ``low``, ``high``: the equal-tailed 95% credible interval (Beta quantiles 2.5% and 97.5%);
* ``slot_share``: the chance that its Thompson draw is the best of the sources', which is
  the share of a list's slots the bandit gives it before the candidate caps and the slots
  kept for new items and new creators (``sources.allocate_slots``: one draw per source per
  slot, the slot to the best draw). It is
  ``P(s best) = integral over u in (0, 1) of prod_{t != s} F_t(Q_s(u)) du``
  with ``Q_s`` the quantile function of ``s`` and ``F_t`` the others' distribution
  functions; integrated in ``s``'s own quantiles, so a narrow posterior (an arm with
  millions of impressions) is resolved as well as a wide one, and the figure is exact to
  the grid, not a random draw.

A source never counted yet has the prior ``Beta(1, 1)``. A count snapshots only the arms it
changed, so the history carries each source's last snapshot forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from scipy import special

from backend.recommendations.bandit import PRIOR
from backend.recommendations.models import SourceArm, SourceArmSnapshot
from backend.recommendations.sources import SOURCES

__all__ = [
    "HISTORY_MAX",
    "ArmState",
    "SharesAt",
    "SourceShare",
    "current_shares",
    "segments",
    "share_history",
    "shares_of",
]

LEVEL = 0.95
# Midpoints of this many equal steps in a source's quantiles: P(best) to within about 1e-3
# (the grid's error falls as 1/GRID, from the quantile function's steep ends); a figure
# costs about 6 ms for five sources.
GRID = 128
# The most counts the history returns (the latest ones).
HISTORY_MAX = 500


@dataclass(frozen=True)
class ArmState:
    """An arm as stored: its posterior and, for a live arm, what it has counted."""

    source: str
    alpha: float
    beta: float
    shown: int = 0
    engaged: int = 0


@dataclass(frozen=True)
class SourceShare:
    """One source's posterior: mean engagement rate with its 95% interval, and the share of
    slots the bandit gives it."""

    source: str
    alpha: float
    beta: float
    mean: float
    low: float
    high: float
    slot_share: float
    shown: int
    engaged: int


@dataclass(frozen=True)
class SharesAt:
    """Every source's posterior after one count of outcomes."""

    taken_at: datetime
    shares: tuple[SourceShare, ...]


def _best_chances(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """``P(source s has the largest draw)`` for every source (they sum to 1)."""
    u = (np.arange(GRID) + 0.5) / GRID
    x = special.betaincinv(alpha[:, None], beta[:, None], u[None, :])  # [s, grid]
    below = special.betainc(alpha[None, :, None], beta[None, :, None], x[:, None, :])
    n = len(alpha)
    below[np.arange(n), np.arange(n), :] = 1.0  # a source does not compete with itself
    chances = below.prod(axis=1).mean(axis=1)
    return chances / chances.sum()


@lru_cache(maxsize=4096)
def _posterior_figures(
    pairs: tuple[tuple[float, float], ...],
) -> tuple[tuple[float, float, float, float], ...]:
    """``(mean, low, high, slot share)`` per ``(alpha, beta)``: a count's figures never
    change, so the history is worked out once per process."""
    alpha = np.array([a for a, _ in pairs], dtype=np.float64)
    beta = np.array([b for _, b in pairs], dtype=np.float64)
    tail = (1 - LEVEL) / 2
    low = special.betaincinv(alpha, beta, tail)
    high = special.betaincinv(alpha, beta, 1 - tail)
    best = _best_chances(alpha, beta)
    return tuple(
        (a / (a + b), float(lo), float(hi), float(share))
        for a, b, lo, hi, share in zip(alpha, beta, low, high, best, strict=True)
    )


def shares_of(arms: list[ArmState]) -> tuple[SourceShare, ...]:
    """The sources' shares from their arms (in the arms' order)."""
    figures = _posterior_figures(tuple((float(a.alpha), float(a.beta)) for a in arms))
    return tuple(
        SourceShare(
            source=arm.source,
            alpha=arm.alpha,
            beta=arm.beta,
            mean=mean,
            low=low,
            high=high,
            slot_share=share,
            shown=arm.shown,
            engaged=arm.engaged,
        )
        for arm, (mean, low, high, share) in zip(arms, figures, strict=True)
    )


def segments() -> list[str]:
    """The reader segments with stored arms ("" is every reader), "" always first."""
    stored = SourceArm.objects.order_by().values_list("segment", flat=True).distinct()
    return sorted({"", *stored})


def current_shares(segment: str = "") -> tuple[tuple[SourceShare, ...], datetime | None]:
    """Every source's share now for ``segment`` (one query), and when an arm last changed."""
    stored = {a.source: a for a in SourceArm.objects.filter(segment=segment)}
    arms = [
        ArmState(s, a.alpha, a.beta, a.shown, a.engaged)
        if (a := stored.get(s))
        else ArmState(s, PRIOR, PRIOR)
        for s in SOURCES
    ]
    updated = max((a.updated_at for a in stored.values()), default=None)
    return shares_of(arms), updated


def share_history(segment: str = "", limit: int = 100) -> list[SharesAt]:
    """The sources' shares after each of the last ``limit`` counts, oldest first: a source
    a count did not change keeps its previous snapshot."""
    if not 1 <= limit <= HISTORY_MAX:
        raise ValueError(f"limit must be 1 to {HISTORY_MAX}, got {limit}")
    snapshots = SourceArmSnapshot.objects.filter(segment=segment, source__in=SOURCES)
    times = list(
        snapshots.order_by("-taken_at").values_list("taken_at", flat=True).distinct()[:limit]
    )
    if not times:
        return []
    first = times[-1]
    latest: dict[str, tuple[float, float]] = {}
    # Each source's last snapshot up to the window's first count (one indexed look-up per
    # source), then every snapshot in the window.
    for source in SOURCES:
        before = (
            snapshots.filter(source=source, taken_at__lte=first)
            .order_by("-taken_at", "-id")
            .values_list("alpha", "beta")
            .first()
        )
        if before is not None:
            latest[source] = before
    history: list[SharesAt] = []
    rows = snapshots.filter(taken_at__gt=first).order_by("taken_at")
    by_time: dict[datetime, dict[str, tuple[float, float]]] = {}
    for source, alpha, beta, taken_at in rows.values_list("source", "alpha", "beta", "taken_at"):
        by_time.setdefault(taken_at, {})[source] = (alpha, beta)
    for taken_at in [first, *sorted(by_time)]:
        latest.update(by_time.get(taken_at, {}))
        arms = [ArmState(s, *latest.get(s, (PRIOR, PRIOR))) for s in SOURCES]
        history.append(SharesAt(taken_at, shares_of(arms)))
    return history
