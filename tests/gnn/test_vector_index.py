import logging

import numpy as np
import pytest
import scipy.sparse as sp

from gnn import fit, load_artifact, save_artifact
from gnn.scoring import add_history_term, history_entries, score_items, top_k
from gnn.vector_index import build_item_index, candidate_rows, indexed_top_k


def clustered(items: int, dim: int, users: int, seed: int = 0):
    """Items and users around shared taste centres, item norms spread like popularity."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((64, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, 64, items)] + 0.6 * rng.standard_normal((items, dim))
    vectors *= rng.lognormal(0.0, 0.3, items)[:, None]
    people = centres[rng.integers(0, 64, users)] + 0.6 * rng.standard_normal((users, dim))
    return vectors.astype(np.float32), people.astype(np.float32)


def item_item(items: int, neighbours: int, seed: int = 1) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(items), neighbours)
    cols = rng.integers(0, items, items * neighbours)
    values = rng.random(items * neighbours).astype(np.float32)
    mat = sp.csr_matrix((values, (rows, cols)), shape=(items, items), dtype=np.float32)
    mat.sum_duplicates()
    return mat


def history(items: int, size: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(items, size, replace=False))
    weights = rng.random(size).astype(np.float32) + 0.5
    return sp.csr_matrix((weights, (np.zeros(size, int), rows)), shape=(1, items))


def test_history_entries_are_the_nonzeros_of_the_history_term():
    s, q = item_item(500, 8), history(500, 12, seed=3)
    dense = np.zeros(500, np.float32)
    add_history_term(dense, q, s)
    items, values = history_entries(q, s)
    assert np.all(np.diff(items) > 0)
    np.testing.assert_array_equal(items, np.flatnonzero(dense))
    np.testing.assert_allclose(values, dense[items], rtol=1e-5)


def test_index_recall_against_brute_force():
    vectors, users = clustered(20_000, 32, 100)
    index = build_item_index(vectors)
    assert index.ntotal == 20_000 and index.lists == 512 and index.nprobe == 43
    found = 0
    for user in users:
        exact, _ = top_k(score_items(vectors, user), 20)
        approx, scores = indexed_top_k(index, vectors, user, 20)
        np.testing.assert_allclose(scores, vectors[approx] @ user, rtol=1e-5)  # exact scores
        found += len(set(exact.tolist()) & set(approx.tolist()))
    assert found / (20 * len(users)) >= 0.99


def test_indexed_top_k_scores_the_history_term_exactly():
    vectors, users = clustered(20_000, 32, 40, seed=5)
    s = item_item(20_000, 20)
    s.data *= 40.0  # a history term strong enough to lift items the dense part ranks low
    index = build_item_index(vectors)
    found = 0
    for u, user in enumerate(users):
        q = history(20_000, 30, seed=u)
        mask = np.ones(20_000, bool)
        mask[q.indices] = False  # the user's own items are not recommended
        exact, _ = top_k(score_items(vectors, user, q, s), 20, mask)
        approx, scores = indexed_top_k(index, vectors, user, 20, q, s, mask)
        assert not set(approx.tolist()) & set(q.indices.tolist())
        reached, _ = history_entries(q, s)
        # the items the history reaches are always candidates, whatever their dense score
        assert set(reached.tolist()) <= set(candidate_rows(index, user, 20, q, s).tolist())
        # every returned score is the full score, dense and history terms
        full = score_items(vectors, user, q, s)
        np.testing.assert_allclose(scores, full[approx], rtol=1e-5, atol=1e-5)
        found += len(np.intersect1d(exact, approx))
    assert found / (20 * len(users)) >= 0.99


@pytest.fixture
def trained(data, small_config):
    result = fit(data, small_config, progress=False)
    ids = {"item": [f"i{i}" for i in range(data.num_items)]}
    return result, ids


def test_index_is_written_with_the_artifact_and_loaded_mapped(tmp_path, trained):
    result, ids = trained
    path = save_artifact(tmp_path, result, ids, version="v1", item_index_min_items=50)
    assert (path / "items.faiss").is_file()
    entry = load_artifact(path).manifest["item_index"]
    assert entry["items"] == result.weights.num_items and entry["vectors"] == "item_scoring"
    model = load_artifact(path)
    assert model.item_index is not None and model.item_index.ntotal == model.num_items
    user = model.user_graph[0]
    exact, _ = top_k(score_items(model.item_scoring, user), 10)
    approx, _ = indexed_top_k(model.item_index, model.item_scoring, user, 10)
    np.testing.assert_array_equal(approx, exact)  # 90 items, 2 cells, both probed


def test_no_index_below_the_threshold(tmp_path, trained):
    result, ids = trained
    path = save_artifact(tmp_path, result, ids, version="v1", item_index_min_items=1000)
    assert not (path / "items.faiss").exists()
    model = load_artifact(path)
    assert model.item_index is None and "item_index" not in model.manifest


@pytest.mark.parametrize("damage", ["missing", "flipped", "truncated"])
def test_a_damaged_index_falls_back_to_brute_force_with_a_warning(
    tmp_path, trained, caplog, damage
):
    result, ids = trained
    path = save_artifact(tmp_path, result, ids, version="v1", item_index_min_items=50)
    file = path / "items.faiss"
    blob = bytearray(file.read_bytes())
    if damage == "missing":
        file.unlink()
    elif damage == "flipped":
        blob[len(blob) // 2] ^= 0xFF
        file.write_bytes(bytes(blob))
    else:
        file.write_bytes(bytes(blob[: len(blob) // 2]))
    with caplog.at_level(logging.WARNING, logger="gnn.artifact"):
        model = load_artifact(path)
    assert model.item_index is None
    assert "item index not used, scoring by brute force" in caplog.text
    # the model itself still serves
    assert model.user_scores(np.arange(2)).shape == (2, model.num_items)
