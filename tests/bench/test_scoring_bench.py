"""The scoring benchmark's synthetic model and its report (not its speed)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import scoring
from gnn import TrainConfig, fit, save_artifact
from tests.gnn.conftest import make_data


def test_synthetic_item_item_is_a_pruned_float32_csr():
    popularity = scoring.Popularity(5_000, 0.5, np.random.default_rng(0))
    s = scoring.synthetic_item_item(popularity, 40)
    per_row = np.diff(s.indptr)
    assert s.shape == (5_000, 5_000) and s.dtype == np.float32
    assert per_row.max() <= 40 and per_row.mean() > 35  # repeats merged, few of them
    s.check_format(full_check=True)
    rows = np.repeat(np.arange(5_000), per_row)
    same_row = rows[1:] == rows[:-1]
    assert np.all(np.diff(s.indices)[same_row] > 0)  # sorted, distinct columns in each row
    # popularity: the most drawn item appears in many more rows than the median item
    counts = np.bincount(s.indices, minlength=5_000)
    assert counts.max() > 5 * np.median(counts)


def test_history_rows_have_distinct_items_and_positive_weights():
    popularity = scoring.Popularity(5_000, 0.5, np.random.default_rng(0))
    q = scoring.synthetic_history(popularity, 100)
    assert q.shape == (1, 5_000) and q.nnz == 100 and (q.data > 0).all()


def test_report_covers_every_configuration():
    report = scoring.main(
        ["--items", "3000", "--dim", "8", "16", "--neighbours", "10", "20"]
        + ["--history", "5", "30", "--repeats", "3", "--compare"]
    )
    rows = report["rows"]
    for d in (8, 16):
        assert f"dense_floor d={d}" in rows
        for n in (10, 20):
            for h in (5, 30):
                assert f"score_items+top_k d={d} N={n} H={h}" in rows
    assert any("scipy q @ S" in name for name in rows)
    memory = {(m["dim"], m["neighbours"], m["history"]): m for m in report["memory"]}
    m = memory[(16, 20, 30)]
    assert m["item_matrix_mb"] == pytest.approx(3000 * 16 * 4 / 2**20, abs=0.05)
    # S: float32 data + int32 indices per nonzero, int32 row pointers
    nnz = report["item_item_nnz_per_row"][20] * 3000
    assert m["item_item_mb"] == pytest.approx((nnz * 8 + 3001 * 4) / 2**20, abs=0.05)
    assert m["projected_1000000_mb"] > 300 * m["total_mb"]


def test_artifact_is_scored_with_its_own_embeddings(tmp_path):
    data = make_data()
    config = TrainConfig(emb_dim=16, rank_grid=(16,), text_dim=64, seed=0)
    result = fit(data, config, progress=False)
    ids = {
        kind: [f"{kind}{i}" for i in range(count)]
        for kind, count in (
            ("user", data.num_users),
            ("item", data.num_items),
            ("tag", data.num_tags),
            ("category", data.num_categories),
        )
    }
    path = save_artifact(tmp_path / "models", result, ids, version="v1")
    report = scoring.main(["--artifact", str(path), "--repeats", "3", "--neighbours", "5"])
    assert report["items"] == data.num_items
    assert "model_score_vector" in report["rows"]
    assert f"score_items+top_k d={config.emb_dim} N=5 H=100" in report["rows"]
