"""PyG's ``LightGCN`` (3 layers, 64 d, BPR) trained under a time budget, for comparison."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.nn.models import LightGCN
from tqdm.auto import tqdm

from .data import TrainingData
from .metrics import evaluate_ranking
from .sampling import NegativeSampler

__all__ = ["train_pyg_lightgcn"]


def train_pyg_lightgcn(
    data: TrainingData,
    test: dict[int, np.ndarray],
    exclude: sp.csr_matrix,
    *,
    budget_s: float,
    emb_dim: int = 64,
    layers: int = 3,
    batch_size: int = 16384,
    lr: float = 5e-3,
    reg: float = 1e-4,
    seed: int = 0,
    progress: bool = True,
    checkpoints_s: list[float] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train the reference model as the PyG example does and return its test metrics.

    Settings follow the stronger of the two measured PyG runs (batch 16384, lr 5e-3); the
    evaluation at checkpoints is not charged to the budget.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    n_u, n_i = data.num_users, data.num_items
    pos = exclude.tocoo()
    users, items = pos.row.astype(np.int64), pos.col.astype(np.int64)
    src = torch.from_numpy(np.concatenate([users, items + n_u]))
    dst = torch.from_numpy(np.concatenate([items + n_u, users]))
    edge_index = torch.stack([src, dst])
    model = LightGCN(n_u + n_i, emb_dim, layers)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    sampler = NegativeSampler(exclude, hard_ratio=0.0)
    marks = list(checkpoints_s or [])
    curve: list[dict] = []
    paused = 0.0
    start = time.perf_counter()

    def elapsed() -> float:
        return time.perf_counter() - start - paused

    def metrics() -> dict:
        with torch.no_grad():
            emb = model.get_embedding(edge_index)
        pair = (emb[:n_u].numpy(), emb[n_u:].numpy())
        return evaluate_ranking(pair, test, exclude=exclude, k=20)

    epoch = 0
    bar = tqdm(disable=not progress, desc="pyg", unit="epoch")
    done = False
    while not done:
        epoch += 1
        order = rng.permutation(len(users))
        for s in range(0, len(order), batch_size):
            if elapsed() >= budget_s:
                done = True
                break
            idx = order[s : s + batch_size]
            neg, _ = sampler.sample(users[idx], rng)
            u = torch.from_numpy(users[idx])
            pos_e = torch.stack([u, torch.from_numpy(items[idx] + n_u)])
            neg_e = torch.stack([u, torch.from_numpy(neg + n_u)])
            rank = model(edge_index, torch.cat([pos_e, neg_e], dim=1))
            p, n = rank.chunk(2)
            loss = model.recommendation_loss(
                p, n, node_id=torch.cat([u, pos_e[1], neg_e[1]]), lambda_reg=reg
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        bar.update(1)
        while marks and elapsed() >= marks[0]:
            mark = marks.pop(0)
            t0 = time.perf_counter()
            m = metrics()
            curve.append(
                {
                    "minutes": mark / 60,
                    "epoch": epoch,
                    "recall@20": m["recall@20"],
                    "ndcg@20": m["ndcg@20"],
                }
            )
            log(f"[pyg {mark / 60:.0f} min] epoch {epoch} recall@20 {m['recall@20']:.4f}")
            paused += time.perf_counter() - t0
    bar.close()
    final = metrics()
    log(f"pyg: recall@20 {final['recall@20']:.4f} ndcg@20 {final['ndcg@20']:.4f}, {epoch} epochs")
    return {
        **final,
        "epochs": epoch,
        "seconds": elapsed(),
        "curve": curve,
        "config": {
            "emb_dim": emb_dim,
            "layers": layers,
            "batch_size": batch_size,
            "lr": lr,
            "reg": reg,
        },
    }
