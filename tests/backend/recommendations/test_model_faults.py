"""Bad model files never take down the model a process serves (the fault benchmark,
``python -m bench.faults``, measures the same under load)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backend.recommendations.models import ModelVersion
from backend.recommendations.registry import registry
from backend.recommendations.services import PromotionError, promote
from backend.recommendations.serving import Method, recommend_for_user
from bench.faults import damage

from .conftest import register, user


def _served(user_id: int = 1101) -> tuple[Method, str]:
    result = recommend_for_user(user(user_id), 5, use_cache=False, log=False)
    return result.method, result.model_version


@pytest.fixture
def every_request_checks(monkeypatch):
    # Each request asks which version is active, instead of every few seconds.
    monkeypatch.setattr(registry, "check_interval", 0.0)


def test_a_refused_promotion_leaves_the_served_model_serving(
    platform, artifacts, tmp_path: Path, every_request_checks
) -> None:
    register(artifacts["alpha"])
    assert _served() == (Method.HYBRID, "alpha")
    damaged = Path(shutil.copytree(artifacts["beta"], tmp_path / "beta-damaged"))
    damage(damaged)
    candidate = ModelVersion.objects.create(
        version="beta-damaged", path=str(damaged), metrics={"recall@20": 1.0}
    )
    with pytest.raises(PromotionError, match="beta-damaged cannot be activated"):
        promote(candidate, force=True)
    assert _served() == (Method.HYBRID, "alpha")


def test_the_served_model_keeps_serving_when_its_files_go_bad(
    platform, artifacts, tmp_path: Path, every_request_checks
) -> None:
    own = Path(shutil.copytree(artifacts["alpha"], tmp_path / "alpha-copy"))
    register(own)
    assert _served() == (Method.HYBRID, "alpha-copy")
    damage(own)  # the disk goes bad under the loaded model
    # Loaded once, kept in memory: the same version serves on, whatever the files say.
    assert _served() == (Method.HYBRID, "alpha-copy")
    assert _served(1102) == (Method.HYBRID, "alpha-copy")
