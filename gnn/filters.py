"""Closed-form graph filters over the normalised user-item graph, and their served form.

With ``R~ = D_C^-1/2 R D_I^-1/2`` (context rows: users, and tags and categories when their
edges are on; see :mod:`gnn.graph`) and a user's query row ``q`` (:mod:`gnn.history`), the
score of every item is

    s(q) = (q R~^T R~  +  alpha q D_I^-1/2 V_k V_k^T D_I^1/2) D_I^gamma

the linear filter plus ``alpha`` times the ideal low-pass filter of rank ``k`` (GF-CF: Shen
et al., "How Powerful is Graph Convolution for Recommendation?", CIKM 2021), tilted by item
degree. ``V_k`` are the top right singular vectors of ``R~``; a LightGCN whose layers are
averaged converges to the same low-pass space (SVD-GCN, Peng et al., CIKM 2022), which is why
the recipe computes it directly instead of training it with BPR.

Serving cannot afford the rank-``k`` product over a large catalogue (``k`` reaches 512 on
large graphs), so the model serves both terms as one item-item matrix ``S`` with
``s(q) = q S``, each row pruned to its ``neighbours`` strongest entries: a user's scores are
then the sum of a few sparse rows. Evaluation scores the pruned matrix too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from sklearn.utils.extmath import randomized_svd

from .graph import InteractionGraph

__all__ = [
    "SpectralBasis",
    "degree_power",
    "exact_scores",
    "item_item_filter",
    "prune_rows",
    "spectral_basis",
]

DENSE_SVD_MAX = 4000


@dataclass
class SpectralBasis:
    """Top right singular vectors of ``R~`` (``items x k``, strongest first) and the item
    degrees of the graph they came from."""

    vectors: np.ndarray
    values: np.ndarray
    item_degree: np.ndarray

    @property
    def rank(self) -> int:
        return self.vectors.shape[1]

    def left(self, rank: int) -> np.ndarray:
        """``D_I^-1/2 V_k``: maps a query row into the basis."""
        return self.vectors[:, :rank] * degree_power(self.item_degree, -0.5)[:, None]

    def right(self, rank: int) -> np.ndarray:
        """``D_I^1/2 V_k``: maps the basis back onto items."""
        return self.vectors[:, :rank] * degree_power(self.item_degree, 0.5)[:, None]


def degree_power(degree: np.ndarray, power: float) -> np.ndarray:
    """``d ** power`` with isolated items (degree 0) at 0 for negative powers, 1 otherwise."""
    deg = np.asarray(degree, dtype=np.float64)
    out = np.where(deg > 0, np.maximum(deg, 1e-12) ** power, 0.0 if power < 0 else 1.0)
    return out.astype(np.float32)


def spectral_basis(graph: InteractionGraph, rank: int, seed: int = 0) -> SpectralBasis:
    """The top ``rank`` right singular vectors of the graph's ``R~`` (fewer on tiny graphs).

    Signs are fixed (the largest entry of each vector positive) so that the result does not
    depend on the solver's internals. A graph with at most ``DENSE_SVD_MAX`` nodes on its
    smaller side is decomposed densely: ARPACK asked for most of a small spectrum takes
    seconds where LAPACK takes milliseconds. Larger graphs use the randomised range finder
    (Halko et al. 2011) with power iterations: on gowalla it finds 512 vectors in a quarter
    of the time ARPACK takes, and the filter needs the subspace, not digits of each vector.
    """
    norm = graph.norm
    k = max(1, min(rank, min(norm.shape) - 1))
    if min(norm.shape) <= DENSE_SVD_MAX:
        s, vt = _dense_svd(norm, k)
    else:
        _, s, vt = randomized_svd(norm, k, n_oversamples=32, n_iter=4, random_state=seed)
    order = np.argsort(-s)
    s, vt = s[order], vt[order]
    signs = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])
    vectors = np.ascontiguousarray((vt * signs[:, None]).T, dtype=np.float32)
    return SpectralBasis(vectors, s.astype(np.float32), graph.item_degree.astype(np.float32))


def _dense_svd(norm: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` singular values and right vectors from the eigenvectors of the smaller Gram
    matrix (``A A^T`` when there are fewer rows than columns)."""
    a = norm.astype(np.float64)
    small = a.shape[0] <= a.shape[1]
    gram = (a @ a.T if small else a.T @ a).toarray()
    n = len(gram)
    values, vectors = eigh(gram, subset_by_index=[max(n - k, 0), n - 1], driver="evr")
    order = np.argsort(-values)
    s = np.sqrt(np.maximum(values[order], 0.0))
    vectors = vectors[:, order]
    if small:
        return s, np.asarray((a.T @ vectors).T / np.maximum(s, 1e-12)[:, None])
    return s, vectors.T


def exact_scores(
    queries: sp.csr_matrix,
    graph: InteractionGraph,
    basis: SpectralBasis,
) -> tuple[np.ndarray, np.ndarray]:
    """The two terms for a batch of query rows, unpruned: ``(linear, projection)``.

    ``linear`` is ``q R~^T R~`` (batch x items); ``projection`` is ``q D_I^-1/2 V`` (batch x
    rank), which ``@ basis.right(k).T`` turns into the rank-``k`` low-pass term for any ``k``.
    The middle product ``q R~^T`` is made dense first: a sparse-sparse product whose result is
    nearly dense is several times slower than sparse times dense.
    """
    middle = np.asarray((queries @ graph.norm_t).todense(), dtype=np.float32)
    linear = np.ascontiguousarray((graph.norm_t @ middle.T).T, dtype=np.float32)
    projection = np.asarray(queries @ basis.left(basis.rank), dtype=np.float32)
    return linear, projection


def item_item_filter(
    graph: InteractionGraph,
    basis: SpectralBasis,
    *,
    rank: int,
    lowpass: float,
    tilt: float,
    neighbours: int,
    block: int = 1024,
) -> sp.csr_matrix:
    """``S`` (items x items) with ``q S`` the module's score, each row cut to ``neighbours``.

    Row ``j`` is what having item ``j`` in a history adds to every item. An item's own entry
    is left out (a user's items are never recommended back), and so are entries that are not
    positive: pruning keeps the items that ``j`` speaks for. Built ``block`` rows at a time so
    that memory stays at ``block x items`` floats.
    """
    n = graph.num_items
    left = basis.left(rank) * np.float32(lowpass)
    right = basis.right(rank)
    column = degree_power(graph.item_degree, tilt)
    keep = max(1, min(neighbours, n - 1))
    indptr = [np.zeros(1, np.int64)]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    total = 0
    for start in range(0, n, block):
        stop = min(start + block, n)
        dense = np.asarray((graph.norm_t[start:stop] @ graph.norm).todense(), dtype=np.float32)
        if lowpass:
            dense += left[start:stop] @ right.T
        dense *= column
        dense[np.arange(stop - start), np.arange(start, stop)] = 0.0
        top = np.argpartition(-dense, keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(dense, top, axis=1)
        for row_top, row_val in zip(top, values, strict=True):
            positive = row_val > 0
            cols, vals = row_top[positive], row_val[positive]
            order = np.argsort(cols)
            indices.append(cols[order].astype(np.int32))
            data.append(vals[order].astype(np.float32))
            total += len(cols)
            indptr.append(np.array([total], np.int64))
    return sp.csr_matrix(
        (
            np.concatenate(data + [np.zeros(0, np.float32)]),
            np.concatenate(indices + [np.zeros(0, np.int32)]),
            np.concatenate(indptr),
        ),
        shape=(n, n),
    )


def prune_rows(item_item: sp.csr_matrix, neighbours: int) -> sp.csr_matrix:
    """Each row of ``item_item`` cut to its ``neighbours`` largest entries (a smaller model
    from a larger one, without rebuilding it)."""
    counts = np.diff(item_item.indptr)
    width = int(counts.max(initial=0))
    if width <= neighbours:
        return item_item.copy()
    rows = np.repeat(np.arange(item_item.shape[0]), counts)
    slot = np.arange(item_item.nnz) - item_item.indptr[rows]
    values = np.full((item_item.shape[0], width), -np.inf, np.float32)
    values[rows, slot] = item_item.data
    cut = -np.partition(-values, neighbours - 1, axis=1)[:, neighbours - 1]
    keep = item_item.data >= cut[rows]
    # ties at the cut may keep a few more than ``neighbours``; drop the extra by position
    order = np.lexsort((-item_item.data, rows))
    rank = np.empty(item_item.nnz, np.int64)
    rank[order] = np.arange(item_item.nnz) - item_item.indptr[rows[order]]
    keep &= rank < neighbours
    out = sp.csr_matrix(
        (item_item.data[keep], (rows[keep], item_item.indices[keep])), shape=item_item.shape
    )
    out.sort_indices()
    return out
