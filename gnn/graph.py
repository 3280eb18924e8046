"""The user-item-tag-category graph, symmetrically normalised, as sparse CSR matrices.

Every edge joins an item to a *context* node: a user (interactions), a tag (item-tag) or a
category (item-category). The graph is therefore bipartite between items and context nodes and
its adjacency is ``A = [[0, R], [R^T, 0]]`` with ``R`` of shape (context, items). The
symmetric normalisation ``D^{-1/2} A D^{-1/2}`` of LightGCN is then
``R~ = D_c^{-1/2} R D_i^{-1/2}``, and one propagation layer is two sparse products,
``h_c <- R~ h_i`` and ``h_i <- R~^T h_c``. CSR products are several times faster on CPU
than edge-list message passing, which is why the graph is not kept as an ``edge_index``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

from .data import TrainingData, aggregate_interactions
from .history import strength as act_strength

__all__ = ["InteractionGraph", "build_graph", "interaction_matrices", "to_torch_csr"]


def to_torch_csr(mat: sp.csr_matrix, device: torch.device | str = "cpu") -> torch.Tensor:
    """A scipy CSR matrix as a float32 torch sparse CSR tensor."""
    mat = mat.tocsr()
    with warnings.catch_warnings():
        # torch flags its CSR layout as beta; the products used here are long stable.
        warnings.simplefilter("ignore", UserWarning)
        tensor = torch.sparse_csr_tensor(
            torch.from_numpy(mat.indptr.astype(np.int64)),
            torch.from_numpy(mat.indices.astype(np.int64)),
            torch.from_numpy(mat.data.astype(np.float32)),
            size=mat.shape,
            check_invariants=False,
        )
    return tensor.to(device)


def interaction_matrices(data: TrainingData) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(positive, negative)`` user x item CSR matrices after aggregating repeated pairs.

    ``positive`` holds the summed weight of pairs whose total is > 0; ``negative`` holds a 1
    for pairs whose total is < 0 (disliked or hidden items).
    """
    user, item, weight, _ = aggregate_interactions(data)
    shape = (data.num_users, data.num_items)
    pos = weight > 0
    positive = sp.csr_matrix((weight[pos], (user[pos], item[pos])), shape=shape, dtype=np.float32)
    neg = weight < 0
    negative = sp.csr_matrix(
        (np.ones(neg.sum(), np.float32), (user[neg], item[neg])), shape=shape, dtype=np.float32
    )
    return positive, negative


@dataclass
class InteractionGraph:
    """The normalised bipartite graph between context nodes and items.

    Context rows are laid out as users ``[0, U)``, tags ``[U, U+T)``, categories
    ``[U+T, U+T+C)``. ``norm`` is ``R~`` (context x items) and ``norm_t`` its transpose, both
    scipy CSR; ``context_degree`` and ``item_degree`` are the weighted degrees used.
    """

    num_users: int
    num_tags: int
    num_categories: int
    num_items: int
    raw: sp.csr_matrix
    norm: sp.csr_matrix
    norm_t: sp.csr_matrix
    context_degree: np.ndarray
    item_degree: np.ndarray

    @property
    def num_context(self) -> int:
        return self.num_users + self.num_tags + self.num_categories

    @property
    def tag_offset(self) -> int:
        return self.num_users

    @property
    def category_offset(self) -> int:
        return self.num_users + self.num_tags

    def torch_operators(self, device: torch.device | str = "cpu") -> tuple[torch.Tensor, ...]:
        """``(R~, R~^T)`` as torch CSR tensors on ``device``."""
        return to_torch_csr(self.norm, device), to_torch_csr(self.norm_t, device)


def build_graph(
    data: TrainingData,
    positive: sp.csr_matrix | None = None,
    *,
    tag_weight: float = 1.0,
    category_weight: float = 1.0,
    strength: str = "damped",
) -> InteractionGraph:
    """Build and normalise the user-item-tag-category graph of ``data``.

    Interaction edges carry the positive aggregated weight as it counts under ``strength``
    (:func:`gnn.history.strength`, the same weights as the users' query rows). Negative
    feedback is not an edge: a dislike must not make two items look alike. Item-tag and
    item-category edges have weights ``tag_weight`` and ``category_weight``.
    """
    if positive is None:
        positive, _ = interaction_matrices(data)
    inter = positive.tocoo()
    w = act_strength(inter.data, strength).astype(np.float64)
    rows, cols, vals = [inter.row], [inter.col], [w]
    num_tags = data.num_tags if data.item_tags is not None else 0
    if num_tags and tag_weight > 0:
        items, tags = data.item_tags
        rows.append(data.num_users + tags)
        cols.append(items)
        vals.append(np.full(len(items), tag_weight))
    num_cats = data.num_categories if data.item_category is not None else 0
    if num_cats and category_weight > 0:
        has = np.flatnonzero(data.item_category >= 0)
        rows.append(data.num_users + num_tags + data.item_category[has])
        cols.append(has)
        vals.append(np.full(len(has), category_weight))
    n_ctx = data.num_users + num_tags + num_cats
    raw = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_ctx, data.num_items),
    )
    raw.sum_duplicates()
    ctx_deg = np.asarray(raw.sum(axis=1)).ravel()
    item_deg = np.asarray(raw.sum(axis=0)).ravel()
    # Isolated nodes get degree 1 so that the normalisation stays finite; their rows are empty.
    dc = 1.0 / np.sqrt(np.where(ctx_deg > 0, ctx_deg, 1.0))
    di = 1.0 / np.sqrt(np.where(item_deg > 0, item_deg, 1.0))
    norm = (sp.diags(dc) @ raw @ sp.diags(di)).tocsr().astype(np.float32)
    norm.sort_indices()
    norm_t = norm.T.tocsr()
    norm_t.sort_indices()
    return InteractionGraph(
        num_users=data.num_users,
        num_tags=num_tags,
        num_categories=num_cats,
        num_items=data.num_items,
        raw=raw.astype(np.float32),
        norm=norm,
        norm_t=norm_t,
        context_degree=ctx_deg.astype(np.float32),
        item_degree=item_deg.astype(np.float32),
    )
