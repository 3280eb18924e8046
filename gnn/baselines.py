"""Reference recommenders fitted on the same :class:`TrainingData` as the model.

Each baseline yields a scoring function ``scores(user_rows) -> (users x items)`` that
:func:`gnn.metrics.evaluate_ranking` and :func:`gnn.metrics.topk_items` accept:

* ``popularity``: the number of users with a positive training pair per item;
* ``random``: seeded uniform scores, the same for a user whatever the batch;
* ``gfcf``: GF-CF (Shen et al., "How Powerful is Graph Convolution for Recommendation?",
  CIKM 2021), training-free: with ``R~ = D_U^-1/2 R D_I^-1/2`` and ``V`` the top-``k`` right
  singular vectors of ``R~``, ``s_u = r_u (R~^T R~ + alpha D_I^-1/2 V V^T D_I^1/2)``;
* ``ease``: EASE^R (Steck, "Embarrassingly Shallow Autoencoders", WWW 2019), closed form:
  ``P = (X^T X + lambda I)^-1``, ``B = I - P diag(1 / diag(P))``, ``s_u = x_u B``, with
  ``lambda`` chosen on a validation split carved from the training data;
* ``tag_cosine``: the cosine between a user's tag profile (the sum of the tag rows of the
  user's training items) and each item's tag row; it ranks cold items, which have no pairs;
* ``pyg_lightgcn``: PyG's ``LightGCN`` under a time budget (:mod:`gnn.pyg_baseline`).

Positive pairs are those whose summed weight is above zero; every baseline sees them as 1.
``python -m gnn.baselines --data DIR [--names ...]`` runs them on a split and prints one JSON
line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.linalg.lapack as lapack
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from . import content
from .data import TrainingData, aggregate_interactions, temporal_split
from .metrics import evaluate_ranking, topk_items
from .pyg_baseline import train_pyg_lightgcn

__all__ = [
    "BASELINES",
    "Baseline",
    "choose_ease_lambda",
    "ease",
    "fit_baseline",
    "gfcf",
    "main",
    "popularity",
    "positive_matrix",
    "random_scores",
    "run_baselines",
    "tag_cosine",
]

Scores = Callable[[np.ndarray], np.ndarray]

BASELINES = ("popularity", "random", "gfcf", "ease", "tag_cosine", "pyg_lightgcn")
# Baselines whose scores differ between items without training pairs: only these are
# measured on cold items (the others tie them all, and a tie's order says nothing).
COLD_CAPABLE = ("random", "tag_cosine")
EASE_MAX_ITEMS = 20_000
DENSE_SVD_MAX_CELLS = 20_000_000  # users x items below which GF-CF takes an exact dense SVD
EASE_LAMBDAS = tuple(float(x) for x in np.geomspace(50.0, 2000.0, 5).round(1))


@dataclass
class Baseline:
    """A fitted baseline: its scoring function and what was chosen while fitting it."""

    name: str
    scores: Scores
    params: dict[str, object] = field(default_factory=dict)


def positive_matrix(data: TrainingData) -> sp.csr_matrix:
    """Binary (users x items) matrix of the pairs whose summed weight is positive."""
    user, item, weight, _ = aggregate_interactions(data)
    keep = weight > 0
    return sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (user[keep], item[keep])),
        shape=(data.num_users, data.num_items),
    )


def popularity(data: TrainingData) -> Baseline:
    """Every user gets the items ranked by their number of positive training users."""
    counts = np.asarray(positive_matrix(data).sum(axis=0), dtype=np.float32).ravel()

    def scores(users: np.ndarray) -> np.ndarray:
        return np.repeat(counts[None, :], len(users), axis=0)

    return Baseline("popularity", scores)


def random_scores(num_items: int, seed: int = 0) -> Baseline:
    """Uniform scores from a generator seeded by ``(seed, user)``: batch order cannot matter."""

    def scores(users: np.ndarray) -> np.ndarray:
        out = np.empty((len(users), num_items), dtype=np.float32)
        for row, u in enumerate(users):
            out[row] = np.random.default_rng([seed, int(u)]).random(num_items, dtype=np.float32)
        return out

    return Baseline("random", scores, {"seed": seed})


def _inverse_sqrt(degree: np.ndarray) -> np.ndarray:
    """``degree ** -0.5`` with 0 where the degree is 0 (such rows and columns stay empty)."""
    out = np.zeros(len(degree), dtype=np.float32)
    nz = degree > 0
    out[nz] = degree[nz] ** -0.5
    return out


def _top_right_singular_vectors(mat: sp.csr_matrix, rank: int, seed: int) -> np.ndarray:
    """Exact dense SVD for small matrices (ARPACK is slower there); ``svds`` otherwise."""
    if mat.shape[0] * mat.shape[1] <= DENSE_SVD_MAX_CELLS:
        _, _, vt = scipy.linalg.svd(mat.toarray(), full_matrices=False)
        return np.ascontiguousarray(vt[:rank].T, dtype=np.float32)
    # ARPACK's start vector is drawn from random_state: the same data gives the same filter.
    _, _, vt = svds(mat, k=rank, random_state=seed)
    return np.ascontiguousarray(vt.T, dtype=np.float32)


def gfcf(data: TrainingData, *, alpha: float = 0.3, k: int = 256, seed: int = 0) -> Baseline:
    """GF-CF: a linear low-pass filter plus an ideal filter on the top-``k`` singular vectors.

    Nothing is materialised at the item-item size: scores are computed for the requested users
    only, as ``((r R~^T) R~)`` and ``((r D^-1/2 V) (D^1/2 V)^T)``.
    """
    binary = positive_matrix(data)
    d_user = _inverse_sqrt(np.asarray(binary.sum(axis=1)).ravel())
    d_item = _inverse_sqrt(np.asarray(binary.sum(axis=0)).ravel())
    norm = (sp.diags(d_user) @ binary @ sp.diags(d_item)).tocsr()
    rank = max(1, min(k, min(norm.shape) - 1))
    vectors = _top_right_singular_vectors(norm, rank, seed)  # items x rank
    # D_I^{1/2} of an item without pairs is taken as 0: its column of V is 0 anyway.
    d_item_sqrt = np.zeros_like(d_item)
    d_item_sqrt[d_item > 0] = 1.0 / d_item[d_item > 0]
    left = vectors * d_item[:, None]
    right = vectors * d_item_sqrt[:, None]
    norm_t = norm.T.tocsr()

    def scores(users: np.ndarray) -> np.ndarray:
        rows = binary[np.asarray(users, dtype=np.int64)]
        # (I x U) sparse times a dense (U x b) block: one pass over the pairs per block.
        user_side = (rows @ norm_t).T.toarray()
        linear = (norm_t @ user_side).T
        ideal = (rows @ left) @ right.T
        return np.ascontiguousarray(linear + alpha * ideal, dtype=np.float32)

    return Baseline("gfcf", scores, {"alpha": alpha, "k": rank})


def _inverse_spd(gram: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix through its Cholesky factor."""
    factor, info = lapack.spotrf(gram, lower=True, overwrite_a=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation failed (info {info})")
    inverse, info = lapack.spotri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse from the Cholesky factor failed (info {info})")
    # potri fills the lower triangle only
    return np.tril(inverse) + np.tril(inverse, -1).T


def _ease_weights(binary: sp.csr_matrix, active: np.ndarray, lam: float) -> np.ndarray:
    """EASE^R's item-item matrix over the ``active`` items (the others score 0, as in the
    full closed form, where an item without pairs has a zero column of B)."""
    sub = binary[:, active]
    gram = (sub.T @ sub).toarray().astype(np.float32)
    gram[np.diag_indices_from(gram)] += lam
    weights = _inverse_spd(gram)
    weights /= -np.diag(weights)[None, :]
    weights[np.diag_indices_from(weights)] = 0.0
    return weights


def _ease_scores(binary: sp.csr_matrix, active: np.ndarray, weights: np.ndarray) -> Scores:
    num_items = binary.shape[1]
    sub = binary[:, active].tocsr()

    def scores(users: np.ndarray) -> np.ndarray:
        out = np.zeros((len(users), num_items), dtype=np.float32)
        out[:, active] = sub[np.asarray(users, dtype=np.int64)] @ weights
        return out

    return scores


def _active_items(binary: sp.csr_matrix) -> np.ndarray:
    return np.flatnonzero(np.diff(binary.tocsc().indptr))


def choose_ease_lambda(
    data: TrainingData,
    lambdas: Sequence[float] = EASE_LAMBDAS,
    *,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> tuple[float, dict[float, float]]:
    """The L2 weight with the best Recall@20 on each user's latest 10% of training pairs.

    The test split is never looked at. Returns ``(lambda, {lambda: valid recall@20})``.
    """
    fit, valid = temporal_split(data, 0.1, seed=seed)
    binary = positive_matrix(fit)
    active = _active_items(binary)
    exclude = sp.csr_matrix(
        (np.ones(len(fit.user), np.float32), (fit.user, fit.item)), shape=binary.shape
    )
    recalls: dict[float, float] = {}
    for lam in lambdas:
        scores = _ease_scores(binary, active, _ease_weights(binary, active, lam))
        recalls[lam] = evaluate_ranking(scores, valid, exclude=exclude, k=20)["recall@20"]
        if log is not None:
            log(f"ease lambda {lam:g}: valid recall@20 {recalls[lam]:.4f}")
    return max(recalls, key=lambda lam: recalls[lam]), recalls


def ease(
    data: TrainingData,
    *,
    lam: float | None = None,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> Baseline:
    """EASE^R over the items with training pairs; ``lam=None`` chooses it on validation."""
    params: dict[str, object] = {}
    if lam is None:
        lam, recalls = choose_ease_lambda(data, seed=seed, log=log)
        params["valid_recall@20"] = {str(k): v for k, v in recalls.items()}
    binary = positive_matrix(data)
    active = _active_items(binary)
    weights = _ease_weights(binary, active, lam)
    return Baseline("ease", _ease_scores(binary, active, weights), {"lambda": lam, **params})


def tag_cosine(data: TrainingData, *, seed: int = 0) -> Baseline:
    """Cosine of the user's tag profile and each item's tag row.

    Items without tags (and users without tagged items) score 0; a seeded jitter far below
    any cosine gap orders such ties at random rather than by item row.
    """
    if data.item_tags is None:
        raise ValueError("the training data has no item tags")
    tags = content.item_tag_matrix(data.item_tags, data.num_items, data.num_tags)
    binary = positive_matrix(data)
    unit_rows = content.unit_tag_rows(tags)
    jitter = random_scores(data.num_items, seed).scores

    def scores(users: np.ndarray) -> np.ndarray:
        users = np.asarray(users, dtype=np.int64)
        cosine = content.tag_cosine(binary[users], tags, unit_rows)
        return cosine + 1e-6 * jitter(users)

    return Baseline("tag_cosine", scores)


def fit_baseline(
    name: str, data: TrainingData, *, seed: int = 0, log: Callable[[str], None] | None = None
) -> Baseline:
    """Fit one of the scoring baselines (everything in :data:`BASELINES` but PyG's model)."""
    if name == "popularity":
        return popularity(data)
    if name == "random":
        return random_scores(data.num_items, seed)
    if name == "gfcf":
        return gfcf(data, seed=seed)
    if name == "ease":
        return ease(data, seed=seed, log=log)
    if name == "tag_cosine":
        return tag_cosine(data, seed=seed)
    raise ValueError(f"unknown baseline {name!r}")


def _skip_reason(name: str, data: TrainingData) -> str | None:
    if name == "ease" and data.num_items > EASE_MAX_ITEMS:
        return f"{data.num_items} items: the dense item-item inverse needs at most {EASE_MAX_ITEMS}"
    if name == "tag_cosine" and (data.item_tags is None or len(data.item_tags[0]) == 0):
        return "the items have no tags"
    return None


class _PeakMemory:
    """Peak resident memory of this process over a block, where Linux lets us reset it."""

    def __enter__(self) -> _PeakMemory:
        # writing 5 resets VmHWM (Linux 4.0+); elsewhere the process's whole peak is reported
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
        return self

    def __exit__(self, *exc: object) -> None:
        self.mb = _process_peak_mb()


def _process_peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _warm_and_cold(
    baseline: Baseline,
    test: dict[int, np.ndarray],
    exclude: sp.csr_matrix,
    cold_test: dict[int, np.ndarray] | None,
    cold_items: np.ndarray | None,
    k: int,
) -> dict:
    started = time.perf_counter()
    out: dict = dict(evaluate_ranking(baseline.scores, test, exclude=exclude, k=k))
    if cold_test and cold_items is not None:
        if baseline.name in COLD_CAPABLE:
            out["cold"] = evaluate_ranking(
                baseline.scores, cold_test, exclude=exclude, k=k, candidate_items=cold_items
            )
        else:
            out["cold"] = {"skipped": "scores every item without training pairs alike"}
    out["eval_seconds"] = time.perf_counter() - started
    return out


def run_baselines(
    train: TrainingData,
    test: dict[int, np.ndarray],
    exclude: sp.csr_matrix,
    *,
    cold_test: dict[int, np.ndarray] | None = None,
    cold_items: np.ndarray | None = None,
    budget_s_pyg: float,
    seed: int = 0,
    log: Callable[[str], None] = print,
    names: Sequence[str] = BASELINES,
    k: int = 20,
    topk_dir: Path | None = None,
) -> dict[str, dict]:
    """Fit and measure each named baseline on ``test`` (and on cold items, where given).

    Per name: the metrics of :func:`evaluate_ranking` (``recall@20``, ``ndcg@20``, ...),
    ``seconds`` (fitting, validation included), ``eval_seconds``, ``peak_rss_mb`` (the
    process's peak while fitting and evaluating it), the chosen ``params`` and, with cold
    data, ``cold`` (ranked among ``cold_items`` only); or ``skipped`` with the reason.
    With ``topk_dir``, each scoring baseline's top-``k`` lists go to ``NAME.txt`` (and, on cold
    items, ``NAME_cold.txt``) as ``user item ...`` lines, for an independent scorer.
    """
    report: dict[str, dict] = {}
    for name in names:
        reason = _skip_reason(name, train)
        if name == "pyg_lightgcn" and budget_s_pyg <= 0:
            reason = "no time budget"
        if reason is not None:
            log(f"{name}: skipped ({reason})")
            report[name] = {"skipped": reason}
            continue
        with _PeakMemory() as peak:
            started = time.perf_counter()
            if name == "pyg_lightgcn":
                result = train_pyg_lightgcn(
                    train, test, exclude, budget_s=budget_s_pyg, seed=seed, progress=False, log=log
                )
            else:
                baseline = fit_baseline(name, train, seed=seed, log=log)
                fitted = time.perf_counter() - started
                result = {**_warm_and_cold(baseline, test, exclude, cold_test, cold_items, k)}
                result.update(seconds=fitted, params=baseline.params)
                if topk_dir is not None:
                    _write_topk_files(topk_dir, baseline, test, exclude, cold_test, cold_items, k)
        result["peak_rss_mb"] = peak.mb
        report[name] = result
        log(_summary(name, result, k))
    return report


def _summary(name: str, result: dict, k: int) -> str:
    text = (
        f"{name}: recall@{k} {result[f'recall@{k}']:.4f} ndcg@{k} {result[f'ndcg@{k}']:.4f} "
        f"in {result['seconds']:.1f}s, peak {result['peak_rss_mb']:.0f} MB"
    )
    cold = result.get("cold", {})
    if f"recall@{k}" in cold:
        text += f"; cold recall@{k} {cold[f'recall@{k}']:.4f} ndcg@{k} {cold[f'ndcg@{k}']:.4f}"
    return text


def _write_topk(path: Path, users: np.ndarray, top: np.ndarray) -> None:
    with path.open("w") as fh:
        for u, row in zip(users, top, strict=True):
            fh.write(f"{u} " + " ".join(str(i) for i in row if i >= 0) + "\n")


def _write_topk_files(
    out: Path,
    baseline: Baseline,
    test: dict[int, np.ndarray],
    exclude: sp.csr_matrix,
    cold_test: dict[int, np.ndarray] | None,
    cold_items: np.ndarray | None,
    k: int,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    users = np.array(sorted(u for u, v in test.items() if len(v)), dtype=np.int64)
    top = topk_items(baseline.scores, users, k, exclude=exclude)
    _write_topk(out / f"{baseline.name}.txt", users, top)
    if cold_test and cold_items is not None and baseline.name in COLD_CAPABLE:
        users = np.array(sorted(u for u, v in cold_test.items() if len(v)), dtype=np.int64)
        top = topk_items(baseline.scores, users, k, exclude=exclude, candidate_items=cold_items)
        _write_topk(out / f"{baseline.name}_cold.txt", users, top)


def _training_exclusion(data: TrainingData) -> sp.csr_matrix:
    """Every training pair, negative feedback included, is excluded from the ranking."""
    mat = sp.csr_matrix(
        (np.ones(len(data.user), np.float32), (data.user, data.item)),
        shape=(data.num_users, data.num_items),
    )
    mat.data[:] = 1.0
    return mat


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the baselines on a split; print one JSON line.")
    ap.add_argument("--data", type=Path, required=True, help="split folder (train.txt, test.txt)")
    ap.add_argument("--names", nargs="+", choices=BASELINES, default=list(BASELINES))
    ap.add_argument("--pyg-minutes", type=float, default=1.5, help="PyG LightGCN's budget")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--topk-dir", type=Path, help="also write NAME.txt / NAME_cold.txt top-20s")
    args = ap.parse_args(argv)
    from .bench import load_split  # the split reader is the benchmark's

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    data, test, extra = load_split(args.data)
    report = run_baselines(
        data,
        test,
        _training_exclusion(data),
        cold_test=extra.get("cold_test") or None,
        cold_items=extra.get("cold_items"),
        budget_s_pyg=args.pyg_minutes * 60.0,
        seed=args.seed,
        log=log,
        names=args.names,
        topk_dir=args.topk_dir,
    )
    name = args.data.name if args.data.name != "split" else args.data.parent.name
    print(json.dumps({"dataset": name, "baselines": report}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
