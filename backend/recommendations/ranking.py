"""Re-ranking of scored candidates: freshness boost, diversity (MMR and creator decay).

All quantities are in the units of the relevance scores the caller passes in (the service
divides raw model scores by their spread over the candidates, so one unit is "one standard
deviation better than the typical candidate"). Each term is therefore comparable and the
breakdown of a result adds up: ``score = relevance + freshness - diversity_penalty``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CREATOR_DECAY",
    "FRESHNESS_WEIGHT",
    "SIMILARITY_WEIGHT",
    "Reranked",
    "freshness_boost",
    "intra_list_diversity",
    "mmr_rerank",
    "unit_rows",
]

# A brand-new item gains this much; after one half-life, half of it.
FRESHNESS_WEIGHT = 0.5
# At diversity 1, a candidate identical to one already chosen loses this much...
SIMILARITY_WEIGHT = 2.0
# ...and each earlier pick from the same creator costs this much more.
CREATOR_DECAY = 0.75


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def freshness_boost(
    age_days: np.ndarray, half_life_days: float, weight: float = FRESHNESS_WEIGHT
) -> np.ndarray:
    """``weight * 2^(-age / half_life)``: exponential decay of the boost with item age."""
    age = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    return (weight * np.exp2(-age / half_life_days)).astype(np.float32)


@dataclass(frozen=True)
class Reranked:
    """Positions (into the candidate arrays) in served order and each pick's penalty."""

    order: list[int]
    penalties: list[float]


def mmr_rerank(
    scores: np.ndarray,
    k: int,
    *,
    diversity: float,
    embeddings: np.ndarray | None = None,
    creators: np.ndarray | None = None,
) -> Reranked:
    """Greedy maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998).

    Each step picks the candidate maximising

    ``score - diversity * (SIMILARITY_WEIGHT * max_sim + CREATOR_DECAY * same_creator)``

    where ``max_sim`` is its largest cosine similarity (clipped at 0) to the items already
    chosen (``embeddings`` are unit rows) and ``same_creator`` the number of chosen items by
    its creator. With ``diversity = 0`` this is the plain ranking by ``scores``.
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
    chosen = np.zeros(n, dtype=bool)
    order: list[int] = []
    penalties: list[float] = []
    for _ in range(k):
        penalty = diversity * (SIMILARITY_WEIGHT * max_sim + CREATOR_DECAY * same_creator)
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
