"""Lupi's graph recommender: closed-form graph filters over users, items, tags and categories
(the space a LightGCN converges to) with a content tower, fitted on plain arrays by one recipe
(:func:`fit`) and served from a versioned artifact. No Django here."""

from .artifact import ArtifactError, LoadedModel, load_artifact, save_artifact
from .data import TrainingData, snapshot_hash, temporal_split
from .metrics import evaluate_ranking, topk_items
from .recipe import Choice, TrainConfig, TrainResult, fit
from .recommender import ModelWeights

__all__ = [
    "ArtifactError",
    "LoadedModel",
    "ModelWeights",
    "Choice",
    "TrainConfig",
    "TrainResult",
    "TrainingData",
    "evaluate_ranking",
    "fit",
    "load_artifact",
    "save_artifact",
    "snapshot_hash",
    "temporal_split",
    "topk_items",
]
