"""Lupi's graph recommender: a LightGCN over users, items, tags and categories with a content
tower, trained on plain arrays and served from a versioned artifact. No Django here."""

from .artifact import ArtifactError, LoadedModel, load_artifact, save_artifact
from .data import TrainingData, snapshot_hash, temporal_split
from .metrics import evaluate_ranking, topk_items
from .recommender import ModelWeights
from .train import TrainConfig, TrainResult, train_model

__all__ = [
    "ArtifactError",
    "LoadedModel",
    "ModelWeights",
    "TrainConfig",
    "TrainResult",
    "TrainingData",
    "evaluate_ranking",
    "load_artifact",
    "save_artifact",
    "snapshot_hash",
    "temporal_split",
    "topk_items",
    "train_model",
]
