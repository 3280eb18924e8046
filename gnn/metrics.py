"""Full-ranking evaluation: Recall@K, NDCG@K and beyond-accuracy measures.

Protocol of NGCF / LightGCN: every item is ranked for every test user, the user's training
items are excluded, and metrics are averaged over users with at least one test item.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["evaluate_ranking", "ranking_metrics", "topk_items", "write_metrics"]

Scorer = Callable[[np.ndarray], np.ndarray | torch.Tensor] | tuple[np.ndarray, np.ndarray]


def _as_scorer(scorer: Scorer) -> Callable[[np.ndarray], torch.Tensor]:
    if callable(scorer):
        return lambda users: torch.as_tensor(scorer(users), dtype=torch.float32)
    user_vec, item_vec = (torch.as_tensor(a, dtype=torch.float32) for a in scorer)
    return lambda users: user_vec[torch.as_tensor(users, dtype=torch.long)] @ item_vec.T


def topk_items(
    scorer: Scorer,
    users: np.ndarray,
    k: int,
    *,
    exclude: sp.csr_matrix | None = None,
    candidate_items: np.ndarray | None = None,
    batch_size: int = 1024,
) -> np.ndarray:
    """The ``k`` best item rows per user, best first; ``exclude[u]`` items are never returned.

    ``scorer`` is a pair ``(user_vectors, item_vectors)`` or a function mapping user rows to a
    (users x items) score matrix. ``candidate_items`` restricts the ranking to those items
    (the cold-item protocol). Rows are padded with ``-1`` when fewer than ``k`` items remain.
    """
    score = _as_scorer(scorer)
    users = np.asarray(users, dtype=np.int64)
    out = np.full((len(users), k), -1, dtype=np.int64)
    cand = None if candidate_items is None else torch.as_tensor(candidate_items, dtype=torch.long)
    excl = exclude.tocsr() if exclude is not None else None
    for start in range(0, len(users), batch_size):
        batch = users[start : start + batch_size]
        scores = score(batch).clone()
        if excl is not None:
            sub = excl[batch]
            rows = np.repeat(np.arange(len(batch)), np.diff(sub.indptr))
            scores[
                torch.from_numpy(rows), torch.from_numpy(sub.indices.astype(np.int64))
            ] = -torch.inf
        if cand is not None:
            scores = scores[:, cand]
        kk = min(k, scores.shape[1])
        val, idx = torch.topk(scores, kk, dim=1)
        if cand is not None:
            idx = cand[idx]
        idx[torch.isinf(val) & (val < 0)] = -1
        out[start : start + len(batch), :kk] = idx.numpy()
    return out


def ranking_metrics(
    top: np.ndarray,
    truth: list[np.ndarray],
    *,
    num_candidates: int,
    item_popularity: np.ndarray | None = None,
    num_users: int | None = None,
    item_features: np.ndarray | None = None,
) -> dict[str, float]:
    """Metrics of ranked lists ``top`` (users x K, ``-1`` = empty) against held-out items.

    recall@K = hits / |test|; ndcg@K = DCG / ideal DCG with gains 1/log2(rank + 1);
    coverage@K = distinct recommended items / ``num_candidates``; diversity@K = mean pairwise
    ``1 - cos`` of ``item_features`` within a list (intra-list diversity); novelty@K = mean
    ``-log2(popularity / num_users)`` of recommended items (Zhou et al., PNAS 2010).
    """
    n, k = top.shape
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    recall = ndcg = precision = hit = 0.0
    for row, items in zip(top, truth, strict=True):
        hits = np.isin(row, items) & (row >= 0)
        n_hit = hits.sum()
        recall += n_hit / len(items)
        precision += n_hit / k
        hit += float(n_hit > 0)
        ndcg += (hits * discounts).sum() / discounts[: min(len(items), k)].sum()
    valid = top[top >= 0]
    out = {
        f"recall@{k}": recall / max(n, 1),
        f"ndcg@{k}": ndcg / max(n, 1),
        f"precision@{k}": precision / max(n, 1),
        f"hit_rate@{k}": hit / max(n, 1),
        f"coverage@{k}": len(np.unique(valid)) / max(num_candidates, 1),
        "users": float(n),
    }
    if item_popularity is not None and len(valid):
        total = float(num_users or item_popularity.max() or 1)
        prob = (item_popularity[valid] + 1.0) / (total + 1.0)
        out[f"novelty@{k}"] = float(np.mean(-np.log2(prob)))
    if item_features is not None and n:
        feats = np.asarray(item_features, dtype=np.float32)
        feats = feats / np.maximum(np.linalg.norm(feats, axis=1, keepdims=True), 1e-12)
        div = []
        for row in top:
            row = row[row >= 0]
            if len(row) < 2:
                continue
            sim = feats[row] @ feats[row].T
            m = len(row)
            div.append(1.0 - (sim.sum() - np.trace(sim)) / (m * (m - 1)))
        if div:
            out[f"diversity@{k}"] = float(np.mean(div))
    return {key: float(val) for key, val in out.items()}


def evaluate_ranking(
    scorer: Scorer,
    test: dict[int, np.ndarray] | sp.csr_matrix,
    *,
    exclude: sp.csr_matrix | None = None,
    k: int = 20,
    candidate_items: np.ndarray | None = None,
    item_popularity: np.ndarray | None = None,
    item_features: np.ndarray | None = None,
    batch_size: int = 1024,
) -> dict[str, float]:
    """Full-ranking metrics of ``scorer`` on ``test`` (user row -> held-out item rows).

    ``exclude`` (users x items) holds the training items that may not be recommended. With
    ``candidate_items`` only those items are ranked and only test items among them count
    (users left without any are skipped). ``item_features`` defaults to the item vectors
    when ``scorer`` is a pair of embedding matrices.
    """
    if sp.issparse(test):
        test = test.tocsr()
        test = {
            int(u): test.indices[test.indptr[u] : test.indptr[u + 1]]
            for u in np.flatnonzero(np.diff(test.indptr))
        }
    if candidate_items is not None:
        test = {u: its[np.isin(its, candidate_items)] for u, its in test.items()}
    users = np.array(sorted(u for u, its in test.items() if len(its)), dtype=np.int64)
    top = topk_items(
        scorer, users, k, exclude=exclude, candidate_items=candidate_items, batch_size=batch_size
    )
    if item_features is None and not callable(scorer):
        item_features = np.asarray(scorer[1])
    num_candidates = len(candidate_items) if candidate_items is not None else None
    if num_candidates is None and exclude is not None:
        num_candidates = exclude.shape[1]
    elif num_candidates is None:
        num_candidates = np.asarray(scorer[1]).shape[0] if not callable(scorer) else top.max() + 1
    num_users = exclude.shape[0] if exclude is not None else None
    return ranking_metrics(
        top,
        [np.asarray(test[u]) for u in users],
        num_candidates=num_candidates,
        item_popularity=item_popularity,
        num_users=num_users,
        item_features=item_features,
    )


def write_metrics(metrics: dict, path: str | Path) -> None:
    """Write ``metrics`` as indented JSON."""
    Path(path).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
