"""How long an experiment's results take on millions of impressions.

    python -m bench.experiment_results --database-url postgres://HOST:5432/experiments_bench \\
        [--impressions 5000000] [--users 200000] [--runs 5] [--index results|none]

On a database of its own (migrated here; use an empty one), writes one running A/B
experiment with two variants and ``--impressions`` impressions in lists of 20 over 14
days (``COPY`` on PostgreSQL), users assigned by the real hash, and attributed outcomes
(opens about 5% of impressions, the treatment a little more; likes, hides, dwell times),
then VACUUM ANALYZEs and times ``experiment_results`` ``--runs`` times. A database that
already holds the bench experiment is timed as it is. ``--index results`` (the default)
keeps the two impression indexes the results read, as migrated; ``none`` drops them: run
both to compare. Prints each run's seconds and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import numpy as np

NAME = "bench-results"
STARTED = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 14
LIST_SIZE = 20
ITEMS = 2_000
# Chance that an impression is opened, per variant; liked, hidden and dwelt on after.
OPEN = {"control": 0.050, "treatment": 0.055}
LIKE, HIDE, DWELL = 0.010, 0.003, 0.6
# What the results read on PostgreSQL (``Impression.Meta.indexes``).
INDEXES = ("impression_variant_time", "impression_served_list")


def _setup(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def _accounts(users: int) -> np.ndarray:
    """``users`` reader accounts and one creator with ``ITEMS`` items; the reader ids."""
    from backend.accounts.models import User
    from backend.content.bulk import bulk_insert
    from backend.content.models import ContentItem, Creator

    bulk_insert(User, {"username": [f"bench{n}" for n in range(users)], "password": ["!"] * users})
    ids = np.fromiter(
        User.objects.filter(username__startswith="bench").values_list("id", flat=True), np.int64
    )
    maker = User.objects.create(username="bench-creator")
    creator = Creator.objects.create(user=maker, display_name="Bench creator")
    bulk_insert(
        ContentItem,
        {
            "creator_id": [creator.pk] * ITEMS,
            "title": [f"Bench item {n}" for n in range(ITEMS)],
            "type": ["blog"] * ITEMS,
            "published_at": [STARTED - timedelta(days=30)] * ITEMS,
        },
    )
    return ids


def _experiment():
    from backend.experiments import services
    from backend.experiments.models import Experiment
    from backend.experiments.services import VariantSpec

    view = services.create_experiment(
        NAME,
        [
            VariantSpec("control", 0.5, {}, is_control=True),
            VariantSpec("treatment", 0.5, {"knobs": {"diversity": 0.6}}),
        ],
        salt="bench-salt",
    )
    Experiment.objects.filter(pk=view.experiment_id).update(
        status=Experiment.Status.RUNNING, started_at=STARTED
    )
    return Experiment.objects.get(pk=view.experiment_id)


def _served_lists(impressions: int, readers: np.ndarray, rng: np.random.Generator):
    """Who saw what, when and in which variant: one array per impression column."""
    from backend.content.models import ContentItem
    from backend.experiments.assignment import pick

    items = np.fromiter(ContentItem.objects.values_list("id", flat=True), np.int64)
    lists = impressions // LIST_SIZE
    viewer = rng.choice(readers, size=lists)
    arms = [(0.5, "control"), (0.5, "treatment")]
    arm_of = {int(u): pick("bench-salt", int(u), arms) for u in np.unique(viewer)}
    variant = np.array([arm_of[int(u)] for u in viewer])
    seconds = rng.integers(0, DAYS * 86_400, size=lists)
    return {
        "user": np.repeat(viewer, LIST_SIZE),
        "item": np.concatenate([rng.choice(items, LIST_SIZE, replace=False) for _ in range(lists)]),
        "position": np.tile(np.arange(LIST_SIZE), lists),
        "variant": np.repeat(variant, LIST_SIZE),
        "request": np.repeat(np.arange(lists), LIST_SIZE),
        "seconds": np.repeat(seconds, LIST_SIZE),
    }


def _write_impressions(shown: dict, chunk: int = 500_000) -> None:
    """COPY the impressions a chunk at a time (the rows' strings and times of 5 million
    impressions at once would take gigabytes)."""
    from backend.content.bulk import bulk_insert
    from backend.interactions.models import Impression

    total = len(shown["user"])
    for start in range(0, total, chunk):
        part = {key: values[start : start + chunk] for key, values in shown.items()}
        size = len(part["user"])
        bulk_insert(
            Impression,
            {
                "user_id": part["user"],
                "item_id": part["item"],
                "position": part["position"],
                "method": ["hybrid"] * size,
                "model_version": ["bench"] * size,
                "variant": [f"{NAME}:{v}" for v in part["variant"]],
                "request_id": [f"{r:032x}" for r in part["request"]],
                "shown_at": [STARTED + timedelta(seconds=int(s)) for s in part["seconds"]],
            },
        )
        print(f"impressions: {start + size:,} of {total:,}", file=sys.stderr)


def _write_outcomes(shown: dict, rng: np.random.Generator) -> dict[str, int]:
    """Attributed opens, likes, hides and dwell times; how many of each were written."""
    from backend.content.bulk import bulk_insert
    from backend.interactions.models import Interaction

    n = len(shown["user"])
    chance = np.where(shown["variant"] == "treatment", OPEN["treatment"], OPEN["control"])
    opened = rng.random(n) < chance
    acts = {
        "click": opened,
        "like": opened & (rng.random(n) < LIKE / OPEN["control"]),
        "hide": ~opened & (rng.random(n) < HIDE),
        "dwell": opened & (rng.random(n) < DWELL),
    }
    written = {}
    for kind, mask in acts.items():
        rows = np.flatnonzero(mask)
        value = rng.lognormal(9.5, 0.8, len(rows)).round() if kind == "dwell" else None
        bulk_insert(
            Interaction,
            {
                "user_id": shown["user"][rows],
                "item_id": shown["item"][rows],
                "kind": [kind] * len(rows),
                "value": [None] * len(rows) if value is None else value,
                "request_id": [f"{r:032x}" for r in shown["request"][rows]],
                "position": shown["position"][rows],
                "occurred_at": [
                    STARTED + timedelta(seconds=int(s) + 30) for s in shown["seconds"][rows]
                ],
            },
        )
        written[kind] = len(rows)
    return written


def generate(impressions: int, users: int, seed: int = 0):
    """Write the bench experiment with its impressions and outcomes; the experiment."""
    from django.db import transaction

    rng = np.random.default_rng(seed)
    with transaction.atomic():
        readers = _accounts(users)
        experiment = _experiment()
        shown = _served_lists(impressions, readers, rng)
        _write_impressions(shown)
        written = _write_outcomes(shown, rng)
    print(f"wrote {len(shown['user']):,} impressions and {written}", file=sys.stderr)
    return experiment


def set_index(choice: str) -> None:
    """Drop the results' two impression indexes (``none``) or make sure they exist
    (``results``, as migrated); then VACUUM ANALYZE, as autovacuum would after a load, so
    the planner knows the tables and index-only scans need no heap visits."""
    from django.db import connection

    from backend.interactions.models import Impression

    wanted = {index.name: index for index in Impression._meta.indexes if index.name in INDEXES}
    with connection.cursor() as cursor:
        present = set(connection.introspection.get_constraints(cursor, Impression._meta.db_table))
    with connection.schema_editor(atomic=False) as editor:
        for name, index in wanted.items():
            if choice == "none" and name in present:
                editor.remove_index(Impression, index)
            elif choice == "results" and name not in present:
                editor.add_index(Impression, index)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE interactions_impression")
            cursor.execute("VACUUM ANALYZE interactions_interaction")


def time_results(experiment_id: int, runs: int) -> tuple[list[float], object]:
    from backend.experiments.results import experiment_results

    seconds, results = [], None
    for _ in range(runs):
        started = time.perf_counter()
        results = experiment_results(experiment_id)
        seconds.append(time.perf_counter() - started)
    return seconds, results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a database of the bench's own")
    parser.add_argument("--impressions", type=int, default=5_000_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index", choices=["none", "results"], default="results")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    _setup(args.database_url)
    from django.core.management import call_command

    from backend.experiments.models import Experiment

    call_command("migrate", verbosity=0)
    experiment = Experiment.objects.filter(name=NAME).first()
    if experiment is None:
        experiment = generate(args.impressions, args.users, args.seed)
    set_index(args.index)
    seconds, results = time_results(experiment.pk, args.runs)
    for run, value in enumerate(seconds, 1):
        print(f"run {run}: {value:.3f} s")
    report = {
        "impressions": sum(v.totals.impressions for v in results.variants),
        "index": args.index,
        "seconds": [round(s, 3) for s in seconds],
        "median_s": round(statistics.median(seconds), 3),
        "ctr": {v.name: round(v.totals.ctr.value, 5) for v in results.variants},
        "ctr_difference": [
            round(x, 5)
            for x in (
                results.variants[1].versus_control.ctr.low,
                results.variants[1].versus_control.ctr.high,
            )
        ],
        "sample_ratio_p": results.sample_ratio.p_value,
    }
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
