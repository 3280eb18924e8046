"""Scheduled retraining: when the worker trains again without being asked.

Celery beat calls :func:`retrain_if_due` every ``LUPI_RETRAIN_CHECK_S`` seconds (the
``lupi.retrain_if_due`` task). A training is due when ``LUPI_RETRAIN_INTERVAL_S`` seconds
have passed since the last training run started (whoever asked for it), or when at least
``LUPI_RETRAIN_MIN_FEEDBACK`` interactions occurred since; either setting at 0 turns its
trigger off. The training is ``run_training``'s, so a scheduled model passes the same
promotion gate as ``train_gnn`` and can be rolled back the same way; every web process
picks up a promoted version through the registry's version check, without a restart.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

import gnn
from backend.interactions.models import Interaction
from backend.recommendations.export import ExportError
from backend.recommendations.models import TrainingRun
from backend.recommendations.training import TrainingError, TrainingOutcome, run_training

__all__ = ["RetrainingPlan", "due_trigger", "retrain_if_due", "retraining_plan"]

logger = logging.getLogger(__name__)

# Held while a scheduled training runs, so two workers (or two beats) never train together.
LOCK_KEY = "lupi:retraining"


@dataclass(frozen=True)
class RetrainingPlan:
    """The schedule's settings and where it stands now."""

    interval_s: int
    min_feedback: int
    check_s: int
    last_run_at: datetime | None
    last_trigger: str | None
    new_feedback: int
    next_run_at: datetime | None

    @property
    def enabled(self) -> bool:
        return bool(self.interval_s or self.min_feedback)


def retraining_plan(now: datetime | None = None) -> RetrainingPlan:
    """The schedule as configured, the last training run, and when the next one is due
    (``None`` when only new feedback can trigger it, or nothing can)."""
    now = now or timezone.now()
    interval = settings.LUPI_RETRAIN_INTERVAL_S
    last = TrainingRun.objects.only("started_at", "params").first()
    feedback = Interaction.objects.all()
    if last is not None:
        feedback = feedback.filter(occurred_at__gt=last.started_at)
    next_run_at = None
    if interval:
        due = now if last is None else last.started_at + timedelta(seconds=interval)
        next_run_at = max(now, due)
    return RetrainingPlan(
        interval_s=interval,
        min_feedback=settings.LUPI_RETRAIN_MIN_FEEDBACK,
        check_s=settings.LUPI_RETRAIN_CHECK_S,
        last_run_at=None if last is None else last.started_at,
        last_trigger=None if last is None else (last.params or {}).get("trigger", "manual"),
        new_feedback=feedback.count() if settings.LUPI_RETRAIN_MIN_FEEDBACK else 0,
        next_run_at=next_run_at,
    )


def due_trigger(plan: RetrainingPlan, now: datetime) -> str | None:
    """Why a training is due now ("schedule" or "feedback"), or ``None``."""
    if plan.interval_s and plan.next_run_at is not None and plan.next_run_at <= now:
        return "schedule"
    if plan.min_feedback and plan.new_feedback >= plan.min_feedback:
        return "feedback"
    return None


def retrain_if_due(now: datetime | None = None) -> TrainingOutcome | None:
    """Train and (through the gate) promote when due; ``None`` when nothing ran."""
    now = now or timezone.now()
    budget = settings.LUPI_RETRAIN_TIME_BUDGET_S
    token = uuid.uuid4().hex
    # The lock outlives a training stuck past its budget by an hour at most.
    if not cache.add(LOCK_KEY, token, timeout=int(budget) + 3600):
        logger.info("a scheduled training is already running elsewhere")
        return None
    try:
        trigger = due_trigger(retraining_plan(now), now)
        if trigger is None:
            return None
        logger.info("retraining (%s)", trigger)
        config = gnn.TrainConfig(time_budget_s=budget)
        try:
            return run_training(config, progress=False, trigger=trigger)
        except (TrainingError, ExportError) as exc:  # recorded as a failed run already
            logger.warning("scheduled training did not run: %s", exc)
            return None
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)
