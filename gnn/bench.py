"""Benchmark the recipe on a public split: ``python -m gnn.bench --data DIR --minutes M``.

DIR holds ``train.txt`` and ``test.txt`` (``user item item ...``, 0-based) and optionally
``items.tsv`` (title, genres, tags), ``train_interactions.tsv`` (times), ``cold_items.txt`` and
``test_cold.txt``. The model is :func:`gnn.fit` at its defaults, with only the time budget set
from ``--minutes``: the same call ``manage.py train_gnn`` makes, so no flag here changes the
model. The test file is read only to score the finished model (and the baselines).
Progress goes to stderr; one JSON object is printed last on stdout.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .baselines import BASELINES, run_baselines
from .data import TrainingData
from .metrics import evaluate_ranking, topk_items
from .parallel import SINGLE, Ranks
from .recipe import TrainConfig, TrainResult, fit

__all__ = ["load_split", "main"]

CHECKPOINTS_S = (60, 120, 300, 600, 1200, 1800)  # the time curve's marks


def _read_lists(path: Path) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    if not path.exists():
        return out
    with path.open() as fh:
        for line in fh:
            parts = line.split()
            if parts:
                out[int(parts[0])] = np.array([int(p) for p in parts[1:]], dtype=np.int64)
    return out


def load_split(data_dir: Path) -> tuple[TrainingData, dict[int, np.ndarray], dict]:
    """Read a split directory into training data, the test lists and extras (cold items)."""
    train = _read_lists(data_dir / "train.txt")
    test = _read_lists(data_dir / "test.txt")
    cold_test = _read_lists(data_dir / "test_cold.txt")
    cold_items = None
    if (data_dir / "cold_items.txt").exists():
        cold_items = np.array((data_dir / "cold_items.txt").read_text().split(), dtype=np.int64)
    lists = list(train.values()) + list(test.values()) + list(cold_test.values())
    num_users = 1 + max(max(train), max(test, default=0), max(cold_test, default=0))
    num_items = 1 + max(int(v.max()) for v in lists if len(v))
    items_tsv = data_dir / "items.tsv"
    texts = tags = None
    if items_tsv.exists():
        with items_tsv.open(newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        num_items = max(num_items, 1 + max(int(r["item_id"]) for r in rows))
        texts = [""] * num_items
        tags = [[] for _ in range(num_items)]
        for r in rows:
            i = int(r["item_id"])
            texts[i] = " ".join(
                filter(None, [r.get("title"), r.get("year"), r.get("release_date")])
            )
            tags[i] = [f"genre:{g}" for g in (r.get("genres") or "").split("|") if g]
            tags[i] += [f"tag:{t.lower()}" for t in (r.get("tags") or "").split("|") if t]
    user = np.concatenate([np.full(len(v), u) for u, v in train.items()])
    item = np.concatenate(list(train.values()))
    time_ = np.zeros(len(user), dtype=np.int64)
    inter = data_dir / "train_interactions.tsv"
    if inter.exists():
        with inter.open(newline="") as fh:
            when = {
                (int(r["user_id"]), int(r["item_id"])): int(r["timestamp"])
                for r in csv.DictReader(fh, delimiter="\t")
            }
        time_ = np.array([when.get((u, i), 0) for u, i in zip(user, item, strict=True)])
    kwargs: dict = {}
    if tags is not None:
        vocab = {t: k for k, t in enumerate(sorted({t for ts in tags for t in ts}))}
        genres = sorted(t for t in vocab if t.startswith("genre:"))
        pairs = [(i, vocab[t]) for i, ts in enumerate(tags) for t in ts]
        first_genre = np.array(
            [genres.index(ts[0]) if ts and ts[0].startswith("genre:") else -1 for ts in tags]
        )
        kwargs = {
            "item_tags": (np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])),
            "num_tags": len(vocab),
            "item_category": first_genre,
            "num_categories": max(len(genres), 1),
            "item_text": texts,
        }
    data = TrainingData(
        num_users=num_users, num_items=num_items, user=user, item=item, time=time_, **kwargs
    )
    return data, test, {"cold_items": cold_items, "cold_test": cold_test}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _write_topk(path: Path, users: np.ndarray, top: np.ndarray) -> None:
    with path.open("w") as fh:
        for u, row in zip(users, top, strict=True):
            fh.write(f"{u} " + " ".join(str(i) for i in row if i >= 0) + "\n")


def _exclusion(data: TrainingData) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.ones(len(data.user), np.float32), (data.user, data.item)),
        shape=(data.num_users, data.num_items),
    )


def _time_curve(result: TrainResult, final: dict[str, float], budget: float) -> list[dict]:
    """At 1, 2, 5, 10, ... minutes: the model ready by then. The recipe serves one model, ready
    when :func:`gnn.fit` returns; before that there is none to serve."""
    curve = []
    for mark in (m for m in CHECKPOINTS_S if m <= max(budget, 60)):
        entry: dict = {"minutes": mark / 60}
        if result.seconds <= mark:
            entry.update({"recall@20": final["recall@20"], "ndcg@20": final["ndcg@20"]})
        curve.append(entry)
    return curve


def recipe_config(budget_s: float, seed: int) -> TrainConfig:
    """What the benchmark fits with: the recipe's defaults, only the budget and seed set, as
    ``manage.py train_gnn --time-budget B --seed S`` does."""
    return TrainConfig(time_budget_s=budget_s, seed=seed)


def score_recipe(
    data: TrainingData,
    test: dict[int, np.ndarray],
    extra: dict,
    budget_s: float,
    seed: int,
    progress: bool,
    topk_out: Path | None = None,
    cold_out: Path | None = None,
    ranks: Ranks = SINGLE,
) -> dict:
    """Fit the recipe at its defaults and score it on ``test`` (and the cold slice); over
    several ``ranks`` all of them fit and rank 0 alone scores (the others return ``{}``)."""
    exclude = _exclusion(data)
    result = fit(data, recipe_config(budget_s, seed), progress=progress, log=_log, ranks=ranks)
    if not ranks.is_leader:
        return {}
    weights = result.weights
    popularity = np.diff(exclude.tocsc().indptr).astype(np.float32)
    final = evaluate_ranking(
        weights.user_scores,
        test,
        exclude=exclude,
        k=20,
        item_popularity=popularity,
        item_features=weights.item_embeddings,
    )
    report: dict = {
        **final,
        "seconds": round(result.seconds, 1),
        "peak_rss_mb": _peak_rss_mb(),
        "choice": result.choice.to_json(),
        "valid": result.metrics,
        "stop_reason": result.stop_reason,
        "curve": _time_curve(result, final, budget_s),
        "search": result.history,
        "item_item_nnz": int(weights.item_item.nnz) if weights.item_item is not None else 0,
    }
    _log(
        f"recipe: recall@20 {final['recall@20']:.4f} ndcg@20 {final['ndcg@20']:.4f} "
        f"in {result.seconds:.0f}s, peak {report['peak_rss_mb']:.0f} MB"
    )
    users = np.array(sorted(u for u, v in test.items() if len(v)), dtype=np.int64)
    if topk_out:
        _write_topk(topk_out, users, topk_items(weights.user_scores, users, 20, exclude=exclude))
    cold_items, cold_test = extra.get("cold_items"), extra.get("cold_test")
    if cold_items is not None and cold_test:
        cold = evaluate_ranking(
            weights.user_scores, cold_test, exclude=exclude, k=20, candidate_items=cold_items
        )
        report["cold"] = cold
        _log(f"recipe cold: recall@20 {cold['recall@20']:.4f} ndcg@20 {cold['ndcg@20']:.4f}")
        if cold_out:
            cu = np.array(sorted(u for u, v in cold_test.items() if len(v)), dtype=np.int64)
            top = topk_items(
                weights.user_scores, cu, 20, exclude=exclude, candidate_items=cold_items
            )
            _write_topk(cold_out, cu, top)
    return report


def table(report: dict) -> str:
    """Recall@20 / NDCG@20 of the recipe and each baseline, warm and on cold items."""

    def cell(metrics: dict | None) -> str:
        if not metrics or "recall@20" not in metrics:
            return "-"
        return f"{metrics['recall@20']:.4f} / {metrics['ndcg@20']:.4f}"

    rows = [("recipe", report["ours"], report["ours"].get("cold"))]
    for name, result in report.get("baselines", {}).items():
        rows.append((name, result if "skipped" not in result else None, result.get("cold")))
    lines = [f"{'model':<14} {'warm R@20 / N@20':<20} {'cold R@20 / N@20':<20}"]
    lines += [f"{name:<14} {cell(warm):<20} {cell(cold):<20}" for name, warm, cold in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the recipe on a public split.")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--topk-out", type=Path)
    ap.add_argument("--cold-out", type=Path)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument(
        "--baselines",
        nargs="*",
        default=list(BASELINES),
        choices=list(BASELINES),
        help="baselines fitted and scored in the same run (default: all; none: no names)",
    )
    ap.add_argument(
        "--pyg-minutes",
        type=float,
        default=None,
        help="PyG LightGCN's training budget (default: the recipe's --minutes)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    budget = args.minutes * 60.0
    started = time.perf_counter()
    data, test, extra = load_split(args.data)
    _log(
        f"loaded {data.num_users} users, {data.num_items} items, {data.num_interactions} "
        f"train pairs in {time.perf_counter() - started:.1f}s"
    )
    report: dict = {
        "dataset": args.data.name if args.data.name != "split" else args.data.parent.name,
        "budget_minutes": args.minutes,
        "ours": score_recipe(
            data, test, extra, budget, args.seed, not args.no_progress, args.topk_out, args.cold_out
        ),
    }
    pyg_minutes = args.minutes if args.pyg_minutes is None else args.pyg_minutes
    report["baselines"] = run_baselines(
        data,
        test,
        _exclusion(data),
        cold_test=extra.get("cold_test") or None,
        cold_items=extra.get("cold_items"),
        budget_s_pyg=pyg_minutes * 60.0,
        seed=args.seed,
        log=_log,
        names=args.baselines,
    )
    report["peak_rss_mb_process"] = _peak_rss_mb()
    _log(table(report))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
