"""Top-20 by brute force against top-20 from the approximate item index, on synthetic data.

    python -m bench.vector_index --items 1000000 --dim 64
    python -m bench.vector_index --items 100000 300000 --nprobe 32 64 128

The catalogue is clustered like a real one, not uniform noise: ``--topics`` taste centres
with long-tailed sizes (a Zipf law), each item a mix of its topic's centre and a second
topic's plus noise, its norm spread like popularity (lognormal). ``S`` has
``--neighbours`` nonzeros per row, mostly in the item's own topic. Each user's history is
``--history`` items of one to three topics, and the user's vector the mean of the
history's item vectors (plus a little noise), the way a graph model places a user (one
propagation step); the history term then lifts items near the user's past rather than
random ones.

The score is the full serving score of :mod:`gnn.scoring` (dense term plus history term),
the user's own items masked out. Per catalogue size and ``nprobe``, on one thread, over
``--users`` users (median and p99 of the per-user latency):

- ``brute``: :func:`gnn.scoring.score_items` and :func:`gnn.scoring.top_k`;
- ``index``: :func:`gnn.vector_index.indexed_top_k` (dense candidates from the index, the
  history's reach added, every candidate scored exactly);
- ``recall@20``: the share of the exact top 20 the index path returns;
- build time of the index (what promotion pays once), its file size, and the memory a
  process pays for it: each of two processes maps the index file and serves every user,
  and reports its RSS, PSS and USS growth (the index's pages are shared between them).

Prints a table per size and the whole report as one JSON line (last line).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from gnn.history import history_row
from gnn.scoring import score_items, top_k
from gnn.vector_index import build_item_index, default_nprobe, indexed_top_k, read_item_index

MB = 1 << 20


def synthetic(
    items: int, dim: int, users: int, topics: int, neighbours: int, history: int, seed: int
):
    """Item vectors, user vectors, ``S`` and one history row per user (see the docstring)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((topics, dim)).astype(np.float32)
    sizes = 1.0 / np.arange(1, topics + 1) ** 0.8
    topic = np.sort(rng.choice(topics, items, p=sizes / sizes.sum()))
    second = rng.integers(0, topics, items)
    share = rng.beta(1, 4, items).astype(np.float32)[:, None]
    vectors = (1 - share) * centres[topic] + share * centres[second]
    vectors += 0.5 * rng.standard_normal((items, dim), dtype=np.float32)
    vectors *= rng.lognormal(0.0, 0.4, items).astype(np.float32)[:, None]
    people, rows = [], []
    starts = np.searchsorted(topic, np.arange(topics + 1))
    for _ in range(users):
        mine = rng.choice(topics, rng.integers(1, 4), p=sizes / sizes.sum())
        pool = np.concatenate([np.arange(starts[t], starts[t + 1]) for t in mine])
        picked = rng.choice(pool, min(history, len(pool)), replace=False)
        rows.append(picked)
        # as a graph model places a user: the mean of the items they engaged with
        people.append(vectors[picked].mean(axis=0) + 0.1 * rng.standard_normal(dim))
    s = _item_item(topic, starts, neighbours, rng)
    histories = [
        history_row(r, np.ones(len(r), np.float32), None, items, 0.0, "damped") for r in rows
    ]
    return vectors.astype(np.float32), np.array(people, np.float32), s, histories


def _item_item(topic: np.ndarray, starts: np.ndarray, neighbours: int, rng) -> sp.csr_matrix:
    """Each item's ``neighbours`` entries: 80% items of its own topic, the rest anywhere."""
    n = len(topic)
    rows = np.repeat(np.arange(n), neighbours)
    lo, hi = starts[topic][rows], starts[topic + 1][rows]
    own = lo + (rng.random(len(rows)) * (hi - lo)).astype(np.int64)
    anywhere = rng.integers(0, n, len(rows))
    cols = np.where(rng.random(len(rows)) < 0.8, own, anywhere)
    values = (rng.random(len(rows)) * 0.05).astype(np.float32)
    s = sp.csr_matrix((values, (rows, cols)), shape=(n, n), dtype=np.float32)
    s.sum_duplicates()
    s.indices, s.indptr = s.indices.astype(np.int32), s.indptr.astype(np.int32)
    return s


def _quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(ordered[len(ordered) // 2], 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 3),
    }


def _timed(fn, args_list) -> tuple[list, list[float]]:
    for args in args_list[:5]:  # warm caches and lazy allocations
        fn(*args)
    out, samples = [], []
    for args in args_list:
        start = time.perf_counter()
        out.append(fn(*args))
        samples.append((time.perf_counter() - start) * 1000)
    return out, samples


def _masks(items: int, histories: list[sp.csr_matrix]) -> list[np.ndarray]:
    masks = []
    for q in histories:
        mask = np.ones(items, bool)
        mask[q.indices] = False
        masks.append(mask)
    return masks


def _worker_memory(path: str, items: int, dim: int, nprobe: int, users, barrier, queue) -> None:
    """In a fresh process: map the index, serve every user, report the memory growth once
    every process has done so (so that the pages they share are counted as shared)."""
    import faiss

    faiss.omp_set_num_threads(1)
    me = psutil.Process()
    before = me.memory_full_info()
    index = read_item_index(path, items, dim, nprobe)
    for user in users:
        index.search(user, 100)
    barrier.wait(timeout=600)
    after = me.memory_full_info()
    queue.put({k: round((getattr(after, k) - getattr(before, k)) / MB, 1) for k in _MEMORY})
    barrier.wait(timeout=600)  # nobody unmaps before everybody has measured


_MEMORY = ("rss", "pss", "uss")


def _memory(path: str, items: int, dim: int, nprobe: int, users: np.ndarray) -> list[dict]:
    """Two processes at once, each with the index mapped, as two server workers."""
    ctx = multiprocessing.get_context("spawn")
    queue, barrier = ctx.Queue(), ctx.Barrier(2)
    procs = [
        ctx.Process(target=_worker_memory, args=(path, items, dim, nprobe, users, barrier, queue))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    reports = [queue.get(timeout=900) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return reports


def measure(args: argparse.Namespace, items: int) -> dict:
    started = time.perf_counter()
    vectors, users, s, histories = synthetic(
        items, args.dim, args.users, args.topics, args.neighbours, args.history, args.seed
    )
    generated = time.perf_counter() - started
    masks = _masks(items, histories)
    calls = list(zip(users, histories, masks, strict=True))
    with threadpool_limits(1):
        import faiss

        faiss.omp_set_num_threads(1)
        exact, brute_ms = _timed(
            lambda u, q, m: top_k(score_items(vectors, u, q, s), 20, m)[0], calls
        )
        start = time.perf_counter()
        index = build_item_index(vectors, lists=args.lists)
        build_s = time.perf_counter() - start
        report = {
            "items": items,
            "dim": args.dim,
            "users": args.users,
            "generate_s": round(generated, 1),
            "lists": index.lists,
            "build_s": round(build_s, 1),
            "brute": _quantiles(brute_ms),
            "item_vectors_mb": round(vectors.nbytes / MB, 1),
            "runs": [],
        }
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "items.faiss")
            index.write(path)
            report["index_file_mb"] = round(os.path.getsize(path) / MB, 1)
            for nprobe in args.nprobe or [default_nprobe(index.lists)]:
                index.index.nprobe = nprobe
                got, index_ms = _timed(
                    lambda u, q, m: indexed_top_k(index, vectors, u, 20, q, s, m, args.factor)[0],
                    calls,
                )
                found = sum(len(np.intersect1d(e, g)) for e, g in zip(exact, got, strict=True))
                run = {"nprobe": nprobe, "index": _quantiles(index_ms)}
                run["recall@20"] = round(found / (20 * len(exact)), 4)
                report["runs"].append(run)
            print(json.dumps(report), flush=True)  # the timings, should the memory part fail
            report["per_process"] = _memory(
                path, items, args.dim, report["runs"][-1]["nprobe"], users
            )
    return report


def _print(report: dict) -> None:
    b = report["brute"]
    print(
        f"\n{report['items']:,} items x {report['dim']}, {report['lists']} cells; "
        f"index built in {report['build_s']} s, file {report['index_file_mb']} MB "
        f"(item vectors {report['item_vectors_mb']} MB)"
    )
    print(f"  brute force top-20: median {b['median_ms']} ms, p99 {b['p99_ms']} ms")
    for run in report["runs"]:
        i = run["index"]
        print(
            f"  index nprobe {run['nprobe']:>4}: median {i['median_ms']} ms, p99 {i['p99_ms']} ms, "
            f"recall@20 {run['recall@20']}"
        )
    for n, mem in enumerate(report["per_process"]):
        print(f"  process {n}: RSS +{mem['rss']} MB, PSS +{mem['pss']} MB, USS +{mem['uss']} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--neighbours", type=int, default=20)
    parser.add_argument("--history", type=int, default=50)
    parser.add_argument("--lists", type=int, default=None, help="cells (default 4 sqrt(n))")
    parser.add_argument("--nprobe", type=int, nargs="*", default=None)
    parser.add_argument("--factor", type=int, default=5, help="dense candidates per item")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    reports = []
    for items in args.items:
        report = measure(args, items)
        _print(report)
        reports.append(report)
    print(json.dumps(reports))


if __name__ == "__main__":
    main()
