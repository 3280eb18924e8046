import json

import numpy as np
import scipy.sparse as sp

from gnn import evaluate_ranking, topk_items
from gnn.metrics import ranking_metrics, write_metrics


def test_ranking_metrics_by_hand():
    top = np.array([[1, 2, 3], [4, 5, 6]])
    truth = [np.array([2, 9]), np.array([7])]
    m = ranking_metrics(top, truth, num_candidates=10)
    assert np.isclose(m["recall@3"], (1 / 2 + 0) / 2)
    # user 0: hit at rank 2 -> DCG 1/log2(3); ideal over min(2, 3) items: 1 + 1/log2(3)
    ndcg0 = (1 / np.log2(3)) / (1 + 1 / np.log2(3))
    assert np.isclose(m["ndcg@3"], ndcg0 / 2)
    assert np.isclose(m["precision@3"], 1 / 6)
    assert np.isclose(m["hit_rate@3"], 0.5)
    assert np.isclose(m["coverage@3"], 6 / 10)


def test_novelty_and_diversity():
    top = np.array([[0, 1]])
    pop = np.array([3.0, 1.0])
    feats = np.array([[1.0, 0.0], [0.0, 1.0]])
    m = ranking_metrics(
        top,
        [np.array([0])],
        num_candidates=2,
        item_popularity=pop,
        num_users=7,
        item_features=feats,
    )
    assert np.isclose(m["novelty@2"], np.mean([-np.log2(4 / 8), -np.log2(2 / 8)]))
    assert np.isclose(m["diversity@2"], 1.0)


def test_evaluate_excludes_training_items_and_restricts_candidates(tmp_path):
    users = np.eye(3, dtype=np.float32)
    items = np.array([[3, 0, 0], [2, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=np.float32)
    exclude = sp.csr_matrix(([1.0], ([0], [0])), shape=(3, 4))
    top = topk_items((users, items), np.array([0]), 2, exclude=exclude)
    assert top.tolist() == [[1, 2]]
    m = evaluate_ranking((users, items), {0: np.array([2])}, exclude=exclude, k=2)
    assert np.isclose(m["recall@2"], 1.0) and np.isclose(m["ndcg@2"], 1 / np.log2(3))
    cold = evaluate_ranking(
        (users, items),
        {0: np.array([2, 3])},
        exclude=exclude,
        k=1,
        candidate_items=np.array([2, 3]),
    )
    assert np.isclose(cold["recall@1"], 0.5) and np.isclose(cold["coverage@1"], 0.5)
    write_metrics(m, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["recall@2"] == m["recall@2"]
