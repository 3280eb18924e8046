"""The simulator's saved figures (``LUPI_SIMULATION_RESULTS``, written by
:func:`backend.experiments.simulation.run_scenarios`) read back as result dataclasses, for
the dashboard.

A scenario not run yet is ``None``; so is one whose saved figures cannot be read (a file
from an older simulator, or edited by hand): the report shows what it can and never fails
on one bad entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from backend.experiments.statistics import Estimate

__all__ = ["SimulationReport", "saved_report"]


@dataclass(frozen=True)
class SimulationPlan:
    """The traffic a scenario ran: readers and rounds per experiment, the A/A runs' count
    and readers, the seed, the list length, debuting creators and the fatigue readers."""

    users: int
    rounds: int
    seconds: float
    seed: int
    aa_runs: int
    aa_users: int
    first: int
    debuts: int
    fatigue_users: int
    fatigue_rounds: int


@dataclass(frozen=True)
class SimulatedVariant:
    """One variant of a simulated experiment: its users, impressions and clicks, its CTR
    and its CTR's difference to the control (null for the control), with 95% intervals."""

    variant: str
    control: bool
    users: int
    impressions: int
    clicks: int
    ctr: Estimate | None  # null without impressions
    ctr_vs_control: Estimate | None


@dataclass(frozen=True)
class SimulatedAB:
    """The default lists against trending items only: is the CTR difference detected?"""

    generated_at: datetime
    plan: SimulationPlan
    seconds: float
    experiment: str
    visits: int
    variants: tuple[SimulatedVariant, ...]
    ctr_difference: Estimate | None
    detected: bool
    sample_ratio_mismatch: bool


@dataclass(frozen=True)
class SimulatedAARun:
    """One A/A run: its visits and CTR difference, flagged when the interval excludes 0."""

    experiment: str
    visits: int
    ctr_difference: Estimate | None
    flagged: bool


@dataclass(frozen=True)
class SimulatedAA:
    """A/A experiments (both variants the same): how many flagged a difference (about 5%
    of them is what the intervals promise)."""

    generated_at: datetime
    plan: SimulationPlan
    seconds: float
    runs: int
    flagged: int
    flagged_share: float | None
    readers_per_run: int
    per_run: tuple[SimulatedAARun, ...]


@dataclass(frozen=True)
class CurvePoint:
    """A point of a curve: the bandit's visits so far (x) and the figure then (y)."""

    x: float
    y: float


@dataclass(frozen=True)
class SourceSlots:
    """The share (0..1) of the bandit's slots one source filled ('blended': the ranking's
    own items)."""

    source: str
    share: float


@dataclass(frozen=True)
class NamedRate:
    """A variant's or a source's figure by name."""

    name: str
    value: float


@dataclass(frozen=True)
class DebutFigures:
    """How the debuting creators' first items fared in the bandit's lists."""

    items: int
    shown_items: int
    impressions: int
    clicks: int


@dataclass(frozen=True)
class SimulatedBandit:
    """The source bandit against the uniform mix and each source alone: clicks per visit,
    regret curves (clicks the bandit's visits would have had at the other's rate, less its
    own), its slot shares per round and its arms' posterior means at the end."""

    generated_at: datetime
    plan: SimulationPlan
    seconds: float
    experiment: str
    visits: int
    rounds: int
    clicks_per_visit: tuple[NamedRate, ...]
    best_fixed_mix: str
    regret_vs_uniform: tuple[CurvePoint, ...]
    regret_vs_best_fixed: tuple[CurvePoint, ...]
    final_regret_vs_uniform: float | None
    final_regret_vs_best_fixed: float | None
    slot_shares_by_round: tuple[tuple[SourceSlots, ...], ...]
    posterior_mean: tuple[NamedRate, ...]
    debut_items: DebutFigures
    variants: tuple[SimulatedVariant, ...]


@dataclass(frozen=True)
class FatigueRound:
    """One round of the fatigue scenario in one half: clicks per impression (Wilson 95%)
    and the share of shown items the reader had already passed over."""

    clicks: int
    impressions: int
    ctr: Estimate | None
    passed_over_share: float | None


@dataclass(frozen=True)
class SimulatedFatigue:
    """Readers in two halves, with and without the impression-fatigue term: clicks per
    impression round by round, and over every round after the first."""

    generated_at: datetime
    plan: SimulationPlan
    seconds: float
    readers: int
    rounds: int
    with_fatigue: tuple[FatigueRound, ...]
    without_fatigue: tuple[FatigueRound, ...]
    after_first_round_with: FatigueRound
    after_first_round_without: FatigueRound


@dataclass(frozen=True)
class SimulationReport:
    """The simulator's latest figures per scenario (``manage.py simulate_traffic
    --scenario ...``); a scenario not run yet is null."""

    ab: SimulatedAB | None
    aa: SimulatedAA | None
    bandit: SimulatedBandit | None
    fatigue: SimulatedFatigue | None


def _estimate(raw: dict[str, float] | None) -> Estimate | None:
    return None if raw is None else Estimate(raw["value"], raw["low"], raw["high"])


def _common(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "generated_at": datetime.fromisoformat(raw["generated_at"]),
        "plan": SimulationPlan(**{f.name: raw["plan"][f.name] for f in fields(SimulationPlan)}),
        "seconds": float(raw["seconds"]),
    }


def _variants(raw: list[dict[str, Any]]) -> tuple[SimulatedVariant, ...]:
    return tuple(
        SimulatedVariant(
            variant=v["variant"],
            control=v["control"],
            users=v["users"],
            impressions=v["impressions"],
            clicks=v["clicks"],
            ctr=_estimate(v["ctr"]),
            ctr_vs_control=_estimate(v["ctr_vs_control"]),
        )
        for v in raw
    )


def _ab(raw: dict[str, Any]) -> SimulatedAB:
    return SimulatedAB(
        **_common(raw),
        experiment=raw["experiment"],
        visits=raw["visits"],
        variants=_variants(raw["variants"]),
        ctr_difference=_estimate(raw["ctr_difference"]),
        detected=raw["detected"],
        sample_ratio_mismatch=raw["sample_ratio_mismatch"],
    )


def _aa(raw: dict[str, Any]) -> SimulatedAA:
    return SimulatedAA(
        **_common(raw),
        runs=raw["runs"],
        flagged=raw["flagged"],
        flagged_share=raw["flagged_share"],
        readers_per_run=raw["readers_per_run"],
        per_run=tuple(
            SimulatedAARun(
                r["experiment"], r["visits"], _estimate(r["ctr_difference"]), r["flagged"]
            )
            for r in raw["per_run"]
        ),
    )


def _curve(raw: list[list[float]]) -> tuple[CurvePoint, ...]:
    return tuple(CurvePoint(float(x), float(y)) for x, y in raw)


def _named(raw: dict[str, float]) -> tuple[NamedRate, ...]:
    return tuple(NamedRate(name, float(value)) for name, value in raw.items())


def _bandit(raw: dict[str, Any]) -> SimulatedBandit:
    best = raw["best_fixed_mix"]
    return SimulatedBandit(
        **_common(raw),
        experiment=raw["experiment"],
        visits=raw["visits"],
        rounds=raw["rounds"],
        clicks_per_visit=_named(raw["clicks_per_visit"]),
        best_fixed_mix=best,
        regret_vs_uniform=_curve(raw["regret_vs_uniform"]),
        regret_vs_best_fixed=_curve(raw["regret_vs_best_fixed"]),
        final_regret_vs_uniform=raw["final_regret"].get("uniform"),
        final_regret_vs_best_fixed=raw["final_regret"].get(best),
        slot_shares_by_round=tuple(
            tuple(SourceSlots(s, float(share)) for s, share in shares.items())
            for shares in raw["slot_shares_by_round"]
        ),
        posterior_mean=_named(raw["posterior_mean"]),
        debut_items=DebutFigures(**raw["debut_items"]),
        variants=_variants(raw["variants"]),
    )


def _fatigue_round(raw: dict[str, Any]) -> FatigueRound:
    return FatigueRound(
        raw["clicks"], raw["impressions"], _estimate(raw["ctr"]), raw.get("passed_over_share")
    )


def _fatigue(raw: dict[str, Any]) -> SimulatedFatigue:
    halves, later = raw["by_round"], raw["after_first_round"]
    return SimulatedFatigue(
        **_common(raw),
        readers=raw["readers"],
        rounds=raw["rounds"],
        with_fatigue=tuple(_fatigue_round(r) for r in halves["on"]),
        without_fatigue=tuple(_fatigue_round(r) for r in halves["off"]),
        after_first_round_with=_fatigue_round(later["on"]),
        after_first_round_without=_fatigue_round(later["off"]),
    )


_READERS = {"ab": _ab, "aa": _aa, "bandit": _bandit, "fatigue": _fatigue}


def _scenario(name: str, raw: Any) -> Any:
    try:
        return _READERS[name](raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def saved_report(path: Path | None = None) -> SimulationReport | None:
    """The saved figures (``LUPI_SIMULATION_RESULTS`` unless ``path``), or ``None`` when
    the simulator has not written any."""
    path = Path(path or settings.LUPI_SIMULATION_RESULTS)
    try:
        scenarios = json.loads(path.read_text()).get("scenarios")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(scenarios, dict):
        return None
    report = SimulationReport(**{name: _scenario(name, scenarios.get(name)) for name in _READERS})
    return None if all(v is None for v in vars(report).values()) else report
