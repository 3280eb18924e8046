import numpy as np
import pytest

from gnn import fit
from gnn.tower import TowerSetting

from .conftest import CLUSTERS


@pytest.fixture(scope="module")
def trained():
    from gnn import TrainConfig

    from .conftest import make_data

    data = make_data()
    config = TrainConfig(
        emb_dim=16,
        rank_grid=(16,),
        text_dim=64,
        towers=(TowerSetting("bpr", epochs=30),),
        blend_grid=(0.3,),
    )
    return data, fit(data, config, progress=False).weights


def cluster_share(items, num_items=90):
    return np.bincount(np.asarray(items) % CLUSTERS, minlength=CLUSTERS) / len(items)


def test_recommend_respects_exclusions_and_clusters(trained):
    data, w = trained
    seen = [data.item[(data.user == u)] for u in range(3)]
    scores, items = w.recommend(np.arange(3), 10, exclude=seen)
    assert items.shape == (3, 10) and np.all(np.diff(scores, axis=1) <= 1e-6)
    for u in range(3):
        assert not np.isin(items[u], seen[u]).any()
        assert cluster_share(items[u])[u % CLUSTERS] >= 0.8


def test_similar_items_share_the_cluster(trained):
    _, w = trained
    _, items = w.similar_items(4, 10)
    assert 4 not in items
    assert cluster_share(items)[4 % CLUSTERS] >= 0.8


def test_fold_in_from_interactions_and_interests(trained):
    _, w = trained
    cluster = 1
    items = np.array([1, 4, 7, 10])
    vec = w.fold_in_user(items, np.array([1.0, 3.0, 1.0, 1.0]))
    assert np.isfinite(vec).all() and np.linalg.norm(vec) > 0
    _, top = w.score_vector(vec, exclude=items, k=10)
    assert cluster_share(top)[cluster] >= 0.8
    by_tags = w.fold_in_user(tag_rows=np.array([2 * cluster]), category_rows=np.array([cluster]))
    _, top = w.score_vector(by_tags, k=10)
    assert cluster_share(top)[cluster] >= 0.8
    assert not w.fold_in_user().any()


def test_fold_in_is_one_propagation_layer_over_the_users_items(trained):
    """The gathered rows give what the sparse row times the whole item matrix gave: the
    damped, degree-normalised, unscaled embeddings of the user's items, summed, mapped."""
    _, w = trained
    items = np.array([3, 8, 3, 15, 22])  # an item twice: its weights add up
    weights = np.array([1.0, 2.0, 1.5, -1.0, 4.0])  # a negative weight drops out
    row = w._interaction_row(items, weights).toarray().ravel().astype(np.float64)
    unscaled = np.asarray(w.item_graph, dtype=np.float64) / w.item_scale[:, None]
    expected = (row @ unscaled) @ w.fold_in_map
    np.testing.assert_allclose(w.fold_in_user(items, weights), expected, rtol=1e-5, atol=1e-7)


def test_new_item_with_cluster_tags_lands_near_the_cluster(trained):
    _, w = trained
    cluster = 2
    vec = w.embed_new_items(
        item_tags=[np.array([2 * cluster, 2 * cluster + 1])],
        item_category=np.array([cluster]),
        item_type=np.array([0]),
        item_text=["guitar chord song new"],
    )
    assert vec.shape == (1, w.dim) and np.isfinite(vec).all()
    emb = w.item_embeddings
    sims = emb @ vec[0] / (np.linalg.norm(emb, axis=1) * np.linalg.norm(vec[0]))
    top = np.argsort(-sims)[:15]
    assert cluster_share(top)[cluster] >= 0.8
    # users of that cluster score it above users of other clusters
    scores = w.user_embeddings @ vec[0]
    by_cluster = [scores[np.arange(len(scores)) % CLUSTERS == c].mean() for c in range(CLUSTERS)]
    assert int(np.argmax(by_cluster)) == cluster


def test_score_breakdown_is_consistent(trained):
    _, w = trained
    items = np.arange(6)
    parts = w.score_breakdown(0, items)
    np.testing.assert_allclose(
        parts["score"], w.user_scores(np.array([0]))[0, items], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(parts["blend"], 0.3)
