"""What the context and fatigue terms add to one request's scoring, at a catalogue size.

    python -m bench.ranking_terms [--items 100000] [--unengaged 300] [--number 200]

Times (``timeit``, best of ``--repeat`` runs of ``--number`` calls, one thread) the serving
code's own steps on synthetic arrays of ``--items`` positions: the context term
(``Universe.context_term``: a column of the lift table gathered over the candidates) and its
addition to the scores, the fatigue term (``scored_list._fatigue``: the positions of
``--unengaged`` items and their penalties) and its subtraction, and, for scale, the
catalogue-sized steps every request already paid (scaling, the freshness boost and the
eligibility mask). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import timeit
from types import SimpleNamespace

import numpy as np


def _setup(items: int, unengaged: int, seed: int = 0) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    from backend.recommendations.context import DEVICES, HOUR_BANDS, RequestContext
    from backend.recommendations.profile import Profile
    from backend.recommendations.rows import RowIndex
    from backend.recommendations.universe import Positions
    from gnn.context import ContextAffinity

    rng = np.random.default_rng(seed)
    groups = 12 * 4  # the demo's categories x types
    lift = rng.normal(0.0, 0.3, (groups, len(HOUR_BANDS) + 1, len(DEVICES) + 1))
    affinity = ContextAffinity(lift.astype(np.float32), 1.5, HOUR_BANDS, DEVICES)
    ids = np.arange(1, items + 1, dtype=np.int64) * 3
    universe = SimpleNamespace(
        context_group=rng.integers(0, groups + 1, items).astype(np.intp),
        positions=Positions(ids=ids, model_rows=items, row_of=RowIndex(ids), new_of={}),
    )
    shown = rng.choice(ids, unengaged, replace=False).tolist()
    profile = Profile(
        seen=set(),
        acts=[],
        liked=[],
        blocked_tags=set(),
        blocked_creators=set(),
        interest_tags=[],
        interest_categories=[],
        own_creator=None,
        engaged_creators=set(),
        unengaged_impressions={int(i): int(rng.integers(1, 12)) for i in shown},
    )
    return {
        "universe": universe,
        "state": SimpleNamespace(model=SimpleNamespace(context=affinity)),
        "profile": profile,
        "context": RequestContext(local_hour=8, device="mobile"),
        "raw": rng.normal(size=items).astype(np.float32),
        "fresh": rng.random(items).astype(np.float32),
        "mask": rng.random(items) < 0.98,
    }


def measure(items: int, unengaged: int, number: int, repeat: int) -> dict[str, float]:
    s = _setup(items, unengaged)  # sets Django up before the serving code is imported
    from backend.recommendations.scored_list import _fatigue
    from backend.recommendations.universe import Universe

    universe, state, profile, context = s["universe"], s["state"], s["profile"], s["context"]
    raw, fresh, mask = s["raw"], s["fresh"], s["mask"]
    score = raw * 0.5 + fresh

    def context_term() -> None:
        moment = Universe.context_term(universe, state, context)
        score.__iadd__(moment)

    def fatigue_term() -> None:
        fatigued, fatigue = _fatigue(universe, profile)
        score[fatigued] -= fatigue
        dict(zip(fatigued.tolist(), fatigue.tolist(), strict=True))

    def before() -> None:
        np.where(mask, raw * 0.5 + fresh, -np.inf)

    steps = {"context term": context_term, "fatigue term": fatigue_term, "paid before": before}
    return {
        name: min(timeit.repeat(step, number=number, repeat=repeat)) / number * 1000.0
        for name, step in steps.items()
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--unengaged", type=int, default=300)
    ap.add_argument("--number", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ms = measure(args.items, args.unengaged, args.number, args.repeat)
    print(f"{args.items:,} items, {args.unengaged} unengaged items, ms per request:")
    for name, value in ms.items():
        print(f"  {name:<14} {value:8.4f}")
    print(json.dumps({"items": args.items, "unengaged": args.unengaged, "ms": ms}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
