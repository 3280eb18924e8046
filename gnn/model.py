"""The hybrid LightGCN: graph propagation over the user-item-tag graph plus a content tower."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.linalg import svds
from torch import Tensor, nn

from .graph import InteractionGraph

__all__ = [
    "HybridLightGCN",
    "degree_scale",
    "linear_filter_scores",
    "sparse_mm",
    "spectral_embeddings",
]


class _SparseMatmul(torch.autograd.Function):
    """``y = A x`` with the gradient ``A^T dy`` taken from a stored transpose.

    Autograd through torch's CSR product is slow or unsupported on some builds; keeping
    ``A^T`` as its own CSR makes the backward pass exactly as fast as the forward one.
    """

    @staticmethod
    def forward(ctx, a: Tensor, a_t: Tensor, x: Tensor) -> Tensor:  # type: ignore[override]
        ctx.a_t = a_t
        return torch.sparse.mm(a, x)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[None, None, Tensor]:  # type: ignore[override]
        return None, None, torch.sparse.mm(ctx.a_t, grad)


def sparse_mm(a: Tensor, a_t: Tensor, x: Tensor) -> Tensor:
    """``a @ x`` for a CSR ``a`` (with transpose ``a_t``), differentiable in ``x``."""
    return _SparseMatmul.apply(a, a_t, x)


def spectral_embeddings(
    graph: InteractionGraph, dim: int, layers: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Layer-0 embeddings whose LightGCN output is the ideal low-pass graph filter.

    With ``R~ = U S V^T`` (top ``dim`` singular triplets), layer ``l`` of LightGCN maps
    ``(U g, V g)`` to ``(U S^l g, V S^l g)``, so the layer mean is ``(U phi(S) g, V phi(S) g)``
    with ``phi(s) = mean_l s^l`` (Shen et al., "How Powerful is Graph Convolution for
    Recommendation?", CIKM 2021, GF-CF; Peng et al., "SVD-GCN", CIKM 2022). Choosing
    ``g = sqrt(s) / phi(s)`` makes the user-item score ``U_u S V_i^T``, which, as
    ``U_u = R~_u V S^{-1}``, equals ``d_u^{-1/2} r_u D_I^{-1/2} V V^T``: with the model's item
    degree scaling ``d_i^{1/2}`` this is exactly GF-CF's ideal low-pass filter, up to a
    per-user factor that does not change a ranking.
    """
    k = min(dim, min(graph.norm.shape) - 1)
    rng = np.random.default_rng(seed)
    v0 = rng.standard_normal(min(graph.norm.shape))
    u, s, vt = svds(graph.norm.astype(np.float64), k=k, v0=v0)
    order = np.argsort(-s)
    u, s, vt = u[:, order], s[order], vt[order]
    # svds fixes singular vectors only up to sign; make the largest entry of each positive so
    # that the result does not depend on the solver's internals.
    signs = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])
    u, vt = u * signs, vt * signs[:, None]
    phi = np.mean([s**layer for layer in range(layers + 1)], axis=0)
    g = np.sqrt(np.maximum(s, 1e-8)) / np.maximum(phi, 1e-8)
    ctx, item = u * g, vt.T * g
    if k < dim:  # tiny graphs: pad with small noise so every dimension can still learn
        pad_c = rng.normal(0, 1e-3, (ctx.shape[0], dim - k))
        pad_i = rng.normal(0, 1e-3, (item.shape[0], dim - k))
        ctx, item = np.hstack([ctx, pad_c]), np.hstack([item, pad_i])
    return ctx.astype(np.float32), item.astype(np.float32)


class HybridLightGCN(nn.Module):
    r"""LightGCN over the user-item-tag-category graph fused with a linear content tower.

    Graph part (He et al., "LightGCN: Simplifying and Powering Graph Convolution Network for
    Recommendation", SIGIR 2020): no feature transforms and no non-linearities,

    .. math::
        \mathbf{E}^{(l+1)} = \tilde{\mathbf{A}} \mathbf{E}^{(l)}, \qquad
        \mathbf{E} = \sum_{l=0}^{L} \alpha_l \mathbf{E}^{(l)}, \quad \alpha_l = \frac{1}{L+1},

    with :math:`\tilde{\mathbf{A}} = \mathbf{D}^{-1/2}\mathbf{A}\mathbf{D}^{-1/2}` over users,
    items, tags and categories (see :mod:`gnn.graph`). Tags and categories are ordinary nodes,
    so an item with no interaction still receives an embedding through its tags.

    Score: :math:`s_g(u, i) = d_i^{\gamma}\,\mathbf{e}_u^\top \mathbf{e}_i`. The item degree
    factor (``gamma = 0.5`` by default) is GF-CF's :math:`\mathbf{D}_I^{1/2}` on the item side
    of the ideal low-pass filter; it lets the spectral initialisation of
    :func:`spectral_embeddings` start the model at that filter.

    Content tower: :math:`\mathbf{c}_i = \mathbf{x}_i \mathbf{W}` for the item's sparse
    content features :math:`\mathbf{x}_i` (:mod:`gnn.content`), scored against the same user
    vector, :math:`s_c(u, i) = \mathbf{e}_u^\top \mathbf{c}_i`. It is trained after the graph,
    with BPR on the frozen user vectors, so that it learns what in an item's content predicts
    who consumes it; this is what places a brand-new item.
    """

    def __init__(
        self,
        num_context: int,
        num_items: int,
        emb_dim: int,
        layers: int,
        content_dim: int = 0,
        *,
        degree_power: float = 0.5,
        init: tuple[np.ndarray, np.ndarray] | None = None,
        init_std: float = 0.1,
    ) -> None:
        super().__init__()
        self.layers = layers
        self.degree_power = degree_power
        if init is not None:
            ctx0, item0 = (torch.from_numpy(a.copy()) for a in init)
        else:
            ctx0 = torch.randn(num_context, emb_dim) * init_std
            item0 = torch.randn(num_items, emb_dim) * init_std
        self.context_emb = nn.Parameter(ctx0)
        self.item_emb = nn.Parameter(item0)
        self.content_weight = nn.Parameter(torch.zeros(content_dim, emb_dim))

    def propagate(self, norm: Tensor, norm_t: Tensor) -> tuple[Tensor, Tensor]:
        """Final (layer-combined) context and item embeddings."""
        h_c, h_i = self.context_emb, self.item_emb
        sum_c, sum_i = h_c, h_i
        for _ in range(self.layers):
            h_c, h_i = sparse_mm(norm, norm_t, h_i), sparse_mm(norm_t, norm, h_c)
            sum_c, sum_i = sum_c + h_c, sum_i + h_i
        scale = 1.0 / (self.layers + 1)
        return sum_c * scale, sum_i * scale

    def content_embedding(self, features: Tensor) -> Tensor:
        """Content tower output for a (sparse or dense) item feature matrix."""
        if features.is_sparse or features.layout == torch.sparse_csr:
            return torch.sparse.mm(features, self.content_weight)
        return features @ self.content_weight


def degree_scale(item_degree: np.ndarray, power: float) -> np.ndarray:
    """``d_i^power`` with isolated items (degree 0) scaled by 1."""
    deg = np.where(item_degree > 0, item_degree, 1.0).astype(np.float64)
    return (deg**power).astype(np.float32)


def linear_filter_scores(
    user_rows: sp.csr_matrix, norm: sp.csr_matrix, norm_t: sp.csr_matrix
) -> np.ndarray:
    """GF-CF's linear filter ``r^_u R~^T R~`` for a batch of (degree-normalised) user rows.

    The middle product ``r^_u R~^T`` is made dense before the last one: a sparse-sparse product
    whose result is nearly dense is several times slower than sparse times dense.
    """
    middle = np.asarray((user_rows @ norm_t).todense(), dtype=np.float32)
    return np.ascontiguousarray((norm_t @ middle.T).T, dtype=np.float32)
