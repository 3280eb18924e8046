"""Candidate sources and the slots of a list each one fills.

Without a source plan a list is the blended ranking, re-ranked (``scored_list``). With one
(:class:`SourcePlan`: a configuration's source mix, the bandit, or both), five sources each
rank the user's eligible items:

* ``graph``: the model's collaborative score (its score at blend 0);
* ``content``: the content tower's score (blend 1);
* ``trending``: the platform's trending ranking (``backend.recommendations.trending``);
* ``new_items``: items published in the last ``NEW_ITEM_DAYS`` with fewer than
  ``NEW_ITEM_IMPRESSIONS`` impressions, by the user's blended score;
* ``new_creators``: items of creators who debuted in the last ``NEW_CREATOR_DAYS`` and whose
  items have fewer than ``NEW_CREATOR_IMPRESSIONS`` impressions in all, by blended score.

:func:`allocate_slots` decides how many of the ``first`` slots each source fills: a fixed
mix by its weights (largest remainders), or the bandit by Thompson sampling, one draw
``theta_s ~ Beta(alpha_s, beta_s)`` per source per slot and the slot to the best draw
(Chapelle and Li, "An Empirical Evaluation of Thompson Sampling", NIPS 2011), each source
capped by its candidates. Under the bandit, new items and new creators always get at least
one slot when they have candidates, so a new creator's first item is shown and measured.
Each source fills its slots with its best items not already taken, the blended ranking
fills what is left, and the list goes through the usual re-rank. An item is there to
*explore* when the bandit placed it and the blended ranking alone would not have shown it
(and always for the two exploration sources); its reasons say so.

All of it is array work over the catalogue: a few matrix products, masks and partial sorts.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Count

from backend.interactions.models import Impression
from backend.recommendations.cache import guarded_call
from backend.recommendations.registry import ServingModel
from backend.recommendations.trending import TRENDING_CACHE_TTL, trending
from backend.recommendations.universe import Taste, Universe

__all__ = [
    "BLENDED",
    "EXPLORATION_SOURCES",
    "SOURCES",
    "SourcePlan",
    "SourcedList",
    "allocate_slots",
    "fill_slots",
    "seed_exploration",
    "sourced_list",
]

# The candidate sources, in the order of every per-source array.
SOURCES = ("graph", "content", "trending", "new_items", "new_creators")

DAY_S = 86_400
NEW_ITEM_DAYS = 7
NEW_ITEM_IMPRESSIONS = 200
NEW_CREATOR_DAYS = 30
NEW_CREATOR_IMPRESSIONS = 500
# The impression counts of recent items are read at most this often (one shared cache key).
EXPOSURE_TTL = 60
_EXPOSURE_KEY = "lupi:source-exposure"

# The label of a slot filled by the blended ranking.
BLENDED = "blended"
# Sources whose items are there to be measured: they always explore.
EXPLORATION_SOURCES = ("new_creators", "new_items")
_INDEX = {source: i for i, source in enumerate(SOURCES)}
# The scarcer sources take their items first, so a shared item does not cost them a slot.
_FILL_ORDER = [_INDEX[s] for s in ("new_creators", "new_items", "trending", "content", "graph")]

# Thompson draws of every worker thread (numpy's generators lock themselves).
_rng = np.random.default_rng()


def seed_exploration(seed: int | None) -> None:
    """Make this process's Thompson draws reproducible (the traffic simulator's ``--seed``)."""
    global _rng
    _rng = np.random.default_rng(seed)


@dataclass(frozen=True)
class SourcePlan:
    """What a list's configuration asks of the sources: ``weights`` per source (``SOURCES``
    order; ``None``: all sources, for the bandit) and whether the bandit shares the slots
    (among the sources with a positive weight) or the weights do."""

    weights: tuple[float, ...] | None = None
    bandit: bool = False

    def __post_init__(self) -> None:
        if self.weights is not None and len(self.weights) != len(SOURCES):
            raise ValueError(f"one weight per source {SOURCES}, got {self.weights!r}")

    @property
    def active(self) -> bool:
        return self.bandit or (self.weights is not None and any(w > 0 for w in self.weights))


@dataclass(frozen=True)
class SourcedList:
    """The positions a sourced list serves (before the re-rank orders them), the source of
    each, and those there to explore."""

    positions: list[int]
    source: dict[int, str]
    explore: frozenset[int]
    slots: dict[str, int]


def allocate_slots(
    first: int,
    available: Sequence[int],
    *,
    weights: Sequence[float] | None = None,
    posterior: tuple[np.ndarray, np.ndarray] | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Slots per source (``SOURCES`` order), each at most its ``available`` candidates;
    slots left over are the blended ranking's.

    With ``posterior`` (``alpha``, ``beta`` per source), Thompson sampling among the sources
    with a positive weight (all when ``weights`` is ``None``), and the exploration floor;
    without it, the weights' shares by largest remainders.
    """
    available = np.asarray(available, dtype=np.int64)
    allowed = available > 0
    if weights is not None:
        allowed &= np.asarray(weights, dtype=np.float64) > 0
    if first <= 0 or not allowed.any():
        return np.zeros(len(SOURCES), dtype=np.int64)
    if posterior is None:
        if weights is None:
            raise ValueError("a fixed mix needs weights")
        return _mixed(first, np.where(allowed, weights, 0.0), available)
    return _thompson(first, posterior, allowed, available, rng or _rng)


def _mixed(first: int, weights: np.ndarray, available: np.ndarray) -> np.ndarray:
    quota = first * weights / weights.sum()
    slots = np.floor(quota).astype(np.int64)
    left = first - int(slots.sum())
    slots[np.argsort(-(quota - slots), kind="stable")[:left]] += 1
    return np.minimum(slots, available)


def _thompson(
    first: int,
    posterior: tuple[np.ndarray, np.ndarray],
    allowed: np.ndarray,
    available: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    alpha, beta = posterior
    draws = rng.beta(alpha, beta, size=(first, len(SOURCES)))
    draws[:, ~allowed] = -np.inf
    slots = np.zeros(len(SOURCES), dtype=np.int64)
    # Each slot goes to the source with the best draw that still has candidates (a loop over
    # the list's slots and five sources, not over items).
    for preference in np.argsort(-draws, axis=1):
        for source in preference:
            if allowed[source] and slots[source] < available[source]:
                slots[source] += 1
                break
    floored = np.isin(np.arange(len(SOURCES)), [_INDEX[s] for s in EXPLORATION_SOURCES])
    for source in np.flatnonzero(floored):
        if not allowed[source] or slots[source]:
            continue
        # The slot comes from the source holding most, never an exploration source's only one.
        donors = np.flatnonzero((slots > 1) | ((slots == 1) & ~floored))
        if len(donors):
            slots[donors[np.argmax(slots[donors])]] -= 1
            slots[source] += 1
    return slots


def fill_slots(
    slots: Sequence[int], rankings: Sequence[np.ndarray], blended: Sequence[int], first: int
) -> dict[int, str]:
    """Position -> source of the served items: each source's best items not taken yet,
    the scarcer sources first, then the blended ranking (``blended``, best first) up to
    ``first`` items."""
    taken: dict[int, str] = {}
    for source in _FILL_ORDER:
        need = int(slots[source])
        for position in rankings[source]:
            if need <= 0:
                break
            position = int(position)
            if position not in taken:
                taken[position] = SOURCES[source]
                need -= 1
    for position in blended:
        if len(taken) >= first:
            break
        if position not in taken:
            taken[position] = BLENDED
    return taken


@dataclass(frozen=True)
class _Facts:
    """What the sources need of a universe, computed once per universe: a sorted index of
    its ids, and each position's creator (as a dense index) and the creator's debut."""

    universe: Universe
    order: np.ndarray
    sorted_ids: np.ndarray
    creator_index: np.ndarray
    creator_debut: np.ndarray  # unix seconds, at every position

    def positions_of(self, item_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the ``item_ids`` the universe serves, and which of them it does."""
        item_ids = np.asarray(item_ids, dtype=np.int64)
        at = np.searchsorted(self.sorted_ids, item_ids)
        at = np.minimum(at, len(self.sorted_ids) - 1)
        found = self.sorted_ids[at] == item_ids if len(self.sorted_ids) else at < 0
        return self.order[at[found]], found


def _facts(state: ServingModel, universe: Universe) -> _Facts:
    kept = state.derived.get("source_facts")
    if isinstance(kept, _Facts) and kept.universe is universe:
        return kept
    ids = np.asarray(universe.ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    creators, index = np.unique(np.asarray(universe.creator, dtype=np.int64), return_inverse=True)
    published = np.where(np.isfinite(universe.published), universe.published, np.inf)
    debut = np.full(len(creators), np.inf)
    np.minimum.at(debut, index, published)
    facts = _Facts(universe, order, ids[order], index, debut[index])
    with state.new_item_lock:
        state.derived["source_facts"] = facts
    return facts


def recent_exposure(now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """(item ids, impressions) of the items published in the last ``NEW_CREATOR_DAYS``:
    one aggregation, shared by every worker through the cache for ``EXPOSURE_TTL``."""
    kept = guarded_call("get", lambda b: b.get(_EXPOSURE_KEY))
    if isinstance(kept, tuple):
        return kept
    since = now - timedelta(days=max(NEW_ITEM_DAYS, NEW_CREATOR_DAYS))
    rows = list(
        Impression.objects.filter(item__published_at__gte=since)
        .order_by()
        .values_list("item_id")
        .annotate(shown=Count("id"))
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    shown = np.array([r[1] for r in rows], dtype=np.int64)
    guarded_call("set", lambda b: b.set(_EXPOSURE_KEY, (ids, shown), timeout=EXPOSURE_TTL))
    return ids, shown


def _exploration_masks(
    facts: _Facts, universe: Universe, now: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Masks over every position: new items, and items of new creators."""
    ids, counts = recent_exposure(now)
    shown = np.zeros(len(universe.ids), dtype=np.float64)
    positions, found = facts.positions_of(ids)
    shown[positions] = counts[found]
    creator_shown = np.bincount(facts.creator_index, weights=shown)[facts.creator_index]
    now_s = now.timestamp()
    new_items = (universe.published >= now_s - NEW_ITEM_DAYS * DAY_S) & (
        shown < NEW_ITEM_IMPRESSIONS
    )
    new_creators = (facts.creator_debut >= now_s - NEW_CREATOR_DAYS * DAY_S) & (
        creator_shown < NEW_CREATOR_IMPRESSIONS
    )
    return new_items, new_creators


def _trending_scores(state: ServingModel, facts: _Facts, size: int) -> np.ndarray:
    """The trending score at every position (-inf: not trending), kept by this process for
    as long as the shared cache keeps the ranking itself (placing 2,000 ids costs more than
    the rest of the sources)."""
    kept = state.derived.get("trending_scores")
    now = time.monotonic()
    if kept is not None and kept[0] is facts.universe and now - kept[1] < TRENDING_CACHE_TTL:
        return kept[2]
    ranking = trending().items
    scores = np.full(size, -np.inf)
    if ranking:
        pairs = np.array(ranking, dtype=np.float64)
        positions, found = facts.positions_of(pairs[:, 0].astype(np.int64))
        scores[positions] = pairs[found, 1]
    with state.new_item_lock:
        state.derived["trending_scores"] = (facts.universe, now, scores)
    return scores


def _best(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best finite ``values``, best first."""
    finite = np.flatnonzero(np.isfinite(values))
    k = min(k, len(finite))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = finite[np.argpartition(-values[finite], k - 1)[:k]] if k < len(finite) else finite
    return part[np.argsort(-values[part], kind="stable")]


def _rankings(
    first: int,
    state: ServingModel,
    universe: Universe,
    taste: Taste,
    tag_part: np.ndarray | None,
    mask: np.ndarray,
    total: np.ndarray,
    now: datetime,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Each source's best ``first`` eligible positions, and its number of candidates."""
    facts = _facts(state, universe)
    new_items, new_creators = _exploration_masks(facts, universe, now)
    scores = [
        universe.blended(state, taste, 0.0, tag_part),
        universe.blended(state, taste, 1.0, tag_part),
        _trending_scores(state, facts, len(universe.ids)),
        np.where(new_items, total, -np.inf),
        np.where(new_creators, total, -np.inf),
    ]
    masked = [np.where(mask, s, -np.inf) for s in scores]
    available = np.array([np.count_nonzero(np.isfinite(m)) for m in masked], dtype=np.int64)
    return [_best(m, first) for m in masked], available


def sourced_list(
    first: int,
    plan: SourcePlan,
    state: ServingModel,
    universe: Universe,
    taste: Taste,
    tag_part: np.ndarray | None,
    mask: np.ndarray,
    total: np.ndarray,
    blended: Sequence[int],
    now: datetime,
    posterior: tuple[np.ndarray, np.ndarray] | None,
) -> SourcedList:
    """The ``first`` positions of a list made from sources (``blended``: the blended
    ranking's pool, best first), their sources and which of them explore; ``posterior``:
    the bandit's arms, when the plan has the bandit on."""
    rankings, available = _rankings(first, state, universe, taste, tag_part, mask, total, now)
    slots = allocate_slots(first, available, weights=plan.weights, posterior=posterior)
    taken = fill_slots(slots, rankings, blended, first)
    explore: frozenset[int] = frozenset()
    if plan.bandit:
        top = set(blended[:first])
        explore = frozenset(
            p
            for p, source in taken.items()
            if source in EXPLORATION_SOURCES or (source != BLENDED and p not in top)
        )
    return SourcedList(
        positions=list(taken),
        source=taken,
        explore=explore,
        slots={source: int(n) for source, n in zip(SOURCES, slots, strict=True)},
    )
