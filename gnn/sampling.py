"""Training triples and the pairwise BPR loss (the content tower's BPR fit)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch.nn.functional as F
from torch import Tensor

__all__ = ["NegativeSampler", "bpr_loss"]


class NegativeSampler:
    """Uniform negatives that are never positives, mixed with the user's explicit negatives.

    A negative is drawn uniformly from all items and redrawn (up to ``max_tries`` rounds)
    while it is one of the user's positives; the triples still colliding after that get a
    mask of 0 so that no positive ever enters the loss as a negative. With probability
    ``hard_ratio`` a user who disliked or hid items gets one of those instead: a known
    dislike is a more informative negative than a random item.
    """

    def __init__(
        self,
        positive: sp.csr_matrix,
        negative: sp.csr_matrix | None = None,
        *,
        hard_ratio: float = 0.25,
        max_tries: int = 5,
        candidates: np.ndarray | None = None,
    ) -> None:
        positive = positive.tocsr()
        positive.sort_indices()
        self.num_items = positive.shape[1]
        self._keys = self._pair_keys(positive)
        self.negative = negative.tocsr() if negative is not None and negative.nnz else None
        self.hard_ratio = hard_ratio
        self.max_tries = max_tries
        self.candidates = candidates

    def _pair_keys(self, mat: sp.csr_matrix) -> np.ndarray:
        rows = np.repeat(np.arange(mat.shape[0], dtype=np.int64), np.diff(mat.indptr))
        return np.sort(rows * self.num_items + mat.indices.astype(np.int64))

    def is_positive(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        keys = users.astype(np.int64) * self.num_items + items.astype(np.int64)
        pos = np.searchsorted(self._keys, keys)
        pos = np.minimum(pos, len(self._keys) - 1)
        return self._keys[pos] == keys if len(self._keys) else np.zeros(len(keys), bool)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.candidates is not None:
            return self.candidates[rng.integers(0, len(self.candidates), n)]
        return rng.integers(0, self.num_items, n)

    def sample(self, users: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One negative per user and a float mask (0 where no valid negative was found)."""
        neg = self._draw(rng, len(users))
        if self.negative is not None and self.hard_ratio > 0:
            counts = np.diff(self.negative.indptr)[users]
            hard = (counts > 0) & (rng.random(len(users)) < self.hard_ratio)
            idx = np.flatnonzero(hard)
            if len(idx):
                start = self.negative.indptr[users[idx]]
                offs = (rng.random(len(idx)) * counts[idx]).astype(np.int64)
                neg[idx] = self.negative.indices[start + offs]
        bad = self.is_positive(users, neg)
        for _ in range(self.max_tries):
            if not bad.any():
                break
            idx = np.flatnonzero(bad)
            neg[idx] = self._draw(rng, len(idx))
            bad[idx] = self.is_positive(users[idx], neg[idx])
        return neg, (~bad).astype(np.float32)


def bpr_loss(pos: Tensor, neg: Tensor, weight: Tensor | None = None) -> Tensor:
    """Bayesian personalised ranking, ``-log sigmoid(s_pos - s_neg)`` (Rendle et al., UAI 2009)."""
    loss = -F.logsigmoid(pos - neg)
    return _weighted_mean(loss, weight)


def _weighted_mean(loss: Tensor, weight: Tensor | None) -> Tensor:
    if weight is None:
        return loss.mean()
    return (loss * weight).sum() / weight.sum().clamp_min(1e-12)
