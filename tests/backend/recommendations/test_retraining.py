"""Scheduled retraining: when it is due, and that a due training goes through the same
training, gate and registry as ``train_gnn``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from backend.demo.generator import seed_demo
from backend.interactions.models import Interaction
from backend.recommendations import retraining
from backend.recommendations.models import ModelVersion, TrainingRun
from backend.recommendations.registry import registry
from backend.recommendations.retraining import RetrainingPlan, due_trigger

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _plan(**fields) -> RetrainingPlan:
    base = dict(
        interval_s=0,
        min_feedback=0,
        check_s=60,
        last_run_at=NOW,
        last_trigger="manual",
        new_feedback=0,
        next_run_at=None,
    )
    return RetrainingPlan(**{**base, **fields})


def test_nothing_is_due_without_a_trigger() -> None:
    plan = _plan(new_feedback=10_000, next_run_at=NOW - timedelta(days=1))
    assert not plan.enabled
    assert due_trigger(plan, NOW) is None


def test_the_interval_and_the_feedback_each_make_a_training_due() -> None:
    later = NOW + timedelta(hours=1)
    assert due_trigger(_plan(interval_s=3600, next_run_at=later), NOW) is None
    assert due_trigger(_plan(interval_s=3600, next_run_at=later), later) == "schedule"
    assert due_trigger(_plan(min_feedback=5, new_feedback=4), NOW) is None
    assert due_trigger(_plan(min_feedback=5, new_feedback=5), NOW) == "feedback"


@pytest.mark.django_db
def test_the_plan_counts_feedback_since_the_last_run_and_dates_the_next(settings) -> None:
    settings.LUPI_RETRAIN_INTERVAL_S = 3600
    settings.LUPI_RETRAIN_MIN_FEEDBACK = 3
    seed_demo(seed=3, users=20, items=40, now=NOW)
    now = datetime.now(UTC)
    assert retraining.retraining_plan(now).next_run_at == now  # never trained: due now
    run = TrainingRun.objects.create(params={"trigger": "schedule"})
    plan = retraining.retraining_plan(now)
    assert plan.last_run_at == run.started_at and plan.last_trigger == "schedule"
    assert plan.next_run_at == max(now, run.started_at + timedelta(hours=1))
    assert plan.new_feedback == 0
    acts = list(Interaction.objects.all()[:3])
    for act in acts:
        act.pk, act.occurred_at = None, datetime.now(UTC)
    Interaction.objects.bulk_create(acts)
    assert retraining.retraining_plan(now).new_feedback == 3


@pytest.mark.django_db
def test_enough_new_feedback_trains_promotes_and_serves(settings) -> None:
    settings.LUPI_RETRAIN_MIN_FEEDBACK = 1
    settings.LUPI_RETRAIN_TIME_BUDGET_S = 10.0
    seed_demo(seed=3, users=80, items=160, now=NOW)
    outcome = retraining.retrain_if_due()
    assert outcome is not None and outcome.decision.promoted, outcome
    assert outcome.run.params["trigger"] == "feedback"
    active = ModelVersion.objects.get(is_active=True)
    assert active == outcome.version
    assert registry.current().version == active.version  # this process serves it
    # No interaction since that run: nothing is due, nothing runs.
    assert retraining.retrain_if_due() is None
    assert TrainingRun.objects.count() == 1


@pytest.mark.django_db
def test_a_held_lock_keeps_a_second_worker_from_training(settings) -> None:
    settings.LUPI_RETRAIN_INTERVAL_S = 60
    cache.set(retraining.LOCK_KEY, "another worker", 60)
    assert retraining.retrain_if_due() is None
    assert not TrainingRun.objects.exists()
    assert cache.get(retraining.LOCK_KEY) == "another worker"  # not released by us
