"""``manage.py simulate_traffic``: the demo platform's readers visit through the real serving
code and click by their latent tastes; with ``--scenario``, the experiments that prove the
platform's statistics and its bandit."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.demo.latent import LatentMissing
from backend.demo.traffic import TrafficPlan, play
from backend.experiments.simulation import SCENARIOS, ScenarioPlan, run_scenarios
from backend.recommendations import bandit
from backend.recommendations.sources import seed_exploration


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def _seconds(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be more than 0")
    return number


class Command(BaseCommand):
    help = (
        "Play simulated readers of the demo platform (seed_demo) through the serving code: "
        "each round every reader asks for a list, clicks by their latent tastes and position, "
        "and the clicks are recorded with the list's request id. Bounded by --seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=_positive, default=200, help="Readers (default 200).")
        parser.add_argument("--rounds", type=_positive, default=3, help="Visits each (default 3).")
        parser.add_argument(
            "--seconds",
            type=_seconds,
            default=300.0,
            help="Stop after this long (per experiment with --scenario; default 300).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--first", type=_positive, default=10, help="List length (10).")
        parser.add_argument(
            "--scenario",
            action="append",
            choices=sorted(SCENARIOS),
            help="Run a scenario's experiments instead (repeatable, in the order given).",
        )
        parser.add_argument("--aa-runs", type=_positive, default=50, help="A/A runs (50).")
        parser.add_argument(
            "--aa-users", type=_positive, default=100, help="Readers per A/A run (100)."
        )
        parser.add_argument(
            "--debuts",
            type=int,
            default=20,
            help="New creators publishing a first item as the bandit scenario starts (20).",
        )
        parser.add_argument(
            "--fatigue-users", type=_positive, default=600, help="Fatigue scenario readers (600)."
        )
        parser.add_argument(
            "--fatigue-rounds", type=_positive, default=6, help="Their visits each (6)."
        )
        parser.add_argument(
            "--json-out",
            type=Path,
            default=None,
            help="Write the figures here (default with --scenario: LUPI_SIMULATION_RESULTS).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: object, **options) -> None:
        if options["debuts"] < 0:
            raise CommandError("--debuts must be 0 or more")
        seed_exploration(options["seed"])
        progress = not options["no_progress"]
        try:
            if options["scenario"]:
                report = self._scenarios(options, progress)
            else:
                report = self._traffic(options, progress)
        except LatentMissing as exc:
            raise CommandError(str(exc)) from exc
        out = options["json_out"]
        if out is not None and not options["scenario"]:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2))
        self.stdout.write(json.dumps(report, indent=2))

    def _traffic(self, options, progress: bool) -> dict:
        plan = TrafficPlan(
            users=options["users"],
            rounds=options["rounds"],
            seconds=options["seconds"],
            seed=options["seed"],
            first=options["first"],
        )
        counted = []

        def learn(round_: int, traffic) -> None:
            counted.append(bandit.count_outcomes(settle_s=0).impressions)

        traffic = play(plan, after_round=learn, progress=progress)
        by_variant: dict[str, dict[str, int]] = {}
        for visit in traffic.visits:
            row = by_variant.setdefault(
                visit.variant or "(none)", {"visits": 0, "impressions": 0, "clicks": 0}
            )
            row["visits"] += 1
            row["impressions"] += len(visit.item_ids)
            row["clicks"] += visit.clicks
        return {
            "visits": len(traffic.visits),
            "rounds": traffic.rounds_done,
            "stopped_early": traffic.stopped_early,
            "seconds": round(traffic.seconds, 1),
            "ms_per_visit": round(1000 * traffic.seconds / max(len(traffic.visits), 1), 1),
            "impressions": traffic.impressions,
            "clicks": traffic.clicks,
            "ctr": traffic.clicks / traffic.impressions if traffic.impressions else None,
            "by_variant": by_variant,
            "bandit_impressions_counted": sum(counted),
        }

    def _scenarios(self, options, progress: bool) -> dict:
        plan = ScenarioPlan(
            users=options["users"],
            rounds=options["rounds"],
            seconds=options["seconds"],
            seed=options["seed"],
            aa_runs=options["aa_runs"],
            aa_users=options["aa_users"],
            first=options["first"],
            debuts=options["debuts"],
            fatigue_users=options["fatigue_users"],
            fatigue_rounds=options["fatigue_rounds"],
        )
        out = options["json_out"] or Path(settings.LUPI_SIMULATION_RESULTS)
        try:
            return run_scenarios(options["scenario"], plan, out, progress)
        finally:
            self.stderr.write(f"Figures written to {out}")
