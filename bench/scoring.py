"""Time top-20 scoring of one user against the whole catalogue, dense term plus history term.

    python -m bench.scoring                      # random 100,000 x 64 item embeddings
    python -m bench.scoring --dim 32 64 128 --neighbours 100 200 500 --history 20 100 300
    python -m bench.scoring --neighbours 200 --history 100 --compare   # history-term kernels
    python -m bench.scoring --artifact DIR       # a trained model's real embeddings

The served score is ``item_vectors @ e_u + q_u @ S`` (:mod:`gnn.scoring`): ``S`` is a pruned
item-item matrix with ``--neighbours`` nonzeros per row, its columns drawn from a power-law
item popularity (``--popularity``; 0 is uniform), and ``q_u`` a row over ``--history`` items
with recency-like weights. Each timed call scores the next of 64 synthetic users, so the
user's rows of ``S`` are not always in cache.

Rows, each the median and p99 over ``--repeats`` calls on one thread:

- ``dense_floor``: NumPy matrix-vector product and ``argpartition``, nothing else;
- ``history_floor``: the history term alone, added into a preallocated score vector;
- ``score_items+top_k``: :func:`gnn.scoring.score_items` and :func:`gnn.scoring.top_k` with
  50 items masked out, what a serving worker calls;
- with ``--compare``, the other ways of computing the history term;
- with ``--artifact``, the loaded model's own ``score_vector``.

Memory: the bytes of the model arrays (item matrix, ``S``, one user's rows), at the measured
size and projected to ``--project-items``, and the process's RSS growth while they are built.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from itertools import cycle

import numpy as np
import psutil
import scipy.sparse as sp
import torch
from threadpoolctl import threadpool_limits

from gnn.graph import to_torch_csr
from gnn.history import history_row
from gnn.scoring import add_history_term, score_items, top_k

USERS = 64  # synthetic users cycled through by the timed calls
EXCLUDED = 50  # items masked out of each top-k (a user's history, hidden items)


def _timings(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    for _ in range(min(20, repeats)):  # warm caches and lazy allocations
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "min_ms": round(samples[0], 4),
        "median_ms": round(samples[len(samples) // 2], 4),
        "p99_ms": round(samples[min(len(samples) - 1, int(0.99 * len(samples)))], 4),
    }


def _rss() -> int:
    return psutil.Process().memory_info().rss


class Popularity:
    """Item ids drawn with probability ~ (popularity rank)^-power; ranks map to shuffled ids.

    Inverse CDF of the continuous power law on [0, n): rank = n u^(1 / (1 - power)).
    """

    def __init__(self, n: int, power: float, rng: np.random.Generator) -> None:
        if not 0 <= power < 1:
            raise ValueError("the popularity exponent must be in [0, 1)")
        self.n, self.power, self.rng = n, power, rng
        self.ids = rng.permutation(n).astype(np.int32)

    def draw(self, size) -> np.ndarray:
        u = self.rng.random(size)
        rank = (self.n * u ** (1.0 / (1.0 - self.power))).astype(np.int64)
        return self.ids[np.minimum(rank, self.n - 1)]


def synthetic_item_item(popularity: Popularity, neighbours: int) -> sp.csr_matrix:
    """A pruned S: ``neighbours`` draws per row, repeats merged (so at most that many)."""
    n, rng = popularity.n, popularity.rng
    cols = popularity.draw((n, neighbours))
    cols.sort(axis=1)
    keep = np.ones(cols.shape, dtype=bool)
    keep[:, 1:] = cols[:, 1:] != cols[:, :-1]
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(keep.sum(axis=1), out=indptr[1:])
    indices = cols[keep]
    del cols, keep
    data = rng.random(len(indices), dtype=np.float32)
    mat = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    mat.has_sorted_indices = True
    return mat


def synthetic_history(popularity: Popularity, size: int) -> sp.csr_matrix:
    """A user's history row, built as serving builds one: ``size`` distinct items, the
    older ones weighing less."""
    items = np.unique(popularity.draw(4 * size))
    items = popularity.rng.permutation(items)[:size]
    weights = np.exp(-np.arange(len(items)) / max(size / 3, 1.0)).astype(np.float32)
    return history_row(items, weights, None, popularity.n, 0.0)


def _history_kernels(item_item: sp.csr_matrix, n: int) -> dict[str, Callable]:
    """Ways of computing ``q @ S`` into a score vector, for ``--compare``."""
    tensor = to_torch_csr(item_item)

    def gather(q: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        starts = item_item.indptr[q.indices]
        lengths = item_item.indptr[q.indices + 1] - starts
        ends = np.cumsum(lengths)
        offsets = np.arange(ends[-1]) + np.repeat(starts - (ends - lengths), lengths)
        return item_item.indices[offsets], item_item.data[offsets] * np.repeat(q.data, lengths)

    def scipy_product(s, q):
        r = q @ item_item
        s[r.indices] += r.data

    def scipy_rows(s, q):
        s += item_item[q.indices].T @ q.data

    def numpy_add_at(s, q):
        cols, vals = gather(q)
        np.add.at(s, cols, vals)

    def numpy_bincount(s, q):
        cols, vals = gather(q)
        s += np.bincount(cols, weights=vals, minlength=n).astype(np.float32)

    def torch_index_add(s, q):
        cols, vals = gather(q)
        torch.from_numpy(s).index_add_(
            0, torch.from_numpy(cols.astype(np.int64)), torch.from_numpy(vals)
        )

    def torch_sparse(s, q):
        s += (to_torch_csr(q) @ tensor).to_dense().numpy().ravel()

    return {
        "gnn.scoring (row_index+csc_matvec)": lambda s, q: add_history_term(s, q, item_item),
        "scipy q @ S": scipy_product,
        "scipy S[rows].T @ q": scipy_rows,
        "numpy gather + add.at": numpy_add_at,
        "numpy gather + bincount": numpy_bincount,
        "torch gather + index_add_": torch_index_add,
        "torch sparse CSR q @ S": torch_sparse,
    }


def _memory(items: np.ndarray, item_item, users, n: int, project: int) -> dict:
    """Bytes of what a worker holds, measured and scaled linearly to ``project`` items."""
    dense = items.nbytes
    mat = (
        0
        if item_item is None
        else (item_item.data.nbytes + item_item.indices.nbytes + item_item.indptr.nbytes)
    )
    user = max(e.nbytes + q.data.nbytes + q.indices.nbytes + q.indptr.nbytes for e, q in users)
    per_call = n * 4 + n  # the score vector and the eligibility mask
    scale = project / n
    mb = 1 / 2**20
    return {
        "items": n,
        "item_matrix_mb": round(dense * mb, 1),
        "item_item_mb": round(mat * mb, 1),
        "user_rows_kb": round(user / 1024, 1),
        "per_call_mb": round(per_call * mb, 2),
        "total_mb": round((dense + mat + user + per_call) * mb, 1),
        f"projected_{project}_mb": round((dense + mat + per_call) * scale * mb + user * mb, 1),
    }


def _measure(args, items, item_item, users, rows: dict, label: str) -> None:
    """The history floor (when there is an S) and the serving path, for one configuration."""
    n, k = items.shape[0], args.k
    mask = np.ones(n, dtype=bool)
    mask[np.random.default_rng(1).choice(n, EXCLUDED, replace=False)] = False
    pick = cycle(users)
    scores = np.zeros(n, dtype=np.float32)

    def serving() -> None:
        e_u, q = next(pick)
        top_k(score_items(items, e_u, q, item_item), k, mask)

    def history_floor() -> None:
        add_history_term(scores, next(pick)[1], item_item)

    if item_item is not None:
        rows[f"history_floor N={label.split('N=')[1]}"] = _timings(history_floor, args.repeats)
    rows[f"score_items+top_k {label}"] = _timings(serving, args.repeats)


def _compare(args, item_item, users, rows: dict, label: str) -> None:
    """Every history kernel of :func:`_history_kernels` on the same users."""
    n = item_item.shape[0]
    scores = np.zeros(n, dtype=np.float32)
    pick = cycle(users)
    for name, kernel in _history_kernels(item_item, n).items():
        # torch's sparse product takes ~100 ms a call: a few calls size it
        repeats = args.repeats if "torch sparse" not in name else max(5, args.repeats // 50)
        rows[f"  {name} {label}"] = _timings(
            lambda kernel=kernel: kernel(scores, next(pick)[1]), repeats
        )


def _dense_floors(args, dense: dict, model, rows: dict, rng: np.random.Generator) -> None:
    """Matrix-vector product plus ``argpartition``; with an artifact, its ``score_vector``."""
    k = args.k
    for items in dense.values():
        user = rng.standard_normal(items.shape[1], dtype=np.float32)

        def floor(items=items, user=user) -> np.ndarray:
            scores = items @ user
            top = np.argpartition(-scores, k)[:k]
            return top[np.argsort(-scores[top])]

        rows[f"dense_floor d={items.shape[1]}"] = _timings(floor, args.repeats)
        if model is not None:
            exclude = rng.choice(items.shape[0], size=EXCLUDED, replace=False)
            rows["model_score_vector"] = _timings(
                lambda user=user, exclude=exclude: model.score_vector(user, exclude, k),
                args.repeats,
            )


def _history_grid(args, dense: dict, report: dict, rng: np.random.Generator) -> None:
    """Serving path and history floor for every (neighbours, history, dim), with memory."""
    n = report["items"]
    popularity = Popularity(n, args.popularity, rng)
    for neighbours in args.neighbours or [0]:
        before = _rss()
        item_item = synthetic_item_item(popularity, neighbours) if neighbours else None
        grown = _rss() - before
        if item_item is not None:
            report["item_item_nnz_per_row"][neighbours] = round(item_item.nnz / n, 1)
        for size in args.history if neighbours else [0]:
            histories = [synthetic_history(popularity, size) for _ in range(USERS)]
            for items in dense.values():
                d = items.shape[1]
                users = [(rng.standard_normal(d, dtype=np.float32), q) for q in histories]
                _measure(
                    args, items, item_item, users, report["rows"], f"d={d} N={neighbours} H={size}"
                )
                memory = _memory(items, item_item, users, n, args.project_items)
                memory.update(dim=d, neighbours=neighbours, history=size)
                memory["rss_growth_item_item_mb"] = round(grown / 2**20, 1)
                report["memory"].append(memory)
            if args.compare and item_item is not None:
                _compare(args, item_item, users, report["rows"], f"N={neighbours} H={size}")
        del item_item


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", help="A model version directory written by train_gnn.")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--dim", type=int, nargs="+", default=[64])
    parser.add_argument(
        "--neighbours", type=int, nargs="*", default=[], help="S's nonzeros per row"
    )
    parser.add_argument("--history", type=int, nargs="+", default=[100], help="items per user")
    parser.add_argument(
        "--popularity", type=float, default=0.5, help="power-law exponent in [0, 1)"
    )
    parser.add_argument("--compare", action="store_true", help="time other history kernels")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--project-items", type=int, default=1_000_000)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = _parse(argv)
    threadpool_limits(limits=args.threads)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    model = None
    before = _rss()
    if args.artifact:
        import gnn

        model = gnn.load_artifact(args.artifact)
        dense = {0: np.ascontiguousarray(model.item_embeddings, dtype=np.float32)}
    else:
        dense = {d: rng.standard_normal((args.items, d), dtype=np.float32) for d in args.dim}
    report: dict = {
        "items": next(iter(dense.values())).shape[0],
        "k": args.k,
        "threads": args.threads,
        "popularity": args.popularity,
        "rss_growth_item_matrices_mb": round((_rss() - before) / 2**20, 1),
        "item_item_nnz_per_row": {},
        "rows": {},
        "memory": [],
    }
    _dense_floors(args, dense, model, report["rows"], rng)
    _history_grid(args, dense, report, rng)
    _print(report)
    print(json.dumps(report))
    return report


def _print(report: dict) -> None:
    print(f"{report['items']} items, top-{report['k']}, {report['threads']} thread(s)")
    for name, value in report["rows"].items():
        print(
            f"{name:<52} median {value['median_ms']:8.3f} ms   p99 {value['p99_ms']:8.3f} ms"
            f"   min {value['min_ms']:7.3f} ms"
        )
    print(f"RSS growth for the item matrices: {report['rss_growth_item_matrices_mb']} MB")
    seen = set()
    for m in report["memory"]:
        key = (m["dim"], m["neighbours"])
        if key in seen:
            continue
        seen.add(key)
        projected = next(v for name, v in m.items() if name.startswith("projected_"))
        print(
            f"memory d={m['dim']} N={m['neighbours']}: items {m['item_matrix_mb']} MB + S "
            f"{m['item_item_mb']} MB (RSS grew {m['rss_growth_item_item_mb']} MB) "
            f"+ user rows {m['user_rows_kb']} KB + per call {m['per_call_mb']} MB = "
            f"{m['total_mb']} MB; projected {projected} MB"
        )


if __name__ == "__main__":
    main()
