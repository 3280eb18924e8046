from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from gnn import TrainConfig, fit
from gnn.filters import exact_scores, item_item_filter, prune_rows, spectral_basis
from gnn.graph import build_graph
from gnn.history import history_row, query_rows, recency_fraction, training_queries
from gnn.recipe import carve
from gnn.tower import TowerSetting


def test_fit_chooses_on_validation_and_serves_every_part(data, small_config):
    result = fit(data, small_config, progress=False)
    w, choice = result.weights, result.choice
    assert w.user_embeddings.shape == (data.num_users, 16)
    assert w.item_embeddings.shape == (data.num_items, 16)
    assert w.tag_embeddings.shape == (data.num_tags, 16)
    assert w.category_embeddings.shape == (data.num_categories, 16)
    assert w.item_item.shape == (data.num_items, data.num_items)
    assert w.user_rows.shape == (data.num_users, data.num_items)
    assert choice.rank in small_config.rank_grid
    assert choice.lowpass in small_config.lowpass_grid
    assert choice.tilt in small_config.tilt_grid
    assert choice.recency in small_config.recency_grid
    assert choice.blend in small_config.blend_grid
    assert choice.tower in small_config.towers
    assert w.recency == choice.recency
    for key in ("recall@20", "ndcg@20", "coverage@20", "diversity@20", "novelty@20"):
        assert key in result.metrics
    # the clusters are easy: far better than the ~20/90 of a random ranking
    assert result.metrics["recall@20"] > 0.6
    stages = {h["stage"] for h in result.history}
    assert {"recency", "filter", "dense", "content", "blend"} <= stages


def test_the_served_model_is_fitted_on_all_the_data(data, small_config):
    """Validation only chooses: the model that serves knows every interaction given."""
    _, valid = carve(data, small_config)
    rows = fit(data, small_config, progress=False).weights.user_rows
    for u, items in valid.items():
        assert (rows[u, items].toarray() > 0).all()


def test_deterministic_with_seed(data, small_config):
    a = fit(data, small_config, progress=False).weights
    b = fit(data, small_config, progress=False).weights
    np.testing.assert_array_equal(a.item_embeddings, b.item_embeddings)
    np.testing.assert_array_equal(a.user_embeddings, b.user_embeddings)
    assert (a.item_item != b.item_item).nnz == 0


def test_a_tiny_platform_gets_the_defaults(synthetic, small_config):
    data = synthetic(num_users=3, num_items=9, per_user=2)
    result = fit(data, small_config, progress=False)
    assert result.metrics == {}  # nothing to validate on
    assert result.weights.user_scores(np.arange(3)).shape == (3, 9)


def test_the_pruned_filter_keeps_the_strongest_items_of_the_exact_one(data):
    graph = build_graph(data, tag_weight=0.0, category_weight=0.0)
    basis = spectral_basis(graph, 24)
    queries = training_queries(data, 0.0)
    linear, projection = exact_scores(queries, graph, basis)
    exact = linear + 0.3 * projection[:, :8] @ basis.right(8).T
    full = item_item_filter(graph, basis, rank=8, lowpass=0.3, tilt=0.0, neighbours=89)
    pruned = item_item_filter(graph, basis, rank=8, lowpass=0.3, tilt=0.0, neighbours=10)
    assert np.diff(pruned.indptr).max() <= 10
    served = np.asarray((queries @ full).todense())
    # every positive entry kept, only the items' own entries (never recommended) dropped
    for u in range(5):
        own = queries[u].indices
        mask = np.ones(data.num_items, bool)
        mask[own] = False
        top_exact = set(np.argsort(-np.where(mask, exact[u], -np.inf))[:10])
        top_served = set(np.argsort(-np.where(mask, served[u], -np.inf))[:10])
        assert len(top_exact & top_served) >= 9


def test_pruning_a_filter_keeps_each_rows_largest_entries():
    rng = np.random.default_rng(0)
    dense = rng.random((30, 30)).astype(np.float32) * (rng.random((30, 30)) < 0.5)
    full = sp.csr_matrix(dense)
    cut = prune_rows(full, 4)
    assert np.diff(cut.indptr).max() <= 4
    for row in range(30):
        kept = cut[row].toarray().ravel()
        expected = np.sort(dense[row][dense[row] > 0])[::-1][:4]
        np.testing.assert_allclose(np.sort(kept[kept > 0])[::-1], expected)
    assert (prune_rows(full, 30) != full).nnz == 0


def test_unknown_tower_loss_is_refused(data, small_config):
    small_config.towers = (TowerSetting("hinge?"),)
    with pytest.raises(ValueError, match="unknown content loss"):
        fit(data, small_config, progress=False)


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


@pytest.mark.parametrize("kind", ["damped", "binary"])
def test_a_live_history_row_equals_the_training_query(data, kind):
    """Serving builds a user's row from their feedback exactly as training did."""
    queries = training_queries(data, 2.0, kind)
    for u in (0, 7, 31):
        mine = data.user == u
        live = history_row(
            data.item[mine], data.weight[mine], data.time[mine], data.num_items, 2.0, kind
        )
        np.testing.assert_allclose(live.toarray(), queries[u].toarray(), rtol=1e-6)


def test_the_strength_of_acts_is_chosen_where_acts_differ(data, small_config):
    """With likes among views both strengths are tried, with every recency tilt, and the
    best on validation is served; where every act weighs the same, one is tried."""
    result = fit(data, small_config, progress=False)
    tried = [h for h in result.history if h["stage"] == "recency"]
    assert {h["strength"] for h in tried} == {"damped", "binary"}
    best = max(tried, key=lambda h: h["recall"])
    assert result.choice.strength == result.weights.strength == best["strength"]
    uniform = replace(data, weight=np.where(data.weight > 0, 1.0, data.weight))
    tried = [
        h for h in fit(uniform, small_config, progress=False).history if h["stage"] == "recency"
    ]
    assert {h["strength"] for h in tried} == {"damped"}


def test_items_known_only_by_free_form_tags_are_placed_by_content():
    """A tags-only catalogue (no categories, names without years): cold items, never seen
    in training, are ranked far above chance by the content tower."""
    from gnn import evaluate_ranking
    from gnn.baselines import random_scores
    from gnn.synthetic import make_catalogue

    data, _, extra = make_catalogue(300, 500, num_topics=6, per_user=25, seed=1).training_data()
    assert data.num_categories == 1 and (data.item_category == -1).all()  # tags only
    weights = fit(data, TrainConfig(emb_dim=16, rank_grid=(16, 32), text_dim=256), progress=False)
    exclude = sp.csr_matrix(
        (np.ones(len(data.user)), (data.user, data.item)), shape=(data.num_users, data.num_items)
    )
    cold = {"exclude": exclude, "k": 20, "candidate_items": extra["cold_items"]}
    ours = evaluate_ranking(weights.weights.user_scores, extra["cold_test"], **cold)
    chance = evaluate_ranking(random_scores(data.num_items).scores, extra["cold_test"], **cold)
    assert ours["recall@20"] > chance["recall@20"] + 0.1
