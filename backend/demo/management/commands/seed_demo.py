"""``manage.py seed_demo``: a believable demo platform, deterministic for a seed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date, parse_datetime

from backend.demo.generator import (
    ADMIN_USERNAME,
    DEMO_CREATOR_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    DemoDataExists,
    default_now,
    ensure_admin,
    platform_has_data,
    seed_demo,
)


def _parse_now(value: str) -> datetime:
    """A date or ISO date-time (UTC unless it says otherwise); CommandError otherwise."""
    problem = f"--now: expected a date (2025-06-01) or an ISO date-time, got {value!r}"
    try:
        moment = parse_datetime(value)
        day = parse_date(value) if moment is None else None
    except ValueError as exc:  # well formed but impossible, e.g. 2025-02-30
        raise CommandError(f"{problem} ({exc})") from None
    if moment is None:
        if day is None:
            raise CommandError(problem)
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Generate a demo platform: categories, tags, creators, items, users with tastes and "
        "months of interactions, plus the demo accounts 'demo' and 'creator'. Deterministic "
        "for a given --seed, sizes and --now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--users", type=_positive, default=2000, help="Users (default 2000).")
        parser.add_argument("--items", type=_positive, default=5000, help="Items (default 5000).")
        parser.add_argument(
            "--creators",
            type=_positive,
            default=None,
            help="Creators (default: items / 20, at least 3, at most 5000).",
        )
        parser.add_argument(
            "--days", type=_positive, default=180, help="Days of history (default 180)."
        )
        parser.add_argument(
            "--now",
            default=None,
            help="End of the history, a date or ISO date-time in UTC (default: today 00:00 UTC).",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--flush",
            action="store_true",
            help="Delete existing platform data (content, feedback, non-superuser accounts) first.",
        )
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already holds platform data.",
        )
        parser.add_argument(
            "--admin",
            action="store_true",
            help=f"Also create a superuser '{ADMIN_USERNAME}' with the demo password.",
        )

    def handle(self, *args, **options) -> None:
        # Parsed here, not by argparse, so a bad value is one line of error, not a traceback.
        now = _parse_now(options["now"]) if options["now"] else default_now()
        if options["if_empty"] and platform_has_data():
            # A platform seeded before the staff account was asked for still gets it.
            if options["admin"] and ensure_admin(options["seed"], now):
                self.stdout.write(f"Created the superuser '{ADMIN_USERNAME}' ({DEMO_PASSWORD}).")
            self.stdout.write("Platform data already present; nothing else to do (--if-empty).")
            return
        started = time.perf_counter()
        try:
            counts = seed_demo(
                seed=options["seed"],
                users=options["users"],
                items=options["items"],
                creators=options["creators"],
                days=options["days"],
                now=now,
                flush=options["flush"],
                admin=options["admin"],
                progress=options["verbosity"] >= 1,
            )
        except DemoDataExists as exc:
            raise CommandError(f"{exc} Or use --if-empty to keep the existing data.") from exc
        elapsed = time.perf_counter() - started
        if options["verbosity"] < 1:
            return
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Seeded the demo platform in {elapsed:.1f} s "
                f"(seed {options['seed']}, history up to {now:%Y-%m-%d})."
            )
        )
        for key in [
            "categories",
            "tags",
            "creators",
            "items",
            "item_tags",
            "users",
            "interested_categories",
            "interested_tags",
            "interactions",
            "impressions",
            "impression_lists",
            "not_interested",
        ]:
            out.write(f"  {key.replace('_', ' '):<22} {counts.get(key, 0):>10,}")
        kinds = ", ".join(
            f"{key.removeprefix('interactions_')} {value:,}"
            for key, value in counts.items()
            if key.startswith("interactions_")
        )
        out.write(f"  interactions by kind: {kinds}")
        out.write("Demo accounts (demo data only):")
        names = dict(
            get_user_model()
            .objects.filter(username__in=[DEMO_USERNAME, DEMO_CREATOR_USERNAME])
            .values_list("username", "first_name")
        )
        out.write(
            f"  {DEMO_USERNAME:<8} {names.get(DEMO_USERNAME, '')}, "
            "a reader with history and interests"
        )
        out.write(
            f"  {DEMO_CREATOR_USERNAME:<8} {names.get(DEMO_CREATOR_USERNAME, '')}, "
            "a creator with published items and an audience"
        )
        if options["admin"]:
            out.write(f"  {ADMIN_USERNAME:<8} a superuser for /admin/")
        out.write(f"  password: {DEMO_PASSWORD}")
