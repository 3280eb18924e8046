"""Runs one training of the graph recommender on the platform's data and records it.

The command stays thin: this module exports the data, calls ``gnn``, writes the artifact,
stores the run and the version, and asks ``services.promote`` for the flip.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

import gnn
from backend.recommendations.export import export_platform
from backend.recommendations.models import ModelVersion, TrainingRun
from backend.recommendations.services import PromotionDecision, PromotionError, promote
from gnn.parallel import SINGLE, Ranks

logger = logging.getLogger(__name__)

# Fewer positive edges than this cannot be split into train and validation usefully.
MIN_POSITIVE_EDGES = 20


class TrainingError(Exception):
    """Training could not run on this data; the message says why."""


@dataclass(frozen=True)
class BestValidation:
    """The served model's validation score (on the training part, before the refit)."""

    metric: str
    value: float


@dataclass(frozen=True)
class TrainingOutcome:
    run: TrainingRun
    version: ModelVersion
    decision: PromotionDecision
    choice: gnn.Choice
    best: BestValidation | None = None
    stop_reason: str = "completed"

    def summary(self) -> dict:
        """What the run did, as JSON values (a task's result)."""
        return {
            "run": self.run.pk,
            "version": self.version.version,
            "promoted": self.decision.promoted,
            "reason": self.decision.reason,
        }


def run_training(
    config: gnn.TrainConfig,
    *,
    force: bool = False,
    progress: bool = True,
    artifact_dir: Path | None = None,
    build_atlas: bool = True,
    ranks: Ranks = SINGLE,
    trigger: str = "manual",
) -> TrainingOutcome | None:
    """Export, fit (choosing on the most recent interactions), save, register, promote.

    Under ``torchrun`` (``ranks`` from :func:`gnn.parallel.init_ranks`) rank 0 alone reads
    the database and hands the snapshot to the others, which fit alongside it and return
    ``None``: only rank 0 records the run, writes the artifact and promotes it. ``trigger``
    says who asked ("manual", "schedule", "feedback"); it is kept with the run.
    """
    if not ranks.is_leader:
        return _follow(config, ranks)
    run = TrainingRun.objects.create(params={"config": config.to_json(), "trigger": trigger})
    try:
        snapshot, data = _snapshot(run, ranks)
        data_hash = gnn.snapshot_hash(data)
        run.data_hash = data_hash
        result = gnn.fit(data, config, progress=progress, ranks=ranks)
        run.loss_curve = [float(h["recall"]) for h in result.history]
        run.metrics = {k: float(v) for k, v in result.metrics.items()}
        name = f"{timezone.now():%Y%m%dT%H%M%S}-{data_hash[:8]}-r{run.pk}"
        path = gnn.save_artifact(
            artifact_dir or settings.LUPI_ARTIFACT_DIR,
            result,
            snapshot.id_maps,
            params={"counts": snapshot.counts},
            data_hash=data_hash,
            version=name,
            # built here, once, rather than by every serving process that loads the version
            item_index_min_items=settings.RECOMMENDATION_INDEX_MIN_ITEMS or None,
        )
    except Exception as exc:
        run.status = TrainingRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save()
        raise
    run.status = TrainingRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    version = ModelVersion.objects.create(
        version=name, path=str(path), training_run=run, metrics=run.metrics
    )
    try:
        decision = promote(version, force=force)
    except PromotionError as exc:  # the artifact just written does not verify: keep the old
        decision = PromotionDecision(False, str(exc), None)
    logger.info("trained %s: %s", name, decision.reason)
    if decision.promoted and build_atlas:
        _prepare_atlas(version)
    return TrainingOutcome(
        run=run,
        version=version,
        decision=decision,
        choice=result.choice,
        stop_reason=result.stop_reason,
        best=_best(result.metrics, f"recall@{config.topn}"),
    )


def _snapshot(run: TrainingRun, ranks: Ranks):
    """The platform's arrays, shared with the other ranks (``None`` to them when there is
    nothing to train on, so that they stop too)."""
    data = None
    try:
        snapshot = export_platform()
        run.num_users = snapshot.counts["users"]
        run.num_items = snapshot.counts["items"]
        run.num_interactions = snapshot.counts["edges"]
        if snapshot.counts["positive_edges"] < MIN_POSITIVE_EDGES:
            raise TrainingError(
                f"only {snapshot.counts['positive_edges']} positive user-item pairs; "
                f"at least {MIN_POSITIVE_EDGES} are needed (seed or import data first)"
            )
        data = gnn.TrainingData(**snapshot.arrays)
    finally:
        ranks.share(data)
    return snapshot, data


def _follow(config: gnn.TrainConfig, ranks: Ranks) -> None:
    """A rank other than 0: fit on rank 0's snapshot, write nothing."""
    data = ranks.share(None)
    if data is not None:
        gnn.fit(data, config, progress=False, ranks=ranks)
    return None


def _best(metrics: dict[str, float], metric: str) -> BestValidation | None:
    return BestValidation(metric, float(metrics[metric])) if metric in metrics else None


def _prepare_atlas(version: ModelVersion) -> None:
    """Make the promoted version's embedding atlas now, so the dashboard need not wait: on
    the task queue's workers when there is a queue, else here."""
    from backend.celery import tasks_enabled

    if tasks_enabled():
        from backend.recommendations.tasks import build_atlas

        try:
            build_atlas.delay(version.version)
            return
        except Exception:  # the broker is down: the atlas is made here instead
            logger.exception("could not queue the atlas of %s", version.version)
    from backend.recommendations.atlas import ensure_atlas
    from backend.recommendations.registry import load_serving_model

    try:
        ensure_atlas(load_serving_model(version))
    except Exception:  # the atlas is a view of the model, never a reason to fail training
        logger.exception("could not build the embedding atlas of %s", version.version)
