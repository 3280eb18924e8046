"""Benchmark on a public split: ``python -m gnn.bench --data DIR --minutes M``.

DIR holds ``train.txt`` and ``test.txt`` (``user item item ...``, 0-based) and optionally
``items.tsv`` (title, genres, tags), ``train_interactions.tsv`` (times), ``cold_items.txt`` and
``test_cold.txt``. The model trains under the time budget, which also pays for the rank search
on validation. Whenever the best-so-far model changes (the one that would be served if
training stopped then, the spectral start first) its Recall@20 / NDCG@20 on the test split
are measured without charging the budget; the time curve reports, at 1, 2, 5, 10, ...
minutes, the best-so-far model ready by then.
With ``--baseline pyg`` PyG's ``LightGCN`` trains under the same budget in the same run.
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
import torch

from .data import TrainingData, temporal_split
from .metrics import evaluate_ranking, topk_items
from .pyg_baseline import train_pyg_lightgcn
from .recommender import ModelWeights
from .train import TrainConfig, train_model

__all__ = ["load_split", "main"]

CHECKPOINTS_S = (60, 120, 300, 600, 1200, 1800)


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


def _choose_dim(train: TrainingData, valid: dict[int, np.ndarray], args) -> int:
    """Rank of the spectral start: 512 on large catalogues, else the best of a few on valid."""
    if train.num_interactions > 300_000:
        return 512
    best, best_dim = -1.0, 64
    for dim in (64, 128, 256):
        cfg = TrainConfig(
            emb_dim=dim,
            layers=args.layers,
            epochs=0,
            seed=args.seed,
            content_epochs=0,
            tag_weight=args.tag_weight,
            category_weight=args.tag_weight,
            linear_filter=args.linear_filter == "on",
        )
        recall = train_model(train, cfg, valid=valid, progress=False).metrics["recall@20"]
        _log(f"spectral start with {dim} dims: valid recall@20 {recall:.4f}")
        if recall > best:
            best, best_dim = recall, dim
    return best_dim


def _time_curve(points: list[dict[str, float]], budget: float) -> list[dict[str, float]]:
    """At 1, 2, 5, 10, ... minutes: the best-so-far model ready by then (none: not yet)."""
    curve = []
    for mark in (m for m in CHECKPOINTS_S if m <= budget):
        ready = [p for p in points if p["seconds"] <= mark]
        entry: dict = {"minutes": mark / 60}
        if ready:
            entry.update(ready[-1])
        curve.append(entry)
    return curve


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the hybrid LightGCN on a public split.")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--topk-out", type=Path)
    ap.add_argument("--cold-out", type=Path)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--baseline", choices=["pyg", "none"], default="none")
    ap.add_argument("--dim", type=int, default=0, help="embedding size (0: by catalogue size)")
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--batch-size", type=int, default=16384)
    ap.add_argument("--degree-power", type=float, default=0.5)
    ap.add_argument(
        "--tag-weight",
        type=float,
        default=0.0,
        help="weight of item-tag and item-category edges in the graph (content reaches items "
        "through the content tower either way)",
    )
    ap.add_argument("--linear-filter", choices=["on", "off"], default="on")
    ap.add_argument("--content-loss", choices=["bpr", "mse"], default="bpr")
    ap.add_argument(
        "--valid-users",
        type=float,
        default=None,
        help="share of users with a validation holdout (10%% of their latest items); "
        "default: all users up to 10,000, else 20%%",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    budget = args.minutes * 60.0

    started = time.perf_counter()
    data, test, extra = load_split(args.data)
    _log(
        f"loaded {data.num_users} users, {data.num_items} items, {data.num_interactions} "
        f"train pairs in {time.perf_counter() - started:.1f}s"
    )
    exclude = _exclusion(data)
    valid_users = args.valid_users
    if valid_users is None:  # small sets need every user for a stable choice
        valid_users = 1.0 if data.num_users <= 10_000 else 0.2
    train, valid = temporal_split(data, 0.1, user_fraction=valid_users, seed=args.seed)
    searched = time.perf_counter()
    dim = args.dim or _choose_dim(train, valid, args)
    # the rank search is part of training: it is charged to the same budget
    search_s = time.perf_counter() - searched
    config = TrainConfig(
        emb_dim=dim,
        layers=args.layers,
        epochs=10_000,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        time_budget_s=max(budget - search_s, 1.0),
        degree_power=args.degree_power,
        tag_weight=args.tag_weight,
        category_weight=args.tag_weight,
        linear_filter=args.linear_filter == "on",
        content_loss=args.content_loss,
        patience=3,
        # large graphs: judge fine-tuning every fifth of an epoch so that it stops early
        evals_per_epoch=5 if train.num_interactions > 300_000 else 1,
    )
    points: list[dict[str, float]] = []

    def on_best(epoch: float, seconds: float, snapshot) -> None:
        # The best-so-far model, i.e. the one served if training stopped now, on the test set.
        m = evaluate_ranking(snapshot().user_scores, test, exclude=exclude, k=20)
        seconds += search_s  # on the timeline of the whole training, rank search included
        points.append(
            {
                "epoch": round(float(epoch), 2),
                "seconds": round(seconds, 1),
                "recall@20": m["recall@20"],
                "ndcg@20": m["ndcg@20"],
            }
        )
        _log(
            f"[{seconds:.0f}s] best so far (epoch {epoch:.2f}): recall@20 {m['recall@20']:.4f} "
            f"ndcg@20 {m['ndcg@20']:.4f}"
        )

    result = train_model(
        train, config, valid=valid, progress=not args.no_progress, callback=on_best
    )
    peak_ours = _peak_rss_mb()
    weights: ModelWeights = result.weights
    popularity = np.diff(exclude.tocsc().indptr).astype(np.float32)
    final = evaluate_ranking(
        weights.user_scores,
        test,
        exclude=exclude,
        k=20,
        item_popularity=popularity,
        item_features=weights.item_embeddings,
    )
    curve = _time_curve(points, budget)
    curve.append(
        {
            "minutes": (search_s + result.seconds) / 60,
            "epoch": result.epochs_run,
            "final": True,
            "seconds": round(search_s + result.seconds, 1),
            "recall@20": final["recall@20"],
            "ndcg@20": final["ndcg@20"],
        }
    )
    _log(
        f"ours: recall@20 {final['recall@20']:.4f} ndcg@20 {final['ndcg@20']:.4f} "
        f"in {search_s + result.seconds:.0f}s (rank search {search_s:.0f}s), "
        f"{result.epochs_run} epochs, peak {peak_ours:.0f} MB"
    )
    report: dict = {
        "dataset": args.data.name if args.data.name != "split" else args.data.parent.name,
        "budget_minutes": args.minutes,
        "ours": {
            **final,
            "seconds": search_s + result.seconds,
            "rank_search_seconds": search_s,
            "train_model_seconds": result.seconds,
            "emb_dim": dim,
            "epochs": result.epochs_run,
            "curve": curve,
            "valid": result.metrics,
            "blend": weights.blend,
            "linear_weight": weights.linear_weight,
            "peak_rss_mb": peak_ours,
            "config": config.to_json(),
        },
    }
    users = np.array(sorted(u for u, v in test.items() if len(v)), dtype=np.int64)
    if args.topk_out:
        _write_topk(
            args.topk_out, users, topk_items(weights.user_scores, users, 20, exclude=exclude)
        )
    cold_items = extra["cold_items"]
    if cold_items is not None and extra["cold_test"]:
        cold_test = extra["cold_test"]
        cold = evaluate_ranking(
            weights.user_scores, cold_test, exclude=exclude, k=20, candidate_items=cold_items
        )
        report["ours_cold"] = cold
        _log(f"ours cold: recall@20 {cold['recall@20']:.4f} ndcg@20 {cold['ndcg@20']:.4f}")
        if args.cold_out:
            cu = np.array(sorted(u for u, v in cold_test.items() if len(v)), dtype=np.int64)
            _write_topk(
                args.cold_out,
                cu,
                topk_items(
                    weights.user_scores, cu, 20, exclude=exclude, candidate_items=cold_items
                ),
            )
    if args.baseline == "pyg":
        _log("training PyG LightGCN under the same budget")
        report["pyg_lightgcn"] = train_pyg_lightgcn(
            data,
            test,
            exclude,
            budget_s=budget,
            seed=args.seed,
            progress=not args.no_progress,
            checkpoints_s=[m for m in CHECKPOINTS_S if m <= budget],
            log=_log,
        )
    report["peak_rss_mb_process"] = _peak_rss_mb()
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
