"""Items nobody has consumed yet, as the recipe sees them while choosing: pseudo-cold items.

A share of the items with interactions and content is hidden, not only from the content
tower: their interactions also leave the users' histories (the query rows the user vectors
and the tag profiles are made of), so the users who rank them look as they would when such
an item is new. The content side (the tower's fit, the weight of the tag-profile term) is
chosen by how well it then ranks the hidden items for the users who consumed them. Hiding
them from the tower alone flatters the tower, whose user vectors would hold those very items,
and undersells the tag-profile term, which does not depend on the user vectors.

The tag-profile term's weight is relative: :func:`tag_unit` puts the cosine on the spread of
the tower's scores over items with interactions, the same way in the search and in the
served model, so a weight chosen here means the same there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
import torch

from .content import tag_cosine, unit_tag_rows
from .data import TrainingData
from .metrics import ranking_metrics

__all__ = ["PseudoCold", "hide_items", "pseudo_cold", "recall_among", "tag_unit"]


@dataclass
class PseudoCold:
    """Hidden item rows, who consumed them, and the training data without them."""

    hidden: np.ndarray
    target: dict[int, np.ndarray]
    data: TrainingData

    @property
    def users(self) -> np.ndarray:
        return np.array(sorted(self.target), dtype=np.int64)


def hide_items(data: TrainingData, items: np.ndarray) -> TrainingData:
    """``data`` without any interaction of ``items``; the items keep their content."""
    keep = ~np.isin(data.item, items)
    return replace(
        data,
        user=data.user[keep],
        item=data.item[keep],
        weight=data.weight[keep],
        time=data.time[keep],
    )


def pseudo_cold(
    data: TrainingData, features: sp.csr_matrix, share: float = 0.1, seed: int = 0
) -> PseudoCold | None:
    """Hide a ``share`` of the items that have both positive interactions and content;
    ``None`` when fewer than 20 such items exist (nothing to choose on)."""
    positive = data.weight > 0
    consumed = np.bincount(data.item[positive], minlength=data.num_items) > 0
    candidates = np.flatnonzero(consumed & (features.getnnz(axis=1) > 0))
    if len(candidates) < 20:
        return None
    rng = np.random.default_rng(seed)
    hidden = np.sort(rng.choice(candidates, max(2, int(share * len(candidates))), replace=False))
    on_hidden = positive & np.isin(data.item, hidden)
    pairs = np.unique(np.stack([data.user[on_hidden], data.item[on_hidden]]), axis=1)
    starts = np.flatnonzero(np.r_[True, pairs[0, 1:] != pairs[0, :-1]])
    target = {
        int(pairs[0, s]): pairs[1, s:e]
        for s, e in zip(starts, np.r_[starts[1:], pairs.shape[1]], strict=True)
    }
    return PseudoCold(hidden, target, hide_items(data, hidden))


def recall_among(scores: np.ndarray, cold: PseudoCold, k: int) -> float:
    """Recall@``k`` (:func:`gnn.metrics.ranking_metrics`) of ``scores`` (target users x hidden
    items, in ``cold.users`` and ``cold.hidden`` order), ranking only the hidden items."""
    top = torch.topk(torch.from_numpy(scores), min(k, scores.shape[1]), dim=1).indices.numpy()
    truth = [cold.target[int(u)] for u in cold.users]
    metrics = ranking_metrics(cold.hidden[top], truth, num_candidates=len(cold.hidden))
    return metrics[f"recall@{top.shape[1]}"]


def tag_unit(
    vectors: np.ndarray,
    content: np.ndarray,
    history: sp.csr_matrix,
    item_tags: sp.csr_matrix,
    warm: np.ndarray,
    seed: int = 0,
    users: int = 256,
    items: int = 2048,
) -> float:
    """The spread of tower scores ``vectors . content`` over the spread of tag-profile cosines,
    on a sample of users and of tagged items with interactions (``warm``); 0 without them."""
    tagged = warm[item_tags[warm].getnnz(axis=1) > 0]
    rows = np.flatnonzero(history.getnnz(axis=1) > 0)
    if not len(tagged) or not len(rows):
        return 0.0
    rng = np.random.default_rng(seed)
    rows = rng.choice(rows, min(users, len(rows)), replace=False)
    tagged = rng.choice(tagged, min(items, len(tagged)), replace=False)
    tower = vectors[rows] @ content[tagged].T
    cosine = tag_cosine(history[rows], item_tags, unit_tag_rows(item_tags[tagged]))
    spread = float(cosine.std())
    return float(tower.std()) / spread if spread > 1e-12 else 0.0
