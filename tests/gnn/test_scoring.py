"""The serving score: dense embedding term plus the history term over a pruned item-item matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from gnn.history import history_row
from gnn.scoring import score_items, top_k


def _pruned_item_item(num_items: int, neighbours: int, seed: int) -> sp.csr_matrix:
    """Random S with exactly ``neighbours`` distinct columns per row, float32 weights."""
    rng = np.random.default_rng(seed)
    cols = np.stack(
        [rng.choice(num_items, neighbours, replace=False) for _ in range(num_items)]
    ).ravel()
    rows = np.repeat(np.arange(num_items), neighbours)
    data = rng.random(len(cols), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(num_items, num_items), dtype=np.float32)


@pytest.fixture
def case() -> dict:
    rng = np.random.default_rng(1)
    n, d = 500, 16
    items = rng.standard_normal((n, d), dtype=np.float32)
    user = rng.standard_normal(d, dtype=np.float32)
    history = rng.choice(n, 40, replace=False)
    weights = rng.random(40, dtype=np.float32) + 0.1
    return {
        "items": items,
        "user": user,
        "history": history,
        "weights": weights,
        "q": history_row(history, weights, None, n, 0.0),
        "S": _pruned_item_item(n, 25, seed=2),
    }


def _naive(case: dict) -> np.ndarray:
    """The same score with everything dense, in float64."""
    q = case["q"].toarray().ravel().astype(np.float64)
    dense = case["items"].astype(np.float64) @ case["user"].astype(np.float64)
    return dense + q @ case["S"].toarray().astype(np.float64)


def test_score_items_equals_dense_computation(case):
    scores = score_items(case["items"], case["user"], case["q"], case["S"])
    assert scores.dtype == np.float32 and scores.shape == (500,)
    np.testing.assert_allclose(scores, _naive(case), rtol=1e-5, atol=1e-4)
    # the history term is really there: it moves most scores
    dense_only = score_items(case["items"], case["user"])
    assert np.mean(~np.isclose(scores, dense_only)) > 0.5


@pytest.mark.parametrize("data_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_other_dtypes_and_index_widths_agree(case, data_dtype, index_dtype):
    # float32 with either index width takes scipy's compiled kernels, float64 the public path
    s = case["S"].astype(data_dtype)
    s.indices, s.indptr = s.indices.astype(index_dtype), s.indptr.astype(index_dtype)
    q = case["q"].copy()
    q.indices = q.indices.astype(np.int64 if index_dtype == np.int32 else np.int32)
    scores = score_items(case["items"], case["user"].astype(np.float64), q, s)
    assert scores.dtype == np.float32  # a float64 user vector does not upcast the items
    np.testing.assert_allclose(scores, _naive(case), rtol=1e-5, atol=1e-4)


def test_repeated_history_items_are_summed(case):
    n = case["items"].shape[0]
    twice = history_row(np.array([3, 3, 7]), np.array([0.5, 0.25, 1.0]), None, n, 0.0)
    once = history_row(np.array([3, 7]), np.array([0.75, 1.0]), None, n, 0.0)
    a = score_items(case["items"], case["user"], twice, case["S"])
    b = score_items(case["items"], case["user"], once, case["S"])
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_empty_history_and_no_matrix_give_the_dense_term(case):
    dense = case["items"] @ case["user"]
    empty = history_row(np.array([], dtype=np.int64), np.array([]), None, 500, 0.0)
    np.testing.assert_allclose(score_items(case["items"], case["user"], empty, case["S"]), dense)
    np.testing.assert_allclose(score_items(case["items"], case["user"], case["q"], None), dense)


def test_mismatched_shapes_are_refused(case):
    small = _pruned_item_item(400, 5, seed=3)
    with pytest.raises(ValueError):
        score_items(case["items"], case["user"], case["q"], small)


def test_top_k_matches_a_full_sort_of_eligible_items(case):
    scores = score_items(case["items"], case["user"], case["q"], case["S"])
    mask = np.ones(500, dtype=bool)
    mask[case["history"]] = False
    idx, val = top_k(scores, 20, mask)
    eligible = np.flatnonzero(mask)
    expected = eligible[np.argsort(-scores[eligible], kind="stable")[:20]]
    np.testing.assert_array_equal(idx, expected)
    np.testing.assert_array_equal(val, scores[expected])
    assert not np.isin(idx, case["history"]).any()
    # no mask: the best of all items
    idx_all, _ = top_k(scores, 5)
    np.testing.assert_array_equal(idx_all, np.argsort(-scores, kind="stable")[:5])


def test_top_k_with_few_eligible_and_ties():
    scores = np.array([1.0, 3.0, 3.0, 2.0, 5.0], dtype=np.float32)
    mask = np.array([True, True, True, False, False])
    idx, val = top_k(scores, 10, mask)
    np.testing.assert_array_equal(idx, [1, 2, 0])  # equal scores: lower index first
    np.testing.assert_array_equal(val, [3.0, 3.0, 1.0])
    assert len(top_k(scores, 3, np.zeros(5, dtype=bool))[0]) == 0
    assert scores[4] == 5.0  # input untouched


def _full_sort_top(scores: np.ndarray, k: int, mask: np.ndarray) -> np.ndarray:
    eligible = np.flatnonzero(mask)
    return eligible[np.lexsort((eligible, -scores[eligible]))[:k]]


def test_top_k_on_a_large_catalogue_equals_a_full_sort():
    # large enough for the sampled threshold, with ties and masked-out high scorers
    rng = np.random.default_rng(4)
    scores = np.round(rng.standard_normal(60_000), 2).astype(np.float32)
    mask = rng.random(60_000) > 0.001
    mask[np.argsort(-scores)[:30]] = False
    for k in (1, 20, 500):
        idx, val = top_k(scores, k, mask)
        np.testing.assert_array_equal(idx, _full_sort_top(scores, k, mask))
        np.testing.assert_array_equal(val, scores[idx])


def test_top_k_when_the_sample_misleads():
    # every sampled position scores highest but is ineligible: the threshold admits none
    n = 60_000
    scores = np.zeros(n, dtype=np.float32)
    scores[np.arange(n) % 7 == 3] = np.arange(n // 7 + 1, dtype=np.float32)[: len(scores[3::7])]
    sampled = np.arange(0, n, n // 2048)
    scores[sampled] = 1e6
    mask = np.ones(n, dtype=bool)
    mask[sampled] = False
    idx, _ = top_k(scores, 20, mask)
    np.testing.assert_array_equal(idx, _full_sort_top(scores, 20, mask))
    assert not np.isin(idx, sampled).any()


def test_history_outside_the_catalogue_is_refused(case):
    bad = case["q"].copy()
    bad.indices[0] = -1
    with pytest.raises(ValueError):
        score_items(case["items"], case["user"], bad, case["S"])
