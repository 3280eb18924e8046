"""Time brute-force top-20 scoring of one user against the whole catalogue.

    python -m bench.scoring                      # random 100,000 x 64 item embeddings
    python -m bench.scoring --artifact DIR       # a trained model's real embeddings

Prints the median and p99 over --repeats calls of the model's own ``score_vector`` (the
path serving uses) and of the plain NumPy floor (matmul + argpartition), and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def _timings(fn, repeats: int) -> dict[str, float]:
    for _ in range(20):  # warm caches and lazy allocations
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(samples[len(samples) // 2], 4),
        "p99_ms": round(samples[min(len(samples) - 1, int(0.99 * len(samples)))], 4),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", help="A model version directory written by train_gnn.")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    if args.artifact:
        import gnn

        model = gnn.load_artifact(args.artifact)
        items = np.ascontiguousarray(model.item_embeddings, dtype=np.float32)
    else:
        model = None
        items = rng.standard_normal((args.items, args.dim), dtype=np.float32)
    user = rng.standard_normal(items.shape[1], dtype=np.float32)
    k = args.k

    def floor() -> np.ndarray:
        scores = items @ user
        top = np.argpartition(-scores, k)[:k]
        return top[np.argsort(-scores[top])]

    report = {"items": items.shape[0], "dim": items.shape[1], "k": k}
    report["numpy_floor"] = _timings(floor, args.repeats)
    if model is not None:
        exclude = rng.choice(items.shape[0], size=50, replace=False)
        report["model_score_vector"] = _timings(
            lambda: model.score_vector(user, exclude, k), args.repeats
        )
    for name, value in report.items():
        if isinstance(value, dict):
            print(f"{name:<22} median {value['median_ms']:.3f} ms   p99 {value['p99_ms']:.3f} ms")
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
