"""Context in ranking, offline: the demo platform with a time-split holdout, each held-out
moment served with its context (local hour, device) and without.

    python -m bench.context [--users 2000] [--items 5000] [--seed 42] [--now 2025-06-01]
        [--holdout-days 14] [--minutes 5] [--database-url URL] [--json-out FILE]

Phases:

1. a fresh database (a temporary SQLite file unless ``--database-url`` names an empty one),
   migrated, and ``manage.py seed_demo`` with the sizes, seed and ``--now``;
2. the holdout: every act from ``--holdout-days`` before ``--now`` on is taken out of the
   database (and the impressions of those days), and kept here;
3. ``manage.py train_gnn --time-budget`` on what is left: the product's model, whose context
   weight is chosen on a validation split carved from that training data (never on the
   holdout);
4. one request per (reader, hour band, device) of the held-out positive acts of readers the
   model was trained on, judged on the items the reader engaged with in that moment (items
   they had met before the cut cannot be served and are left out): the top-20 of
   ``recommend_for_user`` (re-ranking off, no cache, no impressions, so only the model's
   ranking and the context term differ) with the request's local hour and device, and the
   same reader's top-20 without a context;
5. recall@20 and NDCG@20 both ways (``gnn.metrics.ranking_metrics``), the gain, and a 95%
   paired bootstrap interval of the gain over requests.

Progress goes to stderr; a table, then one JSON object (also written to ``--json-out``)
go to stdout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench.quality import (
    K,
    QualityError,
    _child_env,
    _fresh_database,
    _log,
    _run_child,
    _setup_django,
    _timed,
)

BOOTSTRAP_SAMPLES = 2000


@dataclass
class Moment:
    """One held-out request: a reader, the hour and device of their acts in it, and the
    items they engaged with then."""

    user_id: int
    local_hour: int | None
    device: str | None
    items: set[int] = field(default_factory=set)


def take_holdout(cut: datetime) -> tuple[list[Moment], dict[str, int]]:
    """The positive acts at or after ``cut`` as moments, deleted from the database with the
    impressions of the same days."""
    from backend.interactions.models import Impression, Interaction
    from backend.recommendations.context import DEVICES, band_of_hour
    from backend.recommendations.export import KIND_WEIGHTS

    positive = [kind for kind, weight in KIND_WEIGHTS.items() if weight > 0]
    earlier = Interaction.objects.filter(occurred_at__lt=cut)
    met = set(earlier.values_list("user_id", "item_id").iterator(chunk_size=50_000))
    trained = {user for user, _ in met}
    later = Interaction.objects.filter(occurred_at__gte=cut)
    acts = later.filter(kind__in=positive, user_id__in=trained).order_by("occurred_at", "id")
    moments: dict[tuple, Moment] = {}
    for user_id, item_id, hour, device in acts.values_list(
        "user_id", "item_id", "local_hour", "device"
    ).iterator(chunk_size=50_000):
        if (user_id, item_id) in met:
            continue
        device = device if device in DEVICES else None
        band = None if hour is None else band_of_hour(hour)
        key = (user_id, band, device)
        moment = moments.setdefault(key, Moment(user_id, hour, device))
        moment.items.add(item_id)
    counts = {
        "held_out_acts": later.count(),
        "held_out_impressions": Impression.objects.filter(shown_at__gte=cut).count(),
    }
    later.delete()
    Impression.objects.filter(shown_at__gte=cut).delete()
    counts["requests"] = len(moments)
    counts["readers"] = len({m.user_id for m in moments.values()})
    return list(moments.values()), counts


@dataclass
class Served:
    contextual: list[list[int]]
    plain: list[list[int]]
    ms: list[float]
    methods: dict[str, int]


def serve(moments: list[Moment], progress: bool) -> Served:
    """Each moment's top-20 with its context, and its reader's without one."""
    from backend.accounts.models import User
    from backend.recommendations.serving import (
        FRESHNESS_OFF,
        RecommendationKnobs,
        RequestContext,
        recommend_for_user,
    )

    knobs = RecommendationKnobs(diversity=0.0, freshness_half_life_days=FRESHNESS_OFF)
    users = User.objects.in_bulk({m.user_id for m in moments})
    plain_of: dict[int, list[int]] = {}
    served = Served([], [], [], {})
    for moment in tqdm(moments, desc="moments", disable=not progress, file=sys.stderr):
        reader = users[moment.user_id]
        context = RequestContext(local_hour=moment.local_hour, device=moment.device)
        started = time.perf_counter()
        result = recommend_for_user(
            reader, K, knobs=knobs, use_cache=False, log=False, context=context
        )
        served.ms.append((time.perf_counter() - started) * 1000.0)
        served.methods[result.method.value] = served.methods.get(result.method.value, 0) + 1
        served.contextual.append(result.item_ids)
        if moment.user_id not in plain_of:
            plain = recommend_for_user(reader, K, knobs=knobs, use_cache=False, log=False)
            plain_of[moment.user_id] = plain.item_ids
        served.plain.append(plain_of[moment.user_id])
    return served


def per_request(lists: list[list[int]], moments: list[Moment]) -> tuple[np.ndarray, np.ndarray]:
    """Recall@20 and NDCG@20 of each request (the formulas of ranking_metrics)."""
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    recall, ndcg = np.zeros(len(lists)), np.zeros(len(lists))
    for r, (items, moment) in enumerate(zip(lists, moments, strict=True)):
        hits = np.isin(np.array(items[:K] + [-1] * (K - len(items[:K]))), list(moment.items))
        recall[r] = hits.sum() / len(moment.items)
        ndcg[r] = (hits * discounts).sum() / discounts[: min(len(moment.items), K)].sum()
    return recall, ndcg


def paired_interval(gain: np.ndarray, seed: int) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of paired differences."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(gain), size=(BOOTSTRAP_SAMPLES, len(gain)))
    means = gain[draws].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def measures(served: Served, moments: list[Moment], num_items: int, seed: int) -> dict:
    from gnn.metrics import ranking_metrics

    def table(lists: list[list[int]]) -> np.ndarray:
        top = np.full((len(lists), K), -1, dtype=np.int64)
        for row, items in enumerate(lists):
            top[row, : len(items[:K])] = items[:K]
        return top

    truths = [np.array(sorted(m.items), dtype=np.int64) for m in moments]
    report: dict = {}
    for name, lists in (("with_context", served.contextual), ("without_context", served.plain)):
        report[name] = ranking_metrics(table(lists), truths, num_candidates=num_items)
    recall_c, ndcg_c = per_request(served.contextual, moments)
    recall_p, ndcg_p = per_request(served.plain, moments)
    for metric, ours, theirs in (("recall", recall_c, recall_p), ("ndcg", ndcg_c, ndcg_p)):
        low, high = paired_interval(ours - theirs, seed)
        key = f"{metric}@{K}"
        base = report["without_context"][key]
        report[f"gain_{key}"] = {
            "absolute": float((ours - theirs).mean()),
            "relative": float((ours - theirs).mean() / base) if base else None,
            "interval_95": [low, high],
        }
    report["lists_changed"] = float(
        np.mean([a != b for a, b in zip(served.contextual, served.plain, strict=True)])
    )
    return report


def model_facts() -> dict:
    from backend.recommendations.models import ModelVersion
    from backend.recommendations.registry import registry

    version = ModelVersion.objects.filter(is_active=True).select_related("training_run").first()
    state = registry.current()
    if version is None or state is None:
        raise QualityError("train_gnn left no active model")
    metrics = version.training_run.metrics if version.training_run else {}
    return {
        "version": version.version,
        "context_weight": float(state.model.context_weight),
        "validation": {k: v for k, v in metrics.items() if "recall" in k or "ndcg" in k},
    }


def run(args: argparse.Namespace, work: Path) -> dict:
    env = _child_env(work, args.database_url)
    python, phases = sys.executable, []
    _fresh_database(phases, env, args.database_url)
    seed = [python, "manage.py", "seed_demo", "--seed", str(args.seed), "--users", str(args.users)]
    seed += ["--items", str(args.items), "--now", args.now.isoformat()]
    _run_child(phases, "seed_demo", seed, env)
    _setup_django(env)
    cut = args.now - timedelta(days=args.holdout_days)
    with _timed(phases, "holdout") as detail:
        moments, counts = take_holdout(cut)
        detail.update(counts)
    if not moments:
        raise QualityError("the holdout holds no positive acts of readers with a history")
    train = [python, "manage.py", "train_gnn", "--time-budget", f"{args.minutes * 60:g}"]
    _run_child(phases, "train_gnn", train + ([] if args.progress else ["--no-progress"]), env)
    from backend.content.models import ContentItem

    with _timed(phases, "serve") as detail:
        served = serve(moments, args.progress)
        detail["mean_ms"] = round(float(np.mean(served.ms)), 2)
    num_items = ContentItem.objects.filter(published_at__isnull=False).count()
    report = {
        "platform": {"users": args.users, "items": args.items, "seed": args.seed},
        "now": args.now.isoformat(),
        "cut": cut.isoformat(),
        "holdout": counts,
        "model": model_facts(),
        "methods": served.methods,
        **measures(served, moments, num_items, args.seed),
    }
    report["phases"] = [vars(p) for p in phases]
    return report


def print_table(report: dict) -> None:
    key_r, key_n = f"recall@{K}", f"ndcg@{K}"
    print(f"{'':<24} {key_r:>10} {key_n:>10}")
    for name in ("without_context", "with_context"):
        m = report[name]
        print(f"{name.replace('_', ' '):<24} {m[key_r]:>10.4f} {m[key_n]:>10.4f}")
    for key in (key_r, key_n):
        gain = report[f"gain_{key}"]
        low, high = gain["interval_95"]
        relative = gain["relative"]
        share = f" ({relative:+.1%})" if relative is not None else ""
        print(f"gain {key}: {gain['absolute']:+.4f}{share}, 95% interval [{low:+.4f}, {high:+.4f}]")
    print(
        f"requests {report['holdout']['requests']}, readers {report['holdout']['readers']}, "
        f"lists changed {report['lists_changed']:.0%}, "
        f"context weight {report['model']['context_weight']:g}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--now", default="2025-06-01", help="the demo's end, a date (UTC)")
    ap.add_argument("--holdout-days", type=float, default=14.0)
    ap.add_argument("--minutes", type=float, default=5.0, help="train_gnn's time budget")
    ap.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-progress", dest="progress", action="store_false")
    args = ap.parse_args(argv)
    if args.users < 1 or args.items < 1 or args.minutes <= 0 or args.holdout_days <= 0:
        ap.error("--users, --items, --minutes and --holdout-days must be positive")
    try:
        day = datetime.strptime(args.now, "%Y-%m-%d")
    except ValueError:
        ap.error(f"--now: expected a date like 2025-06-01, got {args.now!r}")
    args.now = day.replace(tzinfo=UTC)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lupi-context-"))
    try:
        report = run(args, work)
    except QualityError as exc:
        _log(f"error: {exc}")
        return 1
    finally:
        if args.keep:
            _log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(report)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
