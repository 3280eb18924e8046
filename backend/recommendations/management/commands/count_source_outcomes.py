"""``manage.py count_source_outcomes``: add the outcomes of recent sourced impressions to the
exploration bandit's arms (run it every few minutes, e.g. from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.recommendations.bandit import BATCH, SETTLE_S, count_outcomes
from backend.recommendations.sources import SOURCES


class Command(BaseCommand):
    help = (
        "Count clicks, likes and saves on the impressions the candidate sources placed into "
        "the bandit's Beta posteriors; each impression is counted once, when it has settled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--settle-seconds",
            type=float,
            default=SETTLE_S,
            help=f"Count impressions at least this old (default {SETTLE_S}).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=BATCH,
            help=f"At most this many impressions per run (default {BATCH}).",
        )
        parser.add_argument(
            "--variant",
            action="append",
            dest="variants",
            help="Learn only from this experiment variant's lists (repeatable).",
        )

    def handle(self, *args: object, **options) -> None:
        if options["settle_seconds"] < 0 or options["batch"] < 1:
            raise CommandError("--settle-seconds must be 0 or more and --batch at least 1")
        counted = count_outcomes(
            settle_s=options["settle_seconds"],
            batch=options["batch"],
            variants=options["variants"],
        )
        self.stdout.write(f"Counted {counted.impressions} impressions (up to id {counted.upto}).")
        for (segment, source), shown in sorted(
            counted.shown.items(), key=lambda kv: (kv[0][0], SOURCES.index(kv[0][1]))
        ):
            engaged = counted.engaged[(segment, source)]
            self.stdout.write(f"  {segment or 'all':<8} {source:<13} {engaged:>7} / {shown:>7}")
