import numpy as np
import pytest
import scipy.sparse as sp
import torch

from gnn import filters
from gnn.filters import exact_scores, spectral_basis
from gnn.graph import build_graph, interaction_matrices
from gnn.model import sparse_mm


def dense_adjacency(graph):
    raw = graph.raw.toarray()
    n_c, n_i = raw.shape
    adj = np.zeros((n_c + n_i, n_c + n_i))
    adj[:n_c, n_c:] = raw
    adj[n_c:, :n_c] = raw.T
    return adj


def test_symmetric_normalisation_matches_dense(data):
    graph = build_graph(data)
    adj = dense_adjacency(graph)
    deg = adj.sum(1)
    inv = np.where(deg > 0, deg**-0.5, 0.0)
    ref = inv[:, None] * adj * inv[None, :]
    n_c = graph.num_context
    np.testing.assert_allclose(graph.norm.toarray(), ref[:n_c, n_c:], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(graph.norm_t.toarray(), ref[n_c:, :n_c], rtol=1e-5, atol=1e-7)
    assert graph.num_context == data.num_users + data.num_tags + data.num_categories


def test_negative_feedback_is_not_an_edge(data):
    positive, negative = interaction_matrices(data)
    graph = build_graph(data, positive)
    neg = negative.tocoo()
    assert negative.nnz > 0
    assert np.all(graph.raw[neg.row, neg.col] == 0)


def test_sparse_mm_gradient(data):
    graph = build_graph(data)
    a, a_t = graph.torch_operators()
    x = torch.randn(data.num_items, 4, requires_grad=True)
    sparse_mm(a, a_t, x).pow(2).sum().backward()
    dense = torch.from_numpy(graph.norm.toarray())
    x2 = x.detach().clone().requires_grad_(True)
    (dense @ x2).pow(2).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dense", [True, False])
def test_spectral_basis_spans_the_top_singular_vectors(data, monkeypatch, dense):
    """Dense and randomised decompositions both give ``R~``'s top right singular space."""
    monkeypatch.setattr(filters, "DENSE_SVD_MAX", 10_000 if dense else 1)
    graph = build_graph(data)
    k = 6
    basis = spectral_basis(graph, k)
    _, s, vt = np.linalg.svd(graph.norm.toarray())
    np.testing.assert_allclose(basis.values, s[:k], rtol=1e-3)
    # the same subspace: projecting the reference vectors onto the basis keeps them whole
    kept = np.linalg.norm(basis.vectors.T @ vt[:k].T, axis=0)
    np.testing.assert_allclose(kept, 1.0, atol=1e-3)


def test_exact_scores_equal_the_dense_filter(data):
    graph = build_graph(data, tag_weight=0.0, category_weight=0.0)
    basis = spectral_basis(graph, 8)
    rows = sp.random(4, data.num_items, density=0.2, random_state=3, format="csr", dtype=np.float32)
    linear, projection = exact_scores(rows, graph, basis)
    norm = graph.norm.toarray()
    np.testing.assert_allclose(linear, rows.toarray() @ norm.T @ norm, rtol=1e-4, atol=1e-6)
    deg = graph.item_degree
    low = rows.toarray() @ (basis.vectors / np.sqrt(deg)[:, None])
    np.testing.assert_allclose(projection, low, rtol=1e-4, atol=1e-6)
    assert linear.dtype == np.float32 and linear.flags.c_contiguous
