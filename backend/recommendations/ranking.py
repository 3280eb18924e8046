"""Re-ranking of scored candidates: freshness boost, diversity (MMR, creator and category
decay) and the candidate pool it chooses from.

All quantities are in the units of the relevance scores the caller passes in (the service
divides raw model scores by their spread over the candidates, so one unit is "one standard
deviation better than the typical candidate"). Each term is therefore comparable and the
breakdown of a result adds up: ``score = relevance + freshness - diversity_penalty``.

Similarity alone cannot widen a list whose best candidates all come from one category: the
embeddings of a category's items sit close together, so a penalty on similarity trades one
near neighbour for another. Two things make the knob reach across categories: the pool
holds each category's best candidates, not only the overall best (:func:`candidate_pool`),
and every earlier pick from the same category costs a fixed amount, like the creator decay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CATEGORY_DECAY",
    "CREATOR_DECAY",
    "FATIGUE_WEIGHT",
    "FRESHNESS_WEIGHT",
    "SIMILARITY_WEIGHT",
    "Reranked",
    "candidate_pool",
    "fatigue_penalty",
    "freshness_boost",
    "intra_list_diversity",
    "mmr_rerank",
    "unit_rows",
]

# A brand-new item gains this much; after one half-life, half of it.
FRESHNESS_WEIGHT = 0.5
# At diversity 1, a candidate identical to one already chosen loses this much...
SIMILARITY_WEIGHT = 2.0
# ...each earlier pick from the same creator costs this much more...
CREATOR_DECAY = 0.75
# ...and each earlier pick from the same category this much.
CATEGORY_DECAY = 0.5
# An item shown twice without being engaged with loses this much, and as much again each
# time its unengaged impressions double.
FATIGUE_WEIGHT = 0.35


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def freshness_boost(
    age_days: np.ndarray, half_life_days: float, weight: float = FRESHNESS_WEIGHT
) -> np.ndarray:
    """``weight * 2^(-age / half_life)``: exponential decay of the boost with item age.

    A half-life of 0 (or less) is an instant decay: no boost at all.
    """
    age = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    if half_life_days <= 0:
        return np.zeros(age.shape, dtype=np.float32)
    return (weight * np.exp2(-age / half_life_days)).astype(np.float32)


def fatigue_penalty(unengaged: np.ndarray, weight: float = FATIGUE_WEIGHT) -> np.ndarray:
    """``weight * log2(n)`` for an item shown ``n`` times and never engaged with since: none
    for one impression (the user may not have scrolled to it), then a penalty that grows
    ever more slowly, a soft negative rather than a ban."""
    shown = np.maximum(np.asarray(unengaged, dtype=np.float64), 1.0)
    return (weight * np.log2(shown)).astype(np.float32)


@dataclass(frozen=True)
class Reranked:
    """Positions (into the candidate arrays) in served order and each pick's penalty."""

    order: list[int]
    penalties: list[float]


def candidate_pool(
    scores: np.ndarray,
    size: int,
    *,
    categories: np.ndarray | None = None,
    per_category: int = 0,
    window: int = 0,
) -> np.ndarray:
    """Positions of the ``size`` best finite ``scores``, best first, plus the best
    ``per_category`` of every category (``categories``, -1: none) among the ``window`` best.

    The pool is still ordered by score, so ranking it without diversity gives the plain top.
    """
    finite = np.flatnonzero(np.isfinite(scores))
    values = scores[finite]
    wide = min(len(finite), max(size, window if categories is not None else 0))
    if wide <= 0:
        return np.zeros(0, dtype=np.int64)
    if wide < len(finite):
        part = np.argpartition(-values, wide - 1)[:wide]
    else:
        part = np.arange(len(finite))
    ranked = finite[part[np.argsort(-values[part], kind="stable")]]
    keep = np.zeros(len(ranked), dtype=bool)
    keep[:size] = True
    if categories is not None and per_category > 0:
        cats = categories[ranked]
        # rank of each candidate within its category, in score order
        order = np.argsort(cats, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(cats[order])) + 1]
        within = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        rank_in_category = np.empty(len(order), dtype=np.int64)
        rank_in_category[order] = within
        keep |= (rank_in_category < per_category) & (cats >= 0)
    return ranked[keep]


def mmr_rerank(
    scores: np.ndarray,
    k: int,
    *,
    diversity: float,
    embeddings: np.ndarray | None = None,
    creators: np.ndarray | None = None,
    categories: np.ndarray | None = None,
) -> Reranked:
    """Greedy maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998).

    Each step picks the candidate maximising

    ``score - diversity * (SIMILARITY_WEIGHT * max_sim + CREATOR_DECAY * same_creator
    + CATEGORY_DECAY * same_category)``

    where ``max_sim`` is its largest cosine similarity (clipped at 0) to the items already
    chosen (``embeddings`` are unit rows), ``same_creator`` the number of chosen items by its
    creator and ``same_category`` the number in its category (-1: none, never counted).
    With ``diversity = 0`` this is the plain ranking by ``scores``.
    """
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return Reranked([], [])
    scores = np.asarray(scores, dtype=np.float64)
    if diversity <= 0:
        order = np.argsort(-scores, kind="stable")[:k]
        return Reranked([int(i) for i in order], [0.0] * k)
    max_sim = np.zeros(n)
    same_creator = np.zeros(n)
    same_category = np.zeros(n)
    chosen = np.zeros(n, dtype=bool)
    order: list[int] = []
    penalties: list[float] = []
    for _ in range(k):
        penalty = diversity * (
            SIMILARITY_WEIGHT * max_sim
            + CREATOR_DECAY * same_creator
            + CATEGORY_DECAY * same_category
        )
        value = np.where(chosen, -np.inf, scores - penalty)
        pick = int(np.argmax(value))
        chosen[pick] = True
        order.append(pick)
        penalties.append(float(penalty[pick]))
        if embeddings is not None:
            sims = embeddings @ embeddings[pick]
            max_sim = np.maximum(max_sim, np.clip(sims, 0.0, 1.0))
        if creators is not None:
            same_creator += creators == creators[pick]
        if categories is not None and categories[pick] >= 0:
            same_category += categories == categories[pick]
    return Reranked(order, penalties)


def intra_list_diversity(embeddings: np.ndarray) -> float:
    """Mean pairwise cosine distance ``1 - cos`` of a list, each pair clipped to [0, 1].

    0 means every item is alike, 1 that no two items have anything in common. Lists of
    fewer than two items score 0.
    """
    n = len(embeddings)
    if n < 2:
        return 0.0
    unit = unit_rows(np.asarray(embeddings, dtype=np.float32))
    sims = np.clip(unit @ unit.T, 0.0, 1.0)
    upper = sims[np.triu_indices(n, k=1)]
    return float(np.mean(1.0 - upper))
