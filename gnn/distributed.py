"""The recipe over several processes: ``torchrun --nproc_per_node N -m gnn.distributed --data
DIR --minutes M``.

Every rank loads the split and runs :func:`gnn.fit` with the same seed and budget
(:mod:`gnn.parallel`: the validation users and the BPR tower's batches shared out, the
choices and the stop made on rank 0's figures and clock); rank 0 scores the model as
``python -m gnn.bench`` does and prints one JSON object on stdout. Without ``torchrun`` it
is one process, the same run as ``gnn.bench`` with no baselines. Over several machines:
``torchrun --nnodes 2 --nproc_per_node 1 --rdzv-backend c10d --rdzv-endpoint HOST:PORT``
on each, with the split at the same path on both.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from .bench import _log, load_split, score_recipe
from .parallel import init_ranks

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the recipe over torchrun's processes.")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    ap.add_argument("--threads", type=int, default=None, help="per rank (default: cores/ranks)")
    ap.add_argument("--topk-out", type=Path)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        ap.error(f"--data {args.data}: no such directory")
    started = time.perf_counter()
    ranks = init_ranks(args.device, args.threads)
    data, test, extra = load_split(args.data)
    try:
        ours = score_recipe(
            data,
            test,
            extra,
            args.minutes * 60.0,
            args.seed,
            not args.no_progress,
            topk_out=args.topk_out if ranks.is_leader else None,
            ranks=ranks,
        )
    finally:
        ranks.leave()
    if not ranks.is_leader:
        return 0
    report = {
        "dataset": args.data.name if args.data.name != "split" else args.data.parent.name,
        "budget_minutes": args.minutes,
        "world_size": ranks.world_size,
        "threads_per_rank": torch.get_num_threads(),
        "nodes": int(os.environ.get("GROUP_WORLD_SIZE", "1")),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "ours": ours,
    }
    _log(
        f"{ranks.world_size} rank(s): recall@20 {ours['recall@20']:.4f} "
        f"ndcg@20 {ours['ndcg@20']:.4f}, fit {ours['seconds']:.0f}s"
    )
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
