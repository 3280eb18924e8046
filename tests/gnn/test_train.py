import numpy as np
import pytest

from gnn import TrainConfig, temporal_split, train_model


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


def test_time_budget_is_respected(synthetic):
    data = synthetic(num_users=300, num_items=300, per_user=40)
    config = TrainConfig(
        emb_dim=16,
        epochs=10_000,
        batch_size=64,
        time_budget_s=1.5,
        device="cpu",
        text_dim=32,
        content_epochs=1000,
    )
    result = train_model(data, config, progress=False)
    assert result.seconds < 4.0
    assert 0 < result.epochs_run < 10_000


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
