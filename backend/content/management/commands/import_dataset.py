"""``manage.py import_dataset``: load MovieLens or a LightGCN split into the platform's tables."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.content.importers import FORMATS, DatasetError, import_dataset


class Command(BaseCommand):
    help = (
        "Import a public dataset: MovieLens latest (ratings.csv, movies.csv, tags.csv), "
        "MovieLens 100K (u.data, u.item, u.genre) or the LightGCN train.txt format "
        "(with optional items.tsv). PATH is the dataset folder or one of its files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Dataset folder, or its ratings.csv / u.data / train.txt.")
        parser.add_argument(
            "--format",
            choices=("auto", *FORMATS),
            default="auto",
            help="Dataset layout (default: detected from the files).",
        )
        parser.add_argument(
            "--limit-users",
            type=int,
            default=None,
            help="Import only the first N users (by id) and the items they rated.",
        )
        parser.add_argument(
            "--prefix",
            default=None,
            help="Username prefix for the dataset's users (default per dataset, e.g. 'ml').",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete existing platform data (content, feedback, non-superuser accounts) first.",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            counts = import_dataset(
                options["path"],
                format=options["format"],
                limit_users=options["limit_users"],
                flush=options["flush"],
                prefix=options["prefix"],
                progress=options["verbosity"] >= 1,
            )
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Imported {options['path']} in {elapsed:.1f} s."))
            for key, value in counts.items():
                self.stdout.write(f"  {key.replace('_', ' '):<14} {value:>10,}")
