"""The propagation benchmark computes one LightGCN step the same way through every package."""

from __future__ import annotations

import numpy as np
import pytest

from bench import propagation


@pytest.fixture
def split_dir(tmp_path):
    # a LightGCN-format train.txt: user then the items they consumed
    rng = np.random.default_rng(0)
    lines = []
    for user in range(40):
        items = rng.choice(60, size=rng.integers(3, 12), replace=False)
        lines.append(" ".join(str(v) for v in [user, *sorted(items)]))
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "test.txt").write_text("0 1\n")
    return tmp_path


def test_every_variant_computes_the_same_step(split_dir):
    problem = propagation.load_problem(split_dir)
    variants = [cls(problem) for cls in propagation.VARIANTS]
    diffs = propagation.check_agreement(variants)
    assert len(diffs) == 2 * (len(variants) - 1)
    assert max(diffs.values()) < 1e-5
    # the gradients agree too: the backward passes are the thing being compared
    grads = []
    for v in variants:
        v.weight.grad = None
        v.loss().backward()
        grads.append(v.weight.grad.clone())
    for g in grads[1:]:
        assert float((g - grads[0]).abs().max()) < 1e-6
    assert float(grads[0].abs().sum()) > 0


def test_report_has_a_row_per_variant_and_thread_count(split_dir):
    report = propagation.main(
        ["--data", str(split_dir), "--repeats", "2", "--threads", "1", "2", "--no-memory"]
    )
    assert set(report["timings"]) == {1, 2}
    for table in report["timings"].values():
        assert set(table) == {cls.name for cls in propagation.VARIANTS}
        for row in table.values():
            fb = row["forward_backward"]
            assert 0 < row["forward"]["median_ms"] <= fb["median_ms"] <= fb["max_ms"]


def test_variants_choose_the_rows_and_the_first_is_the_reference(split_dir):
    argv = ["--data", str(split_dir), "--repeats", "1", "--threads", "1", "--no-memory"]
    report = propagation.main([*argv, "--variants", "spmm-edgeindex", "custom"])
    table = report["timings"][1]
    assert list(table) == ["pyg spmm EdgeIndex", "custom sparse_mm"]
    assert table["pyg spmm EdgeIndex"]["ratio_to_first"]["median"] == 1.0
    assert set(report["agreement"]) == {"custom sparse_mm", "custom sparse_mm loss"}
