"""The content tower: ``c_i = x_i W`` places an item from its content alone, scored against
the same user vectors as the graph embeddings, ``e_u . c_i``.

Which fit suits a catalogue depends on its content: ranking with BPR on the frozen user
vectors learns what in an item's content predicts who consumes it; a ridge regression onto
the items' graph embeddings copies where the graph put similar content. The recipe chooses on
pseudo-cold items (:mod:`gnn.cold`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
from scipy.linalg import solve

from .graph import to_torch_csr
from .model import sparse_mm
from .sampling import NegativeSampler, bpr_loss

__all__ = ["TowerSetting", "calibrate", "fit_tower"]


@dataclass(frozen=True)
class TowerSetting:
    """``loss``: ``"bpr"`` (``epochs`` passes at ``lr``) or ``"ridge"`` (penalty ``reg``
    relative to the mean diagonal of ``X^T X``)."""

    loss: str
    epochs: int = 0
    lr: float = 0.01
    reg: float = 1e-5

    def to_json(self) -> dict:
        return {"loss": self.loss, "epochs": self.epochs, "lr": self.lr, "reg": self.reg}


def fit_tower(
    features: sp.csr_matrix,
    users: np.ndarray,
    items: np.ndarray,
    positive: sp.csr_matrix,
    setting: TowerSetting,
    *,
    train_items: np.ndarray,
    seed: int = 0,
    out_of_time: Callable[[], bool] = lambda: False,
) -> np.ndarray:
    """``W`` (features x dim) fitted on ``train_items`` only; the other items stay unseen."""
    if setting.loss == "ridge":
        return _ridge(features[train_items], items[train_items], setting.reg)
    if setting.loss == "bpr":
        return _bpr(features, users, positive, setting, train_items, seed, out_of_time)
    raise ValueError(f"unknown content loss {setting.loss!r}")


def _ridge(x: sp.csr_matrix, y: np.ndarray, reg: float) -> np.ndarray:
    """Ridge regression, solved on whichever side is smaller: ``(X^T X + l I)^-1 X^T Y`` or
    its dual ``X^T (X X^T + l I)^-1 Y`` (the same matrix)."""
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    if x.shape[0] < x.shape[1]:
        gram = (x @ x.T).toarray()
        gram += (reg * np.trace(gram) / max(len(gram), 1) + 1e-9) * np.eye(len(gram))
        return np.asarray(x.T @ solve(gram, y, assume_a="pos"), dtype=np.float32)
    gram = (x.T @ x).toarray()
    gram += (reg * np.trace(gram) / max(len(gram), 1) + 1e-9) * np.eye(len(gram))
    return solve(gram, np.asarray(x.T @ y), assume_a="pos").astype(np.float32)


def _bpr(
    features: sp.csr_matrix,
    users: np.ndarray,
    positive: sp.csr_matrix,
    setting: TowerSetting,
    train_items: np.ndarray,
    seed: int,
    out_of_time: Callable[[], bool],
) -> np.ndarray:
    """Rank a user's items above random ones by ``e_u . x_i W``, user vectors frozen."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    allowed = np.zeros(positive.shape[1], bool)
    allowed[train_items] = True
    pairs = positive.tocoo()
    keep = allowed[pairs.col]
    pu, pi = pairs.row[keep].astype(np.int64), pairs.col[keep].astype(np.int64)
    sampler = NegativeSampler(positive, hard_ratio=0.0, candidates=np.asarray(train_items))
    x, x_t = to_torch_csr(features), to_torch_csr(features.T.tocsr())
    e = torch.from_numpy(np.ascontiguousarray(users, dtype=np.float32))
    weight = torch.zeros(features.shape[1], users.shape[1], requires_grad=True)
    optimiser = torch.optim.Adam([weight], lr=setting.lr)
    batch = 8192
    for _ in range(setting.epochs):
        if out_of_time():
            break
        order = rng.permutation(len(pu))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            j, mask = sampler.sample(pu[idx], rng)
            c = sparse_mm(x, x_t, weight)
            e_u = e[torch.from_numpy(pu[idx])]
            pos = (e_u * c[torch.from_numpy(pi[idx])]).sum(1)
            neg = (e_u * c[torch.from_numpy(j)]).sum(1)
            loss = bpr_loss(pos, neg, torch.from_numpy(mask.astype(np.float32)))
            loss = loss + setting.reg * weight.pow(2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return weight.detach().numpy().astype(np.float32)


def calibrate(graph_scores: np.ndarray, content_scores: np.ndarray) -> float:
    """The factor that puts content scores on the scale of graph scores over warm items.

    Items without interactions are scored by content alone and must compete fairly with
    warm items: the least-squares slope of graph score on content score does that; when the
    slope is not positive (content carries no usable signal) the spreads are matched.
    """
    g = graph_scores - graph_scores.mean()
    c = content_scores - content_scores.mean()
    slope = float((g * c).sum() / max(float((c * c).sum()), 1e-12))
    if slope <= 0:
        slope = float(g.std() / max(float(c.std()), 1e-12))
    return slope
