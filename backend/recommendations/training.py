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

logger = logging.getLogger(__name__)

# Fewer positive edges than this cannot be split into train and validation usefully.
MIN_POSITIVE_EDGES = 20


class TrainingError(Exception):
    """Training could not run on this data; the message says why."""


@dataclass(frozen=True)
class BestValidation:
    """The best validation score the trainer saw, and where (epoch 0: the spectral start;
    fractions: an evaluation within an epoch)."""

    metric: str
    value: float
    epoch: float


@dataclass(frozen=True)
class TrainingOutcome:
    run: TrainingRun
    version: ModelVersion
    decision: PromotionDecision
    epochs_run: int = 0
    epochs_planned: int = 0
    best: BestValidation | None = None
    stop_reason: str = "completed"


def best_validation(history: list[dict[str, float]], metric: str) -> BestValidation | None:
    """The first evaluation with the highest ``metric`` in the trainer's history."""
    scored = [h for h in history if metric in h]
    if not scored:
        return None
    top = max(scored, key=lambda h: h[metric])  # max keeps the first of equals
    return BestValidation(metric, float(top[metric]), float(top["epoch"]))


def run_training(
    config: gnn.TrainConfig,
    *,
    holdout: float = 0.1,
    force: bool = False,
    progress: bool = True,
    artifact_dir: Path | None = None,
    build_atlas: bool = True,
) -> TrainingOutcome:
    """Export, train, evaluate on the most recent interactions, save, register, promote."""
    run = TrainingRun.objects.create(params={"config": config.to_json(), "holdout": holdout})
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
        data_hash = gnn.snapshot_hash(data)
        run.data_hash = data_hash
        train, valid = gnn.temporal_split(data, holdout=holdout, seed=config.seed)
        result = gnn.train_model(train, config, valid=valid, progress=progress)
        run.loss_curve = [float(x) for x in result.loss_curve]
        run.metrics = {k: float(v) for k, v in result.metrics.items()}
        name = f"{timezone.now():%Y%m%dT%H%M%S}-{data_hash[:8]}-r{run.pk}"
        path = gnn.save_artifact(
            artifact_dir or settings.LUPI_ARTIFACT_DIR,
            result,
            snapshot.id_maps,
            params={"holdout": holdout, "counts": snapshot.counts},
            data_hash=data_hash,
            version=name,
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
        epochs_run=result.epochs_run,
        epochs_planned=config.epochs,
        stop_reason=result.stop_reason,
        best=best_validation(result.history, f"recall@{config.topn}"),
    )


def _prepare_atlas(version: ModelVersion) -> None:
    """Make the promoted version's embedding atlas now, so the dashboard need not wait."""
    from backend.recommendations.atlas import ensure_atlas
    from backend.recommendations.registry import load_serving_model

    try:
        ensure_atlas(load_serving_model(version))
    except Exception:  # the atlas is a view of the model, never a reason to fail training
        logger.exception("could not build the embedding atlas of %s", version.version)
