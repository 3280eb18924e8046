import time

import numpy as np
import pytest
import scipy.sparse as sp

from gnn import TrainConfig, temporal_split, train_model
from gnn.train import query_rows, recency_fraction


def test_loss_decreases_from_random_start(data, small_config):
    small_config.init = "normal"
    result = train_model(data, small_config, progress=False)
    assert result.epochs_run == small_config.epochs
    assert result.loss_curve[-1] < 0.8 * result.loss_curve[0]


def test_margin_loss_trains(data, small_config):
    small_config.loss = "margin"
    small_config.init = "normal"
    result = train_model(data, small_config, progress=False)
    assert result.loss_curve[-1] < result.loss_curve[0]


def test_shapes_and_metrics(data, small_config):
    train, valid = temporal_split(data, 0.2)
    result = train_model(train, small_config, valid=valid, progress=False)
    w = result.weights
    assert w.user_embeddings.shape == (data.num_users, 16)
    assert w.item_embeddings.shape == (data.num_items, 16)
    assert w.tag_embeddings.shape == (data.num_tags, 16)
    assert w.category_embeddings.shape == (data.num_categories, 16)
    assert w.content_weight.shape[0] == w.content_spec.dim
    assert np.isfinite(w.item_embeddings).all()
    for key in ("recall@20", "ndcg@20", "coverage@20", "diversity@20", "novelty@20"):
        assert key in result.metrics
    # the clusters are easy: far better than the ~20/90 of a random ranking
    assert result.metrics["recall@20"] > 0.6
    assert result.history[0]["epoch"] == 0  # the spectral start is evaluated too


def test_deterministic_with_seed(data, small_config):
    a = train_model(data, small_config, progress=False).weights
    b = train_model(data, small_config, progress=False).weights
    np.testing.assert_array_equal(a.item_embeddings, b.item_embeddings)
    np.testing.assert_array_equal(a.user_embeddings, b.user_embeddings)


def test_time_budget_bounds_the_whole_call(synthetic):
    data = synthetic(num_users=300, num_items=300, per_user=40)
    train, valid = temporal_split(data, 0.2)
    config = TrainConfig(
        emb_dim=16,
        epochs=10_000,
        batch_size=64,
        time_budget_s=2.0,
        device="cpu",
        text_dim=32,
        content_epochs=1000,
        linear_filter=True,
    )
    began = time.perf_counter()
    result = train_model(train, config, valid=valid, progress=False)
    wall = time.perf_counter() - began
    # spectral start, selection, epochs, content tower, blend, metrics and refit all inside
    assert wall < 2.0 + 0.75
    assert result.seconds <= wall
    assert result.epochs_run < 10_000
    assert result.metrics["recall@20"] > 0


def test_sub_epoch_evaluation_and_best_so_far_callback(data, small_config):
    small_config.evals_per_epoch = 3
    small_config.batch_size = 64
    small_config.epochs = 2
    train, valid = temporal_split(data, 0.2)
    calls = []

    def callback(epoch, seconds, snapshot):
        calls.append((epoch, snapshot().user_embeddings.shape))

    result = train_model(train, small_config, valid=valid, progress=False, callback=callback)
    evals = [h for h in result.history if "recall@20" in h]
    assert len(evals) == 1 + 2 * 3  # the start, then three per epoch
    assert calls[0][0] == 0  # the spectral start is reported as soon as it is ready
    assert all(shape == (data.num_users, 16) for _, shape in calls)
    best = max(h["recall@20"] for h in evals)
    assert len(calls) == 1 + sum(
        1
        for k, h in enumerate(evals[1:], 1)
        if h["recall@20"] > max(e["recall@20"] for e in evals[:k])
    )
    assert best >= evals[0]["recall@20"]


def test_recency_fraction_ranks_by_time_within_user():
    user = np.array([0, 0, 0, 1, 1, 2])
    item = np.array([0, 1, 2, 0, 1, 2])
    when = np.array([10, 30, 20, 5, 5, 7])
    frac = recency_fraction(user, item, when, (3, 3)).toarray()
    np.testing.assert_allclose(frac[0], [1 / 3, 1.0, 2 / 3])
    np.testing.assert_allclose(frac[1, :2], [0.75, 0.75])  # ties share their mean rank
    assert recency_fraction(user, item, np.zeros(6, np.int64), (3, 3)) is None


def test_query_rows_tilt_towards_recent_items_and_keep_mass():
    rows = sp.csr_matrix(np.array([[1.0, 1.0, 0.0, 1.0]], np.float32))
    frac = sp.csr_matrix(np.array([[0.25, 1.0, 0.0, 0.5]], np.float32))
    plain = query_rows(rows, frac, 0.0).toarray()[0]
    tilted = query_rows(rows, frac, 2.0).toarray()[0]
    np.testing.assert_allclose(plain, [3**-0.5, 3**-0.5, 0, 3**-0.5], rtol=1e-6)
    assert tilted[1] > tilted[3] > tilted[0] and tilted[2] == 0
    np.testing.assert_allclose(tilted.sum(), plain.sum(), rtol=1e-5)


def test_recency_is_chosen_and_validation_items_are_folded_in(data, small_config):
    small_config.linear_filter = True
    small_config.epochs = 0
    train, valid = temporal_split(data, 0.2)
    result = train_model(train, small_config, valid=valid, progress=False)
    assert result.history[0]["recency"] in small_config.recency_grid
    rows = result.weights.user_rows
    for u, items in valid.items():
        assert (rows[u, items].toarray() > 0).all()  # the served queries know held-out items
    small_config.refit_users = False
    kept = train_model(train, small_config, valid=valid, progress=False).weights.user_rows
    u, items = next(iter(valid.items()))
    assert (kept[u, items].toarray() == 0).all()


def test_linear_filter_and_blend_are_chosen_on_validation(data, small_config):
    small_config.linear_filter = True
    train, valid = temporal_split(data, 0.2)
    result = train_model(train, small_config, valid=valid, progress=False)
    w = result.weights
    assert w.blend in small_config.blend_grid
    assert w.linear_weight >= 0
    assert w.graph_norm is not None and w.user_rows is not None


def test_unknown_loss_is_refused(data, small_config):
    small_config.loss = "hinge?"
    with pytest.raises(ValueError, match="unknown loss"):
        train_model(data, small_config, progress=False)
