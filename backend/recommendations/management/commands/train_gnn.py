"""``manage.py train_gnn``: train the graph recommender on the platform's data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from django.core.management.base import BaseCommand, CommandError, CommandParser

import gnn
from backend.recommendations.export import ExportError
from backend.recommendations.models import ModelVersion
from backend.recommendations.training import TrainingError, TrainingOutcome, run_training
from gnn.parallel import init_ranks


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError
    return number


def positive_float(value: str) -> float:
    number = float(value)
    # NaN passes "<= 0" and would reach the training run's JSON column; inf is no budget.
    if not math.isfinite(number) or number <= 0:
        raise ValueError
    return number


def choice_line(outcome: TrainingOutcome) -> str:
    """What the recipe chose on validation, and how it scored there."""
    c = outcome.choice
    line = (
        f"Chose rank {c.rank}, low-pass {c.lowpass:g}, degree tilt {c.tilt:g}, "
        f"{c.neighbours} neighbours, {c.strength} acts, recency {c.recency:g}, "
        f"tag/category edges {c.edge_weight:g}, content tower {c.tower.loss}, "
        f"tag profile {c.tag_profile:g}, blend {c.blend:g}, context weight {c.context_weight:g}"
    )
    if outcome.stop_reason == "time budget":
        line += " (the search stopped at the time budget)"
    if outcome.best is not None:
        line += f"; validation {outcome.best.metric} {outcome.best.value:.4f}"
    return line


class Command(BaseCommand):
    help = (
        "Export the interaction graph, fit the recommender (graph filters and content tower, "
        "chosen on the most recent interactions), write a versioned artifact and promote it "
        "when it is not worse than the active model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = gnn.TrainConfig()
        parser.add_argument("--emb-dim", type=positive_int, default=defaults.emb_dim)
        parser.add_argument("--topn", type=positive_int, default=defaults.topn)
        parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--time-budget",
            type=positive_float,
            default=defaults.time_budget_s,
            help="Seconds of training, the validation search included.",
        )
        parser.add_argument(
            "--holdout",
            type=float,
            default=defaults.holdout,
            help="Share of each user's latest positives held out to choose on.",
        )
        parser.add_argument("--artifact-dir", type=Path, default=None)
        parser.add_argument(
            "--force", action="store_true", help="Promote even if worse than the active model."
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when a model version is already active.",
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--on-worker",
            action="store_true",
            help="Train on the task queue's workers (CELERY_BROKER_URL) and wait for the result.",
        )

    def handle(self, *args: object, **opts: object) -> None:
        if opts["if_missing"] and ModelVersion.objects.filter(is_active=True).exists():
            self.stdout.write("A model version is already active; nothing to do.")
            return
        if not 0.0 < opts["holdout"] < 1.0:
            raise CommandError("--holdout must lie between 0 and 1")
        if opts["device"] == "cuda" and not torch.cuda.is_available():
            why = "built without CUDA" if torch.version.cuda is None else "no GPU is visible"
            raise CommandError(
                f"--device cuda: CUDA is not available here (torch {torch.__version__}, {why}); "
                "use --device cpu or --device auto"
            )
        config = gnn.TrainConfig(
            emb_dim=opts["emb_dim"],
            topn=opts["topn"],
            device=opts["device"],
            seed=opts["seed"],
            time_budget_s=opts["time_budget"],
            holdout=opts["holdout"],
        )
        if opts["on_worker"]:
            if opts["artifact_dir"] is not None:
                raise CommandError("--artifact-dir is the worker's setting with --on-worker")
            self._train_on_worker(config, force=bool(opts["force"]))
            return
        ranks = init_ranks(opts["device"])  # a single process outside torchrun
        try:
            outcome = run_training(
                config,
                force=opts["force"],
                progress=not opts["no_progress"],
                artifact_dir=opts["artifact_dir"],
                ranks=ranks,
            )
        except (TrainingError, ExportError) as exc:
            raise CommandError(str(exc)) from exc
        except RuntimeError as exc:
            # e.g. the device running out of memory
            raise CommandError(f"training failed: {exc}") from exc
        finally:
            ranks.leave()
        if outcome is None:  # a rank other than 0 under torchrun: rank 0 reports
            return
        run = outcome.run
        self.stdout.write(
            f"Training run {run.pk}: {run.num_users} users, {run.num_items} items, "
            f"{run.num_interactions} user-item pairs"
        )
        self.stdout.write(choice_line(outcome))
        self.stdout.write("Validation metrics: " + json.dumps(run.metrics, sort_keys=True))
        self.stdout.write(f"Artifact: {outcome.version.path}")
        style = self.style.SUCCESS if outcome.decision.promoted else self.style.WARNING
        verb = "Promoted" if outcome.decision.promoted else "Not promoted"
        self.stdout.write(style(f"{verb}: {outcome.decision.reason}"))

    def _train_on_worker(self, config: gnn.TrainConfig, *, force: bool) -> None:
        """Queue the training and wait for a worker to finish it (its gate decides)."""
        from backend.celery import tasks_enabled
        from backend.recommendations.tasks import train_model

        if not tasks_enabled():
            raise CommandError("--on-worker needs a task queue: set CELERY_BROKER_URL")
        options = {
            "emb_dim": config.emb_dim,
            "topn": config.topn,
            "device": config.device,
            "seed": config.seed,
            "time_budget_s": config.time_budget_s,
            "holdout": config.holdout,
        }
        result = train_model.delay(options, force)
        self.stdout.write(f"Queued training task {result.id}; waiting for a worker…")
        try:
            # The budget bounds the fit; export, saving and promotion come on top.
            summary = result.get(timeout=config.time_budget_s + 600)
        except Exception as exc:  # the task's own error, re-raised by Celery
            raise CommandError(f"training on the worker failed: {exc}") from exc
        style = self.style.SUCCESS if summary["promoted"] else self.style.WARNING
        verb = "Promoted" if summary["promoted"] else "Not promoted"
        self.stdout.write(f"Training run {summary['run']}: version {summary['version']}")
        self.stdout.write(style(f"{verb}: {summary['reason']}"))
