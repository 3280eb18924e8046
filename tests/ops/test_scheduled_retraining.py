"""Beat retrains on its schedule on a worker process; the version passes the promotion gate
and every worker of a running server serves it without a restart."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.live import LiveServer, LiveWorker, queue_env, wait_for

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis for the task queue's broker (the PostgreSQL + Redis leg)",
)
RECS = "{ recommendations(first: 5) { modelVersion } }"
SCHEDULE = "{ retrainingSchedule { enabled intervalSeconds lastRunAt lastTrigger nextRunAt } }"
ACTIVE = (
    "from backend.recommendations.models import ModelVersion as V\n"
    "v = V.objects.get(is_active=True); print(v.version, v.training_run.params['trigger'])"
)


def test_beat_retrains_on_schedule_and_every_server_worker_serves_it(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path,
        name="scheduled",
        env={
            **queue_env(),
            "LUPI_RETRAIN_INTERVAL_S": "3600",
            "LUPI_RETRAIN_CHECK_S": "2",
            "LUPI_RETRAIN_TIME_BUDGET_S": "10",
        },
    )
    worker = LiveWorker(server, name="scheduler")
    try:
        server.manage("migrate", "-v", "0")
        server.manage("seed_demo", "--users", "80", "--items", "160", "--seed", "3")
        server.start("--workers", "2")
        browser = server.client()
        browser.login("demo", "lupi-demo")
        assert browser.post(RECS).json()["data"]["recommendations"]["modelVersion"] == ""
        worker.start(beat=True)  # never trained: the first check trains
        active = wait_for(lambda: _active(server), timeout=120)
        version = active.split()[0]
        # Both server workers answer; every one of these requests must serve the version.
        picked_up = wait_for(
            lambda: all(
                browser.post(RECS).json()["data"]["recommendations"]["modelVersion"] == version
                for _ in range(10)
            )
        )
        schedule = browser.post(SCHEDULE).json()["data"]["retrainingSchedule"]
    finally:
        worker.stop()
        server.drop()
    assert active.split()[1] == "schedule"
    assert picked_up, server.log()
    assert schedule["enabled"] and schedule["intervalSeconds"] == 3600
    assert schedule["lastTrigger"] == "schedule"
    last = datetime.fromisoformat(schedule["lastRunAt"])
    assert datetime.fromisoformat(schedule["nextRunAt"]) == last + timedelta(hours=1)
    assert "lupi.retrain_if_due" in worker.log()


def _active(server: LiveServer) -> str:
    try:
        return server.shell(ACTIVE).strip()
    except AssertionError:  # no active version yet
        return ""
