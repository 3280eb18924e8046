"""Baselines on tiny generated catalogues with known tastes."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from gnn import TrainingData, evaluate_ranking
from gnn import baselines as bl
from gnn.synthetic import make_catalogue


@pytest.fixture(scope="module")
def split():
    catalogue = make_catalogue(300, 600, num_topics=6, per_user=30, cold_share=0.3, seed=3)
    data, test, extra = catalogue.training_data()
    exclude = sp.csr_matrix(
        (np.ones(len(data.user), np.float32), (data.user, data.item)),
        shape=(data.num_users, data.num_items),
    )
    return data, test, extra, exclude


def _recall(baseline: bl.Baseline, split, *, cold: bool = False) -> float:
    data, test, extra, exclude = split
    if cold:
        return evaluate_ranking(
            baseline.scores,
            extra["cold_test"],
            exclude=exclude,
            candidate_items=extra["cold_items"],
        )["recall@20"]
    return evaluate_ranking(baseline.scores, test, exclude=exclude)["recall@20"]


def test_positive_pairs_sum_repeats_and_drop_negative_feedback():
    data = TrainingData(
        num_users=2,
        num_items=3,
        user=np.array([0, 0, 0, 1, 1]),
        item=np.array([0, 1, 1, 2, 2]),
        weight=np.array([1.0, 1.0, -3.0, 2.0, 2.0], dtype=np.float32),
    )
    assert bl.positive_matrix(data).toarray().tolist() == [[1, 0, 0], [0, 0, 1]]


def test_popularity_ranks_items_by_positive_users(split):
    data = split[0]
    counts = bl.positive_matrix(data).sum(axis=0).A1
    scores = bl.popularity(data).scores(np.array([0, 5]))
    assert scores.shape == (2, data.num_items)
    assert np.array_equal(scores[0], counts) and np.array_equal(scores[1], counts)


def test_random_scores_depend_on_seed_and_user_only():
    scores = bl.random_scores(50, seed=4).scores
    together = scores(np.array([3, 7, 9]))
    alone = scores(np.array([9, 3]))
    assert np.array_equal(together[2], alone[0]) and np.array_equal(together[0], alone[1])
    assert not np.array_equal(bl.random_scores(50, seed=5).scores(np.array([3]))[0], together[0])


def test_gfcf_equals_its_dense_formula(split):
    data = split[0]
    users = np.arange(0, data.num_users, 7)
    got = bl.gfcf(data, alpha=0.3, k=32).scores(users)
    r = bl.positive_matrix(data).toarray().astype(np.float64)
    du, di = r.sum(1), r.sum(0)
    inv_u = np.where(du > 0, 1 / np.sqrt(np.maximum(du, 1)), 0)
    inv_i = np.where(di > 0, 1 / np.sqrt(np.maximum(di, 1)), 0)
    norm = inv_u[:, None] * r * inv_i[None, :]
    v = np.linalg.svd(norm)[2][:32].T
    ideal = np.diag(inv_i) @ v @ v.T @ np.diag(np.sqrt(di))
    want = r[users] @ (norm.T @ norm + 0.3 * ideal)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


def test_ease_equals_its_closed_form(split):
    data = split[0]
    users = np.arange(0, data.num_users, 11)
    got = bl.ease(data, lam=200.0).scores(users)
    x = bl.positive_matrix(data).toarray().astype(np.float64)
    p = np.linalg.inv(x.T @ x + 200.0 * np.eye(data.num_items))
    b = np.eye(data.num_items) - p / np.diag(p)[None, :]
    np.testing.assert_allclose(got, x[users] @ b, rtol=1e-3, atol=1e-4)


def test_ease_lambda_comes_from_the_validation_grid(split):
    lam, recalls = bl.choose_ease_lambda(split[0], (10.0, 100.0, 1000.0))
    assert set(recalls) == {10.0, 100.0, 1000.0}
    assert recalls[lam] == max(recalls.values()) and recalls[lam] > 0


def test_collaborative_baselines_beat_popularity_on_known_tastes(split):
    data = split[0]
    popular = _recall(bl.popularity(data), split)
    random = _recall(bl.random_scores(data.num_items), split)
    assert random < popular
    assert _recall(bl.gfcf(data), split) > 1.5 * popular
    assert _recall(bl.ease(data), split) > 1.5 * popular


def test_tag_cosine_beats_random_on_cold_items(split):
    data = split[0]
    random = _recall(bl.random_scores(data.num_items), split, cold=True)
    assert _recall(bl.tag_cosine(data), split, cold=True) > 2 * random


def test_run_baselines_reports_warm_cold_and_skips(split, tmp_path, monkeypatch):
    data, test, extra, exclude = split
    monkeypatch.setattr(bl, "EASE_MAX_ITEMS", data.num_items - 1)
    report = bl.run_baselines(
        data,
        test,
        exclude,
        cold_test=extra["cold_test"],
        cold_items=extra["cold_items"],
        budget_s_pyg=0.0,
        log=lambda msg: None,
        topk_dir=tmp_path,
    )
    assert set(report) == set(bl.BASELINES)
    assert "skipped" in report["ease"] and "skipped" in report["pyg_lightgcn"]
    gfcf = report["gfcf"]
    assert 0 < gfcf["recall@20"] <= 1 and gfcf["seconds"] >= 0 and gfcf["peak_rss_mb"] > 0
    assert gfcf["params"] == {"alpha": 0.3, "k": 256}
    assert "skipped" in gfcf["cold"] and report["tag_cosine"]["cold"]["recall@20"] > 0
    lines = (tmp_path / "tag_cosine_cold.txt").read_text().splitlines()
    cold = set(extra["cold_items"].tolist())
    assert len(lines) == len([u for u, v in extra["cold_test"].items() if len(v)])
    assert all(set(map(int, line.split()[1:])) <= cold for line in lines)
    trained = exclude.tolil().rows
    for line in (tmp_path / "gfcf.txt").read_text().splitlines():
        user, *items = map(int, line.split())
        assert len(items) == 20 and not set(items) & set(trained[user])


def test_tag_cosine_is_skipped_without_tags(split):
    data, test, _, exclude = split
    untagged = TrainingData(
        num_users=data.num_users, num_items=data.num_items, user=data.user, item=data.item
    )
    report = bl.run_baselines(
        untagged, test, exclude, budget_s_pyg=0.0, log=lambda m: None, names=("tag_cosine",)
    )
    assert report == {"tag_cosine": {"skipped": "the items have no tags"}}


def test_pyg_lightgcn_runs_under_its_budget(split):
    data, test, _, exclude = split
    report = bl.run_baselines(
        data, test, exclude, budget_s_pyg=1.0, log=lambda m: None, names=("pyg_lightgcn",)
    )
    result = report["pyg_lightgcn"]
    assert result["epochs"] >= 1 and 0 <= result["recall@20"] <= 1 and result["peak_rss_mb"] > 0
