"""Experiments proven by simulated traffic (``manage.py simulate_traffic --scenario ...``).

Each scenario runs real experiments (:mod:`backend.experiments.services`) on the demo
platform and plays its readers through them (:func:`backend.demo.traffic.play`):

* ``ab``: the default configuration against a deliberately worse one (trending items
  only); the result is the results service's CTR difference with its 95% interval, which
  should exclude zero;
* ``aa``: ``aa_runs`` experiments whose two variants are the same configuration, each on its
  own sample of readers; the count of runs whose interval excludes zero should be about
  5% of them;
* ``bandit``: one experiment whose variants are the bandit, the uniform source mix and each
  source alone; the bandit learns from its own lists only (its arms start from the prior),
  and the cumulative clicks per visit give its regret against the uniform mix and against
  the best fixed mix in hindsight;
* ``fatigue``: one sample of readers in two halves, one served with the ranking's
  impression-fatigue term and one without (``RECOMMENDATION_FATIGUE``), clicks per
  impression round by round.

Every scenario returns a plain dictionary (JSON) of its figures; :func:`run_scenarios`
writes them together to one file, for the dashboard.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.test.utils import override_settings

from backend.demo.traffic import Traffic, TrafficPlan, debut_creators, play
from backend.experiments.results import experiment_results
from backend.experiments.services import (
    VariantSpec,
    create_experiment,
    start_experiment,
    stop_experiment,
)
from backend.experiments.statistics import wilson_interval
from backend.recommendations import bandit
from backend.recommendations.sources import SOURCES

__all__ = ["SCENARIOS", "ScenarioPlan", "run_scenarios"]

# A fixed mix's weights are each 0..1 (``config.SourceMix``): uniform is every source at 1.
UNIFORM_MIX = {source: 1.0 for source in SOURCES}
# Points of each regret curve kept in the JSON.
CURVE_POINTS = 60


@dataclass(frozen=True)
class ScenarioPlan:
    """Sizes of the scenarios' traffic: readers and rounds per experiment, the A/A runs'
    count and readers, the seed, and the list length."""

    users: int = 2000
    rounds: int = 3
    seconds: float = 600.0  # per experiment
    seed: int = 0
    aa_runs: int = 50
    aa_users: int = 100
    first: int = 10
    debuts: int = 20  # creators whose first item appears as the bandit scenario starts
    fatigue_users: int = 600
    fatigue_rounds: int = 6

    def traffic(self, *, users: int | None = None, rounds: int | None = None, seed: int = 0):
        return TrafficPlan(
            users=users or self.users,
            rounds=rounds or self.rounds,
            seconds=self.seconds,
            seed=self.seed * 1_000_003 + seed,
            first=self.first,
        )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%m%d%H%M%S")


def _estimate(estimate) -> dict[str, float] | None:
    if estimate is None:
        return None
    return {"value": estimate.value, "low": estimate.low, "high": estimate.high}


def _run_experiment(
    name: str,
    variants: Sequence[VariantSpec],
    plan: TrafficPlan,
    description: str,
    after_chunk: Callable[[Traffic], None] | None = None,
    progress: bool = False,
):
    """Create, start, play, stop: the experiment's view, its traffic and its results."""
    view = create_experiment(name, list(variants), description=description)
    start_experiment(view.experiment_id)
    try:
        traffic = play(plan, after_chunk=after_chunk, progress=progress)
    finally:
        stop_experiment(view.experiment_id)
    return view, traffic, experiment_results(view.experiment_id)


def _variant_figures(results) -> list[dict[str, Any]]:
    return [
        {
            "variant": v.name,
            "control": v.is_control,
            "users": v.users,
            "impressions": v.totals.impressions,
            "clicks": v.totals.clicks,
            "ctr": _estimate(v.totals.ctr),
            "ctr_vs_control": _estimate(v.versus_control.ctr if v.versus_control else None),
        }
        for v in results.variants
    ]


def ab_scenario(plan: ScenarioPlan, progress: bool = False) -> dict[str, Any]:
    """The default against trending items only: is the difference detected?"""
    variants = [
        VariantSpec("default", 0.5, {}, is_control=True),
        VariantSpec("trending-only", 0.5, {"source_mix": {"trending": 1.0}}),
    ]
    started = time.monotonic()
    view, traffic, results = _run_experiment(
        f"sim-ab-{_stamp()}",
        variants,
        plan.traffic(),
        "Simulated: the default lists against trending items only.",
        progress=progress,
    )
    treatment = next(v for v in results.variants if not v.is_control)
    difference = treatment.versus_control.ctr if treatment.versus_control else None
    return {
        "experiment": view.name,
        "visits": len(traffic.visits),
        "rounds": traffic.rounds_done,
        "seconds": round(time.monotonic() - started, 1),
        "variants": _variant_figures(results),
        "ctr_difference": _estimate(difference),
        "detected": bool(difference is not None and difference.excludes_zero),
        "sample_ratio_mismatch": results.sample_ratio.mismatch,
    }


def aa_scenario(plan: ScenarioPlan, progress: bool = False) -> dict[str, Any]:
    """``aa_runs`` A/A experiments, each on its own readers: how many flag a difference?"""
    runs = []
    started = time.monotonic()
    stamp = _stamp()
    for k in range(plan.aa_runs):
        variants = [VariantSpec("a", 0.5, {}, is_control=True), VariantSpec("b", 0.5, {})]
        view, traffic, results = _run_experiment(
            f"sim-aa-{stamp}-{k}",
            variants,
            plan.traffic(users=plan.aa_users, rounds=1, seed=10_000 + k),
            "Simulated A/A: both variants serve the same configuration.",
        )
        b = next(v for v in results.variants if not v.is_control)
        difference = b.versus_control.ctr if b.versus_control else None
        runs.append(
            {
                "experiment": view.name,
                "visits": len(traffic.visits),
                "ctr_difference": _estimate(difference),
                "flagged": bool(difference is not None and difference.excludes_zero),
            }
        )
        if progress:
            flagged = sum(r["flagged"] for r in runs)
            print(f"  A/A run {k + 1}/{plan.aa_runs}: {flagged} flagged so far", flush=True)
    flagged = sum(r["flagged"] for r in runs)
    return {
        "runs": len(runs),
        "flagged": flagged,
        "flagged_share": flagged / len(runs) if runs else None,
        "readers_per_run": plan.aa_users,
        "seconds": round(time.monotonic() - started, 1),
        "per_run": runs,
    }


def _running(traffic: Traffic, label: str) -> tuple[np.ndarray, np.ndarray]:
    """A variant's visits and clicks so far, after each visit of the whole run (all
    variants' visits are interleaved in time, so equal indices are equal moments)."""
    mine = np.array([v.variant == label for v in traffic.visits])
    clicks = np.array([v.clicks for v in traffic.visits]) * mine
    return np.cumsum(mine), np.cumsum(clicks)


def _regret(ours: tuple[np.ndarray, np.ndarray], theirs: tuple[np.ndarray, np.ndarray]):
    """Clicks the bandit's visits so far would have had at the other variant's rate so far,
    less those they had: (bandit visits, regret) at each moment both had visits."""
    (n_ours, c_ours), (n_theirs, c_theirs) = ours, theirs
    both = (n_ours > 0) & (n_theirs > 0)
    regret = n_ours[both] * c_theirs[both] / n_theirs[both] - c_ours[both]
    return n_ours[both], regret


def _curve(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
    """``CURVE_POINTS`` (x, y) points of a curve, the last one included."""
    if not len(x):
        return []
    at = np.unique(np.linspace(0, len(x) - 1, CURVE_POINTS).astype(np.int64))
    return [[float(x[i]), round(float(y[i]), 3)] for i in at]


def _last(values: np.ndarray) -> float | None:
    return round(float(values[-1]), 1) if len(values) else None


def _slot_shares(traffic: Traffic, label: str, rounds: int) -> list[dict[str, float]]:
    """Per round, the share of the bandit's slots each source filled."""
    shares = []
    for round_ in range(rounds):
        sources = [s for v in traffic.visits if v.variant == label and v.round == round_
                   for s in v.sources]  # fmt: skip
        total = max(len(sources), 1)
        shares.append({s: sources.count(s) / total for s in (*SOURCES, "blended")})
    return shares


def bandit_scenario(plan: ScenarioPlan, progress: bool = False) -> dict[str, Any]:
    """The bandit against the uniform mix and each source alone, in cumulative clicks.

    ``plan.debuts`` creators publish their first item as the run starts, so that the new
    creators' source has candidates; the bandit's arms start from the prior and count the
    outcomes of its own lists after every chunk of visits (a periodic job as often as the
    traffic allows)."""
    fixed = {"uniform": UNIFORM_MIX, **{f"only-{s}": {s: 1.0} for s in SOURCES}}
    share = 1.0 / (len(fixed) + 1)
    variants = [VariantSpec("bandit", share, {"bandit": True}, is_control=True)] + [
        VariantSpec(name.replace("_", "-"), share, {"source_mix": mix})
        for name, mix in fixed.items()
    ]
    name = f"sim-bandit-{_stamp()}"
    label = f"{name}:bandit"
    debuts = set(debut_creators(plan.debuts, plan.seed)) if plan.debuts else set()
    bandit.reset_arms()
    started = time.monotonic()

    def learn(traffic: Traffic) -> None:
        bandit.count_outcomes(settle_s=0, variants={label})

    view, traffic, results = _run_experiment(
        name,
        variants,
        plan.traffic(seed=20_000),
        "Simulated: the source bandit against fixed source mixes.",
        after_chunk=learn,
        progress=progress,
    )
    running = {v.name: _running(traffic, f"{name}:{v.name}") for v in view.variants}
    rates = {k: float(c[-1] / n[-1]) if n[-1] else 0.0 for k, (n, c) in running.items()}
    best = max((k for k in running if k != "bandit"), key=lambda k: rates[k])
    versus = {k: _regret(running["bandit"], running[k]) for k in ("uniform", best)}
    alpha, beta = bandit.posterior()
    return {
        "experiment": view.name,
        "visits": len(traffic.visits),
        "rounds": traffic.rounds_done,
        "seconds": round(time.monotonic() - started, 1),
        "clicks_per_visit": rates,
        "cumulative_clicks": {k: _curve(n, c) for k, (n, c) in running.items()},
        "best_fixed_mix": best,
        "regret_vs_uniform": _curve(*versus["uniform"]),
        "regret_vs_best_fixed": _curve(*versus[best]),
        "final_regret": {k: _last(r) for k, (_, r) in versus.items()},
        "slot_shares_by_round": _slot_shares(traffic, label, traffic.rounds_done),
        "posterior_mean": {
            s: float(a / (a + b)) for s, a, b in zip(SOURCES, alpha, beta, strict=True)
        },
        "debut_items": _debut_figures(traffic, debuts, label),
        "variants": _variant_figures(results),
    }


def _debut_figures(traffic: Traffic, debuts: set[int], label: str) -> dict[str, int]:
    """How the new creators' first items fared in the bandit's lists."""
    shown = clicked = reached = 0
    seen: set[int] = set()
    for visit in traffic.visits:
        if visit.variant != label:
            continue
        for position, item_id in enumerate(visit.item_ids):
            if item_id in debuts:
                shown += 1
                clicked += position in visit.clicked
                seen.add(item_id)
    reached = len(seen)
    return {"items": len(debuts), "shown_items": reached, "impressions": shown, "clicks": clicked}


def fatigue_scenario(plan: ScenarioPlan, progress: bool = False) -> dict[str, Any]:
    """One sample of readers in two interleaved halves, one served with the impression
    fatigue term and one without, for ``plan.fatigue_rounds`` visits each: clicks per
    impression round by round, and how many shown items the reader had passed over before."""
    halves = {}
    started = time.monotonic()
    for part, on in ((0, True), (1, False)):
        traffic_plan = replace(
            plan.traffic(users=plan.fatigue_users, rounds=plan.fatigue_rounds, seed=30_000),
            part=(part, 2),
        )
        with override_settings(RECOMMENDATION_FATIGUE=on):
            traffic = play(traffic_plan, progress=progress)
        halves["on" if on else "off"] = _by_round(traffic)
    later = {
        name: _rate(sum(r["clicks"] for r in rounds[1:]), sum(r["impressions"] for r in rounds[1:]))
        for name, rounds in halves.items()
    }
    return {
        "readers": plan.fatigue_users,
        "rounds": plan.fatigue_rounds,
        "seconds": round(time.monotonic() - started, 1),
        "by_round": halves,
        "after_first_round": later,
    }


def _rate(clicks: int, impressions: int) -> dict[str, Any]:
    ctr = wilson_interval(clicks, impressions)
    return {"clicks": clicks, "impressions": impressions, "ctr": _estimate(ctr)}


def _by_round(traffic: Traffic) -> list[dict[str, Any]]:
    rounds = []
    for round_ in range(traffic.rounds_done):
        visits = [v for v in traffic.visits if v.round == round_]
        shown = sum(len(v.item_ids) for v in visits)
        row = _rate(sum(v.clicks for v in visits), shown)
        row["passed_over_share"] = sum(v.repeats for v in visits) / shown if shown else None
        rounds.append(row)
    return rounds


SCENARIOS: dict[str, Callable[[ScenarioPlan, bool], dict[str, Any]]] = {
    "ab": ab_scenario,
    "aa": aa_scenario,
    "bandit": bandit_scenario,
    "fatigue": fatigue_scenario,
}


def run_scenarios(
    names: Sequence[str], plan: ScenarioPlan, out: Path | None, progress: bool = False
) -> dict[str, Any]:
    """Run the named scenarios in order; write their figures to ``out`` (JSON), keeping
    the latest figures there of scenarios not run this time."""
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario {unknown[0]!r}; use {sorted(SCENARIOS)}")
    report: dict[str, Any] = {"scenarios": _kept(out)}
    for name in names:
        figures = SCENARIOS[name](plan, progress)
        report["scenarios"][name] = {
            "generated_at": datetime.now(UTC).isoformat(),
            "plan": plan.__dict__,
            **figures,
        }
        if out is not None:  # after each: a long run keeps what it has
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2))
    return report


def _kept(out: Path | None) -> dict[str, Any]:
    """The scenarios already in ``out`` (none when it is missing or not ours)."""
    if out is None or not out.exists():
        return {}
    try:
        kept = json.loads(out.read_text()).get("scenarios", {})
    except (ValueError, AttributeError):
        return {}
    return {k: v for k, v in kept.items() if k in SCENARIOS} if isinstance(kept, dict) else {}
