"""What the diversity knob does to served lists, on the configured database's active model.

    python -m bench.diversity [--users 200] [--knob 0 --knob 0.5 --knob 1] [--user demo]

For a sample of readers with history (and any named ``--user``), asks the serving code for
each one's top-20 at each knob (freshness at its default, no cache, no impressions logged)
and prints, per knob, the mean distinct categories and creators per list, the share of the
list's most frequent category, and the intra-list diversity the service reports. Uses the
database of ``DATABASE_URL`` (or the SQLite file under ``LUPI_VAR_DIR``). Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

import numpy as np

KNOBS = (0.0, 0.5, 1.0)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def list_measures(item_ids: list[int], category: dict[int, int], creator: dict[int, int]) -> dict:
    """Distinct categories and creators of one list and its top category's share."""
    cats = Counter(category.get(i, -1) for i in item_ids)
    return {
        "categories": len(cats),
        "creators": len({creator.get(i, -1) for i in item_ids}),
        "top_category_share": max(cats.values()) / len(item_ids) if item_ids else 0.0,
    }


def measure(users: list, knobs: list[float], first: int = 20) -> dict[str, dict]:
    """Per knob: means over ``users`` of :func:`list_measures` and of reported diversity."""
    from backend.content.models import ContentItem
    from backend.recommendations.serving import RecommendationKnobs, recommend_for_user

    facts = ContentItem.objects.values_list("id", "category_id", "creator_id")
    category = {i: -1 if c is None else c for i, c, _ in facts}
    creator = {i: c for i, _, c in facts}
    out: dict[str, dict] = {}
    for knob in knobs:
        rows = []
        for user in users:
            served = recommend_for_user(
                user, first, knobs=RecommendationKnobs(diversity=knob), use_cache=False, log=False
            )
            rows.append(
                {**list_measures(served.item_ids, category, creator), "diversity": served.diversity}
            )
        out[f"{knob:g}"] = {
            key: round(float(np.mean([r[key] for r in rows])), 4) for key in rows[0]
        } | {"users": len(rows)}
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="readers sampled (seed 0)")
    parser.add_argument("--knob", type=float, action="append", help="diversity knob values")
    parser.add_argument("--user", action="append", default=[], help="also report this username")
    args = parser.parse_args(argv)
    _setup()
    from backend.accounts.models import User
    from backend.interactions.models import Interaction
    from backend.recommendations.registry import registry

    if registry.current() is None:
        sys.exit("no active model: train one first (manage.py train_gnn)")
    knobs = args.knob or list(KNOBS)
    readers = np.array(sorted(set(Interaction.objects.values_list("user_id", flat=True))))
    rng = np.random.default_rng(0)
    sample = rng.choice(readers, size=min(args.users, len(readers)), replace=False)
    report = {"sample": measure(list(User.objects.filter(pk__in=sample.tolist())), knobs)}
    for name in args.user:
        user = User.objects.filter(username=name).first()
        if user is None:
            sys.exit(f"no user named {name!r}")
        report[name] = measure([user], knobs)
    for label, table in report.items():
        print(f"{label}:")
        print(f"  {'knob':>5} {'categories':>10} {'creators':>9} {'top cat':>8} {'ILD':>7}")
        for knob, row in table.items():
            print(
                f"  {knob:>5} {row['categories']:>10.2f} {row['creators']:>9.2f} "
                f"{row['top_category_share']:>8.2f} {row['diversity']:>7.3f}"
            )
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
