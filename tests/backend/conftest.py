"""Fixtures shared by the backend's tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import gnn
from backend.demo.generator import seed_demo
from backend.recommendations import impressions
from backend.recommendations.registry import registry
from backend.recommendations.training import run_training

SIMULATED_NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def simulated_platform(db, tmp_path, settings):
    """A tiny generated platform (60 readers, 150 items) with a trained model serving it:
    what the traffic simulator plays."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RECOMMENDATION_CACHE_TTL = 0
    seed_demo(seed=5, users=60, items=150, now=SIMULATED_NOW)
    config = gnn.TrainConfig(emb_dim=16, rank_grid=(16,), seed=1)
    run_training(config, progress=False, artifact_dir=tmp_path, build_atlas=False)
    registry.reset()
    yield
    impressions.flush()
    registry.reset()
