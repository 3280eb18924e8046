"""Recommendation quality through the product, on a public split.

    python -m bench.quality --data DIR --topk-out FILE [--cold-out FILE] [--minutes M]
        [--json-out FILE] [--database-url URL] [--library-bench on|off] [--scorer PATH]

DIR is a LightGCN-format split (``train.txt``, ``test.txt``; optionally ``items.tsv``,
``train_interactions.tsv``, ``cold_items.txt`` and ``test_cold.txt``). Phases:

1. a fresh database (a temporary SQLite file unless ``--database-url`` names an empty one),
   migrated, and the split loaded with ``manage.py import_dataset``;
2. ``manage.py train_gnn`` at its defaults, only ``--time-budget`` set from ``--minutes``;
3. every test user's top-20 asked of the serving code (``recommend_for_user``) with
   re-ranking off (``diversity=0``, ``freshness_half_life_days=0``), no cache and no
   impressions, so only the user's own training items are excluded; written with the
   dataset's ids as ``user item1 ... item20`` for ``score_topk.py``. ``--cold-out``: the
   same among the split's cold items only (every other item passed as an excluded id);
4. the same lists again at the service's default knobs (diversity and freshness on), to
   show what the serving re-rank does to coverage, intra-list diversity and novelty;
5. ``python -m gnn.bench`` on the same split and budget (``--library-bench off`` skips it),
   which fits and scores the baselines in the same run (popularity, random, GF-CF, EASE^R,
   the tag-profile cosine, PyG's LightGCN for ``--pyg-minutes``);
6. the independent scorer on each file written, when it is found (``--scorer``).

Progress goes to stderr; a table, then one JSON object (also written to ``--json-out``)
go to stdout. Phases report wall time and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCORER = ROOT.parent / "shared" / "tools" / "score_topk.py"
K = 20
PREFIX = "ds"  # usernames of the imported users: ds_<dataset user id>


class QualityError(Exception):
    """The benchmark cannot run on this input; the message says why."""


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the split ------------------------------------------------------------------------


def read_lists(path: Path) -> dict[int, list[int]]:
    """``user item item ...`` lines as a dict (empty when the file does not exist)."""
    out: dict[int, list[int]] = {}
    if not path.is_file():
        return out
    with path.open() as handle:
        for number, line in enumerate(handle, 1):
            parts = line.split()
            if not parts:
                continue
            try:
                user, *items = (int(p) for p in parts)
            except ValueError as exc:
                raise QualityError(f"{path.name} line {number}: expected integers") from exc
            out.setdefault(user, []).extend(items)
    return out


@dataclass
class Split:
    folder: Path
    train: dict[int, list[int]]
    test: dict[int, list[int]]
    cold_items: list[int] | None = None
    cold_test: dict[int, list[int]] = field(default_factory=dict)

    @property
    def test_users(self) -> list[int]:
        return sorted(u for u, items in self.test.items() if items)


def load_split(folder: Path) -> Split:
    if not (folder / "train.txt").is_file() or not (folder / "test.txt").is_file():
        raise QualityError(f"{folder} must hold train.txt and test.txt (LightGCN format)")
    split = Split(folder, read_lists(folder / "train.txt"), read_lists(folder / "test.txt"))
    missing = [u for u in split.test_users if not split.train.get(u)]
    if missing:
        raise QualityError(
            f"{len(missing)} test users have no training items (e.g. {missing[:3]}): the "
            "product cannot import a user without interactions"
        )
    cold = folder / "cold_items.txt"
    if cold.is_file():
        split.cold_items = [int(x) for x in cold.read_text().split()]
        split.cold_test = read_lists(folder / "test_cold.txt")
    return split


# -- phases ---------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: float
    peak_rss_mb: float
    detail: dict = field(default_factory=dict)


def _own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@contextmanager
def _timed(phases: list[Phase], name: str) -> Iterator[dict]:
    """Time a phase run in this process; its peak is this process's peak so far."""
    _log(f"== {name}")
    detail: dict = {}
    started = time.perf_counter()
    yield detail
    phases.append(Phase(name, time.perf_counter() - started, _own_peak_mb(), detail))


def _run_child(phases: list[Phase], name: str, argv: list[str], env: dict[str, str]) -> None:
    """Run a command of the product as a child process, timed, with its own peak memory."""
    _log(f"== {name}: {' '.join(argv[1:])}")
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sys.stderr, stderr=sys.stderr)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise QualityError(f"{name} failed (exit status {child.returncode}); see above")
    phases.append(Phase(name, time.perf_counter() - started, usage.ru_maxrss / 1024.0))


def _child_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "LUPI_VAR_DIR": str(var_dir),
            "LUPI_ARTIFACT_DIR": str(var_dir / "models"),
            "SQLITE_PATH": str(var_dir / "quality.sqlite3"),
            "RECOMMENDATION_CACHE_TTL": "0",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name not in env:
            os.environ.pop(name, None)
    import django

    django.setup()


# -- serving --------------------------------------------------------------------------


@dataclass
class Platform:
    """The imported split as the platform holds it: database users and items by dataset id."""

    users: dict[int, object]  # dataset user id -> User
    item_ids: np.ndarray  # database item id of dataset item k
    key_of: dict[int, int]  # database item id -> dataset item id


def platform_of(split: Split) -> Platform:
    """Recover the dataset's ids: the importer names users ``<prefix>_<id>`` and writes the
    items of a LightGCN split in its item order with consecutive ids, one catalogue creator."""
    from backend.accounts.models import User
    from backend.content.models import ContentItem

    users = {}
    for user in User.objects.filter(username__startswith=f"{PREFIX}_").exclude(
        username=f"{PREFIX}_catalogue"
    ):
        users[int(user.username.split("_", 1)[1])] = user
    item_ids = np.array(
        ContentItem.objects.filter(creator__user__username=f"{PREFIX}_catalogue")
        .order_by("id")
        .values_list("id", flat=True)
    )
    absent = [u for u in split.test_users if u not in users]
    if absent:
        raise QualityError(f"{len(absent)} test users were not imported (e.g. {absent[:3]})")
    return Platform(users, item_ids, {int(db): k for k, db in enumerate(item_ids.tolist())})


@dataclass
class Served:
    lists: dict[int, list[int]]  # dataset user -> dataset items, best first
    diversity: list[float]  # intra-list diversity the service reported per list
    ms: list[float]  # serving time per user
    methods: dict[str, int]


def serve(
    platform: Platform,
    users: list[int],
    *,
    reranked: bool,
    only_items: list[int] | None = None,
    progress: bool = True,
    desc: str = "serving",
) -> Served:
    """Each user's top-20 from ``recommend_for_user``: re-ranking off, or at the defaults."""
    from backend.recommendations.serving import (
        FRESHNESS_OFF,
        RecommendationFilters,
        RecommendationKnobs,
        recommend_for_user,
    )

    knobs = (
        RecommendationKnobs()
        if reranked
        else RecommendationKnobs(diversity=0.0, freshness_half_life_days=FRESHNESS_OFF)
    )
    filters = RecommendationFilters()
    if only_items is not None:  # the cold protocol: every other item is an excluded id
        keep = set(only_items)
        filters = RecommendationFilters(
            exclude_ids=tuple(int(db) for k, db in enumerate(platform.item_ids) if k not in keep)
        )
    served = Served({}, [], [], {})
    for user_key in tqdm(users, desc=desc, unit="users", disable=not progress, file=sys.stderr):
        started = time.perf_counter()
        result = recommend_for_user(
            platform.users[user_key], K, filters, knobs, use_cache=False, log=False
        )
        served.ms.append((time.perf_counter() - started) * 1000.0)
        served.lists[user_key] = [platform.key_of[i] for i in result.item_ids]
        served.diversity.append(result.diversity)
        served.methods[result.method.value] = served.methods.get(result.method.value, 0) + 1
    return served


def write_topk(path: Path, lists: dict[int, list[int]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for user in sorted(lists):
            handle.write(f"{user} " + " ".join(str(i) for i in lists[user]) + "\n")


# -- measures -------------------------------------------------------------------------


def list_measures(
    lists: dict[int, list[int]],
    split: Split,
    truth: dict[int, list[int]],
    *,
    features: np.ndarray,
    category: np.ndarray,
    num_candidates: int,
) -> dict[str, float]:
    """Recall and NDCG (the scorer's protocol) and beyond-accuracy measures of served lists.

    Coverage@20 over ``num_candidates``; intra-list diversity as mean pairwise ``1 - cos``
    of the model's item vectors ``features`` (rows by dataset item); novelty as mean
    ``-log2((popularity + 1) / (users + 1))``; distinct categories per list.
    """
    from gnn.metrics import ranking_metrics

    users = [u for u in sorted(lists) if truth.get(u)]
    top = np.full((len(users), K), -1, dtype=np.int64)
    for row, user in enumerate(users):
        items = lists[user][:K]
        top[row, : len(items)] = items
    popularity = np.zeros(len(features), dtype=np.float32)
    for items in split.train.values():
        np.add.at(popularity, np.asarray(items, dtype=np.int64), 1.0)
    measures = ranking_metrics(
        top,
        [np.asarray(truth[u]) for u in users],
        num_candidates=num_candidates,
        item_popularity=popularity,
        num_users=len(split.train),
        item_features=features,
    )
    cats = [len({int(category[i]) for i in row if i >= 0 and category[i] >= 0}) for row in top]
    measures["categories@20"] = float(np.mean(cats)) if cats else 0.0
    return measures


def model_features(platform: Platform) -> tuple[np.ndarray, np.ndarray]:
    """The active model's unit item vectors and the items' category ids, by dataset item."""
    from backend.recommendations.registry import registry

    state = registry.current()
    if state is None:
        raise QualityError("train_gnn left no active model")
    dim = state.model.item_embeddings.shape[1]
    features = np.zeros((len(platform.item_ids), dim), dtype=np.float32)
    category = np.full(len(platform.item_ids), -1, dtype=np.int64)
    for k, db_id in enumerate(platform.item_ids.tolist()):
        row = state.item_row.get(db_id)
        if row is not None:
            features[k] = state.unit_item_vectors([row])[0]
            category[k] = state.catalogue.category[row]
    return features, category


def timing(ms: list[float]) -> dict[str, float]:
    values = np.sort(np.asarray(ms))
    return {
        "mean_ms": round(float(values.mean()), 3),
        "median_ms": round(float(np.median(values)), 3),
        "p99_ms": round(float(values[min(len(values) - 1, int(0.99 * len(values)))]), 3),
        "total_s": round(float(values.sum()) / 1000.0, 1),
    }


# -- outside programs -----------------------------------------------------------------


def run_scorer(scorer: Path, folder: Path, topk: Path, cold: bool) -> dict | None:
    """The independent scorer's JSON for ``topk`` (None when it is not installed)."""
    if not scorer.is_file():
        return None
    argv = [sys.executable, str(scorer), str(folder), str(topk)]
    if cold:
        argv += ["--test", "test_cold.txt", "--only-items", str(folder / "cold_items.txt")]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise QualityError(f"the scorer rejected {topk.name}: {done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_library_bench(
    phases: list[Phase], args: argparse.Namespace, work: Path, env: dict[str, str]
) -> dict:
    """``python -m gnn.bench`` on the same split and budget; its report, top-K files named."""
    out = work / "library.json"
    argv = [
        sys.executable,
        "-m",
        "gnn.bench",
        "--data",
        str(args.data),
        "--minutes",
        f"{args.minutes:g}",
        "--json-out",
        str(out),
        "--topk-out",
        str(work / "library_topk.txt"),
    ]
    if args.cold_out:
        argv += ["--cold-out", str(work / "library_cold.txt")]
    if args.pyg_minutes is not None:
        argv += ["--pyg-minutes", f"{args.pyg_minutes:g}"]
    if not args.progress:
        argv.append("--no-progress")
    _run_child(phases, "gnn.bench", argv, env)
    return json.loads(out.read_text())


# -- the run --------------------------------------------------------------------------


def _fresh_database(phases: list[Phase], env: dict[str, str], url: str | None) -> None:
    python = sys.executable
    _run_child(phases, "migrate", [python, "manage.py", "migrate", "--no-input", "-v", "0"], env)
    if url:  # a given database must be empty: the figures are for this split alone
        probe = "from backend.demo.generator import platform_has_data as p; print(int(p()))"
        done = subprocess.run(
            [python, "manage.py", "shell", "-c", probe], cwd=ROOT, env=env, capture_output=True
        )
        if done.returncode != 0 or done.stdout.strip() != b"0":
            raise QualityError(f"{url} is not an empty database; pass a fresh one")


def product_phases(args: argparse.Namespace, split: Split, env: dict[str, str]) -> list[Phase]:
    python = sys.executable
    phases: list[Phase] = []
    _fresh_database(phases, env, args.database_url)
    _run_child(
        phases,
        "import_dataset",
        [python, "manage.py", "import_dataset", str(args.data), "--format", "lightgcn"]
        + ["--prefix", PREFIX],
        env,
    )
    budget = f"{args.minutes * 60:g}"
    train = [python, "manage.py", "train_gnn", "--time-budget", budget]
    _run_child(phases, "train_gnn", train + ([] if args.progress else ["--no-progress"]), env)
    return phases


def serving_phases(args: argparse.Namespace, split: Split, phases: list[Phase]) -> dict:
    """Serve every test user (re-ranking off, then on) and the cold slice; measure."""
    with _timed(phases, "map ids") as _:
        platform = platform_of(split)
        features, category = model_features(platform)
    report: dict = {}
    n_items = len(platform.item_ids)
    users = split.test_users
    if args.users:
        users = users[: args.users]
    measures = {"features": features, "category": category, "num_candidates": n_items}

    with _timed(phases, "serve (re-ranking off)") as detail:
        plain = serve(platform, users, reranked=False, progress=args.progress, desc="serving")
        detail.update(timing(plain.ms))
    write_topk(args.topk_out, plain.lists)
    report["served"] = {
        **list_measures(plain.lists, split, split.test, **measures),
        "methods": plain.methods,
        "serving": timing(plain.ms),
        "reported_diversity": float(np.mean(plain.diversity)),
    }
    if args.rerank_users >= 0:
        subset = users[: args.rerank_users] if args.rerank_users else users
        with _timed(phases, "serve (default knobs)") as detail:
            reranked = serve(
                platform, subset, reranked=True, progress=args.progress, desc="default knobs"
            )
            detail.update(timing(reranked.ms))
        report["served_default_knobs"] = {
            **list_measures(reranked.lists, split, split.test, **measures),
            "methods": reranked.methods,
            "serving": timing(reranked.ms),
            "reported_diversity": float(np.mean(reranked.diversity)),
        }
        if len(subset) < len(users):  # the plain lists of the same users, to compare
            same = {u: plain.lists[u] for u in subset}
            report["served_same_users"] = list_measures(same, split, split.test, **measures)
    if args.cold_out:
        if split.cold_items is None or not split.cold_test:
            raise QualityError(f"{split.folder} has no cold_items.txt / test_cold.txt")
        cold_users = sorted(u for u, its in split.cold_test.items() if its)
        with _timed(phases, "serve cold items") as detail:
            cold = serve(
                platform,
                cold_users,
                reranked=False,
                only_items=split.cold_items,
                progress=args.progress,
                desc="cold items",
            )
            detail.update(timing(cold.ms))
        write_topk(args.cold_out, cold.lists)
        cold_measures = measures | {"num_candidates": len(split.cold_items)}
        report["served_cold"] = list_measures(cold.lists, split, split.cold_test, **cold_measures)
    return report


def _print_table(report: dict) -> None:
    rows: list[tuple[str, dict]] = []
    for key, label in (
        ("served", "product, re-ranking off"),
        ("served_same_users", "product, re-ranking off, same users"),
        ("served_default_knobs", "product, default knobs"),
        ("served_cold", "product, cold items"),
        ("scorer", "scorer on the product file"),
        ("scorer_cold", "scorer on the product cold file"),
        ("library", "gnn.bench"),
        ("library_cold", "gnn.bench, cold items"),
        ("library_scorer", "scorer on the gnn.bench file"),
    ):
        if report.get(key):
            rows.append((label, report[key]))
    for name, result in report.get("baselines", {}).items():
        if "recall@20" in result:
            rows.append((f"baseline {name}", result))
        if "recall@20" in result.get("cold", {}):
            rows.append((f"baseline {name}, cold items", result["cold"]))
    print(f"{'':<38} {'recall@20':>9} {'ndcg@20':>8} {'cov@20':>7} {'ILD':>6} {'novelty':>7}")
    for label, m in rows:
        cells = [m.get(f) for f in ("recall@20", "ndcg@20", "coverage@20", "diversity@20")]
        cells.append(m.get("novelty@20"))
        text = " ".join(
            f"{c:>{w}.4f}" if isinstance(c, float) else f"{'':>{w}}"
            for c, w in zip(cells, (9, 8, 7, 6, 7), strict=True)
        )
        print(f"{label:<38} {text}")
    print(f"{'phase':<26} {'seconds':>8} {'peak MB':>8}")
    for phase in report["phases"]:
        print(f"{phase['name']:<26} {phase['seconds']:>8.1f} {phase['peak_rss_mb']:>8.0f}")


def _score_files(args: argparse.Namespace, report: dict, work: Path) -> None:
    scorer = args.scorer
    if not scorer.is_file():
        _log(f"no scorer at {scorer}: pass --scorer to check the files independently")
        return
    report["scorer"] = run_scorer(scorer, args.data, args.topk_out, cold=False)
    if args.cold_out:
        report["scorer_cold"] = run_scorer(scorer, args.data, args.cold_out, cold=True)
    library_file = work / "library_topk.txt"
    if library_file.is_file():
        report["library_scorer"] = run_scorer(scorer, args.data, library_file, cold=False)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a LightGCN-format split folder")
    ap.add_argument("--topk-out", type=Path, required=True, help="the served top-20 file")
    ap.add_argument("--cold-out", type=Path, help="the served top-20 among cold items")
    ap.add_argument("--minutes", type=float, default=10.0, help="train_gnn's time budget")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    ap.add_argument("--library-bench", choices=["on", "off"], default="on")
    ap.add_argument(
        "--pyg-minutes",
        type=float,
        default=None,
        help="PyG LightGCN's budget in the gnn.bench run (default: --minutes)",
    )
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="score_topk.py")
    ap.add_argument("--users", type=int, default=0, help="serve only the first N test users")
    ap.add_argument(
        "--rerank-users",
        type=int,
        default=0,
        help="serve the default-knob pass to the first N test users only (0: all; -1: skip)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-progress", dest="progress", action="store_false")
    args = ap.parse_args(argv)
    if args.minutes <= 0:
        ap.error("--minutes must be positive")
    if not args.data.is_dir():
        ap.error(f"--data {args.data} is not a folder")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        split = load_split(args.data)
    except QualityError as exc:
        _log(f"error: {exc}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="lupi-quality-"))
    env = _child_env(work, args.database_url)
    try:
        report = run(args, split, work, env)
    except QualityError as exc:
        _log(f"error: {exc}")
        return 1
    finally:
        if args.keep:
            _log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    _print_table(report)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


def run(args: argparse.Namespace, split: Split, work: Path, env: dict[str, str]) -> dict:
    started = time.perf_counter()
    phases = product_phases(args, split, env)
    _setup_django(env)
    report: dict = {"dataset": _name(args.data), "budget_minutes": args.minutes}
    report.update(serving_phases(args, split, phases))
    if args.library_bench == "on":
        library = run_library_bench(phases, args, work, env)
        report["library"] = {k: v for k, v in library["ours"].items() if k != "search"}
        if "cold" in library["ours"]:
            report["library_cold"] = library["ours"]["cold"]
        report["baselines"] = library.get("baselines", {})
    _score_files(args, report, work)
    report["training"] = _training_facts()
    report["phases"] = [vars(p) for p in phases]
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def _training_facts() -> dict:
    from backend.recommendations.models import ModelVersion

    version = ModelVersion.objects.filter(is_active=True).select_related("training_run").first()
    if version is None:
        return {}
    run = version.training_run
    return {
        "version": version.version,
        "valid": run.metrics if run else {},
        "config": (run.params or {}).get("config", {}) if run else {},
    }


def _name(folder: Path) -> str:
    folder = folder.resolve()
    return f"{folder.parent.name}/{folder.name}" if folder.name == "split" else folder.name


if __name__ == "__main__":
    raise SystemExit(main())
