import numpy as np
import scipy.sparse as sp
import torch

from gnn.graph import build_graph, interaction_matrices
from gnn.model import HybridLightGCN, linear_filter_scores, sparse_mm, spectral_embeddings


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


def test_propagation_equals_dense_reference(data):
    graph = build_graph(data)
    torch.manual_seed(0)
    model = HybridLightGCN(graph.num_context, data.num_items, 8, 3)
    ctx, items = model.propagate(*graph.torch_operators())
    n_c = graph.num_context
    adj = dense_adjacency(graph)
    deg = adj.sum(1)
    inv = np.where(deg > 0, deg**-0.5, 0.0)
    a_hat = inv[:, None] * adj * inv[None, :]
    e = np.vstack([model.context_emb.detach().numpy(), model.item_emb.detach().numpy()])
    layers = [e]
    for _ in range(3):
        layers.append(a_hat @ layers[-1])
    ref = np.mean(layers, axis=0)
    np.testing.assert_allclose(ctx.detach().numpy(), ref[:n_c], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(items.detach().numpy(), ref[n_c:], rtol=1e-4, atol=1e-5)


def test_sparse_mm_gradient(data):
    graph = build_graph(data)
    a, a_t = graph.torch_operators()
    x = torch.randn(data.num_items, 4, requires_grad=True)
    sparse_mm(a, a_t, x).pow(2).sum().backward()
    dense = torch.from_numpy(graph.norm.toarray())
    x2 = x.detach().clone().requires_grad_(True)
    (dense @ x2).pow(2).sum().backward()
    torch.testing.assert_close(x.grad, x2.grad, rtol=1e-4, atol=1e-5)


def test_spectral_start_is_the_ideal_low_pass_filter(data):
    """After propagation, the spectral start scores U S V^T (rank-k part of R~)."""
    graph = build_graph(data)
    k = 6
    init = spectral_embeddings(graph, k, layers=2)
    model = HybridLightGCN(graph.num_context, data.num_items, k, 2, init=init)
    ctx, items = model.propagate(*graph.torch_operators())
    scores = (ctx @ items.T).detach().numpy()
    u, s, vt = np.linalg.svd(graph.norm.toarray())
    ref = (u[:, :k] * s[:k]) @ vt[:k]
    np.testing.assert_allclose(scores, ref, atol=1e-4)


def test_linear_filter_equals_dense_reference():
    norm = sp.random(7, 9, density=0.4, random_state=2, format="csr", dtype=np.float32)
    rows = sp.random(4, 9, density=0.5, random_state=3, format="csr", dtype=np.float32)
    got = linear_filter_scores(rows, norm, norm.T.tocsr())
    dense = rows.toarray() @ norm.toarray().T @ norm.toarray()
    np.testing.assert_allclose(got, dense, rtol=1e-5, atol=1e-6)
    assert got.dtype == np.float32 and got.flags.c_contiguous
