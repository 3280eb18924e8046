"""Promotion and rollback of model versions."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from backend.recommendations.models import ModelVersion
from backend.recommendations.services import PromotionError, active_version, promote, rollback
from tests.backend.recommendations.conftest import artifacts  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(artifacts):  # noqa: F811
    """Makes a version; promotion and rollback verify files, so all share one real artifact."""

    def make(name: str, recall: float) -> ModelVersion:
        return ModelVersion.objects.create(
            version=name, path=str(artifacts["alpha"]), metrics={"recall@20": recall}
        )

    return make


def test_first_version_is_promoted(version) -> None:
    decision = promote(version("a", 0.1))
    assert decision.promoted and decision.previous is None
    assert active_version().version == "a"
    assert active_version().promoted_at is not None


def test_worse_version_is_not_promoted_unless_forced(version) -> None:
    promote(version("a", 0.2))
    worse = version("b", 0.1)
    decision = promote(worse)
    assert not decision.promoted
    assert "worse than the active a" in decision.reason
    assert active_version().version == "a"
    assert promote(worse, force=True).promoted
    assert active_version().version == "b"
    assert ModelVersion.objects.filter(is_active=True).count() == 1


def test_equal_or_better_version_is_promoted(version) -> None:
    promote(version("a", 0.2))
    assert promote(version("b", 0.2)).promoted
    assert promote(version("c", 0.3)).promoted
    assert active_version().version == "c"


def test_rollback_walks_back_through_promotions(version) -> None:
    a, b, c = version("a", 0.1), version("b", 0.2), version("c", 0.3)
    now = timezone.now()
    for offset, candidate in enumerate([a, b, c]):
        promote(candidate)
        # Distinct promotion times, as real trainings minutes apart would have.
        ModelVersion.objects.filter(pk=candidate.pk).update(
            promoted_at=now + timedelta(minutes=offset)
        )
    assert rollback().version == "b"
    assert rollback().version == "a"
    assert active_version().version == "a"
    with pytest.raises(Exception, match="first promoted version"):
        rollback()
    assert active_version().version == "a"


def test_rollback_command_reports_and_refuses_clearly(
    version, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(CommandError, match="nothing to roll back"):
        call_command("gnn_rollback")
    a, b = version("a", 0.1), version("b", 0.2)
    promote(a)
    ModelVersion.objects.filter(pk=a.pk).update(promoted_at=timezone.now() - timedelta(hours=1))
    promote(b)
    call_command("gnn_rollback")
    assert "Rolled back b -> a" in capsys.readouterr().out
    assert active_version().version == "a"


def _corrupt(path: Path) -> Path:
    weights = path / "weights.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    return path


def test_rollback_onto_a_corrupt_version_fails_and_changes_nothing(
    version,
    artifacts,  # noqa: F811
    tmp_path,
) -> None:
    a, b = version("a", 0.1), version("b", 0.2)
    promote(a)
    ModelVersion.objects.filter(pk=a.pk).update(promoted_at=timezone.now() - timedelta(hours=1))
    promote(b)
    # a's files go bad after its promotion.
    broken = _corrupt(Path(shutil.copytree(artifacts["alpha"], tmp_path / "a")))
    ModelVersion.objects.filter(pk=a.pk).update(path=str(broken))
    before = list(ModelVersion.objects.order_by("pk").values())
    with pytest.raises(
        CommandError,
        match=r"a cannot be activated: .*weights.safetensors does not match its sha256",
    ):
        call_command("gnn_rollback")
    assert list(ModelVersion.objects.order_by("pk").values()) == before
    assert active_version().version == "b"


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_promotion_refuses_an_artifact_that_does_not_verify(
    version,
    artifacts,  # noqa: F811
    tmp_path,
    damage: str,
) -> None:
    promote(version("a", 0.1))
    path = Path(shutil.copytree(artifacts["alpha"], tmp_path / "b"))
    if damage == "corrupt":
        _corrupt(path)
    else:
        (path / "id_maps.json").unlink()
    candidate = ModelVersion.objects.create(version="b", path=str(path), metrics={"recall@20": 0.9})
    with pytest.raises(PromotionError, match="b cannot be activated"):
        promote(candidate, force=True)
    assert active_version().version == "a"
    candidate.refresh_from_db()
    assert not candidate.is_active and candidate.promoted_at is None
