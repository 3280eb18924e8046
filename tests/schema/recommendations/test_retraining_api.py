"""``retrainingSchedule``: the schedule's settings, the last run and the next, to a
signed-in viewer only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.recommendations.models import TrainingRun

QUERY = """{ retrainingSchedule { enabled intervalSeconds minNewFeedback checkSeconds
  newFeedback lastRunAt lastTrigger nextRunAt } }"""

pytestmark = pytest.mark.django_db


def test_a_viewer_sees_the_schedule_and_its_runs(gql, user, settings) -> None:
    settings.LUPI_RETRAIN_INTERVAL_S = 6 * 3600
    settings.LUPI_RETRAIN_MIN_FEEDBACK = 500
    settings.LUPI_RETRAIN_CHECK_S = 60
    run = TrainingRun.objects.create(params={"trigger": "schedule"})
    gql.login(user)
    schedule = gql(QUERY)["data"]["retrainingSchedule"]
    assert schedule["enabled"] is True
    assert schedule["intervalSeconds"] == 6 * 3600
    assert schedule["minNewFeedback"] == 500
    assert schedule["checkSeconds"] == 60
    assert schedule["newFeedback"] == 0
    assert schedule["lastTrigger"] == "schedule"
    assert schedule["lastRunAt"] == run.started_at.isoformat()
    assert schedule["nextRunAt"] == (run.started_at + timedelta(hours=6)).isoformat()


def test_without_a_schedule_nothing_is_next(gql, user) -> None:
    gql.login(user)
    schedule = gql(QUERY)["data"]["retrainingSchedule"]
    assert schedule["enabled"] is False
    assert schedule["intervalSeconds"] is None and schedule["nextRunAt"] is None
    assert schedule["lastRunAt"] is None


def test_an_anonymous_viewer_is_refused(gql) -> None:
    result = gql(QUERY)
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
