"""The recommender's background work, as tasks of the queue (``backend/celery.py``).

Each task is a thin call into the module that owns the work: impressions
(``impressions.write_batch``), training (``training.run_training``, with its promotion gate
and rollback), the atlas (``atlas.ensure_atlas``) and scheduled retraining
(``retraining.retrain_if_due``). Arguments and results are JSON values.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

__all__ = ["build_atlas", "retrain_if_due", "train_model", "write_impressions"]


@shared_task(name="lupi.write_impressions", ignore_result=True)
def write_impressions(lists: list[list]) -> int:
    """Write a batch of served lists that a web process queued; the rows written."""
    from backend.recommendations.impressions import write_batch

    return write_batch(lists)


@shared_task(name="lupi.train_model")
def train_model(options: dict, force: bool = False) -> dict:
    """One training run (``train_gnn --on-worker``); what it did, for the caller."""
    import gnn
    from backend.recommendations.training import run_training

    outcome = run_training(gnn.TrainConfig(**options), force=force, progress=False)
    return outcome.summary()


@shared_task(name="lupi.build_atlas", ignore_result=True)
def build_atlas(version: str) -> None:
    """Make the embedding atlas of a promoted version, so no request waits for it."""
    from backend.recommendations.atlas import ensure_atlas
    from backend.recommendations.models import ModelVersion
    from backend.recommendations.registry import load_serving_model

    ensure_atlas(load_serving_model(ModelVersion.objects.get(version=version)))


@shared_task(name="lupi.retrain_if_due", ignore_result=True)
def retrain_if_due() -> dict | None:
    """Beat's periodic call: retrain when the schedule or the new feedback says so."""
    from backend.recommendations import retraining

    outcome = retraining.retrain_if_due()
    return None if outcome is None else outcome.summary()
