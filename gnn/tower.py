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
from torch.nn.parallel import DistributedDataParallel

from .graph import to_torch_csr
from .model import sparse_mm
from .parallel import SINGLE, Ranks
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
    ranks: Ranks = SINGLE,
) -> np.ndarray:
    """``W`` (features x dim) fitted on ``train_items`` only; the other items stay unseen.

    Over several ``ranks`` the BPR fit shares each batch out (the ridge fit, one solve, is
    made by every rank); ``out_of_time`` must then give every rank the same answer.
    """
    if setting.loss == "ridge":
        return _ridge(features[train_items], items[train_items], setting.reg)
    if setting.loss == "bpr":
        return _bpr(features, users, positive, setting, train_items, seed, out_of_time, ranks)
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
    ranks: Ranks = SINGLE,
) -> np.ndarray:
    """Rank a user's items above random ones by ``e_u . x_i W``, user vectors frozen.

    Every rank draws the same order of pairs (one seed) and takes its slice of each batch,
    with negatives from its own stream; DDP averages the gradients, so a step is the
    single-process step on the whole batch. One process draws order and negatives from one
    stream, as before ranks existed. The tower is a module that DDP wraps, not a tensor
    whose gradient is all-reduced by hand: ``W`` is one dense parameter (no sparse embedding
    rows that DDP handles poorly), the custom product :func:`gnn.model.sparse_mm` hands it
    an ordinary gradient, and DDP's hook averages it during the backward pass.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    draws = np.random.default_rng((seed, ranks.rank)) if ranks.distributed else rng
    allowed = np.zeros(positive.shape[1], bool)
    allowed[train_items] = True
    pairs = positive.tocoo()
    keep = allowed[pairs.col]
    pu, pi = pairs.row[keep].astype(np.int64), pairs.col[keep].astype(np.int64)
    sampler = NegativeSampler(positive, hard_ratio=0.0, candidates=np.asarray(train_items))
    device = ranks.device if ranks.distributed else torch.device("cpu")
    tower = _ContentTower(features, users.shape[1], device)
    model: torch.nn.Module = tower
    if ranks.distributed:  # the sparse features are plain attributes, never broadcast
        ids = [device] if device.type == "cuda" else None
        model = DistributedDataParallel(tower, device_ids=ids)
    e = torch.from_numpy(np.ascontiguousarray(users, dtype=np.float32)).to(device)
    optimiser = torch.optim.Adam(tower.parameters(), lr=setting.lr)
    on = lambda a: torch.from_numpy(a).to(device)  # noqa: E731
    batch = 8192
    for _ in range(setting.epochs):
        if out_of_time():
            break
        order = rng.permutation(len(pu))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch][ranks.rank :: ranks.world_size]
            j, mask = sampler.sample(pu[idx], draws)
            pos, neg = model(e[on(pu[idx])], on(pi[idx]), on(j))
            loss = bpr_loss(pos, neg, on(mask.astype(np.float32)))
            loss = loss + setting.reg * tower.weight.pow(2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return tower.weight.detach().cpu().numpy().astype(np.float32)


class _ContentTower(torch.nn.Module):
    """``c = X W`` and the BPR pair scores ``e_u . c_i``, ``e_u . c_j``: the trainable part,
    one module so that DDP can wrap it."""

    def __init__(self, features: sp.csr_matrix, dim: int, device: torch.device) -> None:
        super().__init__()
        self.x = to_torch_csr(features, device)
        self.x_t = to_torch_csr(features.T.tocsr(), device)
        self.weight = torch.nn.Parameter(torch.zeros(features.shape[1], dim, device=device))

    def forward(self, e_u: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor):
        c = sparse_mm(self.x, self.x_t, self.weight)
        return (e_u * c[pos]).sum(1), (e_u * c[neg]).sum(1)


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
