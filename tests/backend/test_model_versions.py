"""Promotion and rollback of model versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from backend.recommendations.models import ModelVersion
from backend.recommendations.services import active_version, promote, rollback

pytestmark = pytest.mark.django_db


def version(name: str, recall: float) -> ModelVersion:
    return ModelVersion.objects.create(version=name, path=name, metrics={"recall@20": recall})


def test_first_version_is_promoted() -> None:
    decision = promote(version("a", 0.1))
    assert decision.promoted and decision.previous is None
    assert active_version().version == "a"
    assert active_version().promoted_at is not None


def test_worse_version_is_not_promoted_unless_forced() -> None:
    promote(version("a", 0.2))
    worse = version("b", 0.1)
    decision = promote(worse)
    assert not decision.promoted
    assert "worse than the active a" in decision.reason
    assert active_version().version == "a"
    assert promote(worse, force=True).promoted
    assert active_version().version == "b"
    assert ModelVersion.objects.filter(is_active=True).count() == 1


def test_equal_or_better_version_is_promoted() -> None:
    promote(version("a", 0.2))
    assert promote(version("b", 0.2)).promoted
    assert promote(version("c", 0.3)).promoted
    assert active_version().version == "c"


def test_rollback_walks_back_through_promotions() -> None:
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


def test_rollback_command_reports_and_refuses_clearly(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(CommandError, match="nothing to roll back"):
        call_command("gnn_rollback")
    a, b = version("a", 0.1), version("b", 0.2)
    promote(a)
    ModelVersion.objects.filter(pk=a.pk).update(promoted_at=timezone.now() - timedelta(hours=1))
    promote(b)
    call_command("gnn_rollback")
    assert "Rolled back b -> a" in capsys.readouterr().out
    assert active_version().version == "a"
