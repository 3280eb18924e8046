"""``train_gnn --on-worker``: a worker process trains, promotes and builds the atlas, and a
running server serves the new version without a restart."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.live import LiveServer, LiveWorker, queue_env, wait_for

needs_broker = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis for the task queue's broker (the PostgreSQL + Redis leg)",
)
RECS = "{ recommendations(first: 5) { method modelVersion items { item { id } } } }"


def test_on_worker_needs_a_broker(settings) -> None:
    settings.CELERY_BROKER_URL = ""
    with pytest.raises(CommandError, match="--on-worker needs a task queue: set CELERY_BROKER_URL"):
        call_command("train_gnn", "--on-worker")


@needs_broker
def test_a_worker_trains_promotes_and_the_server_serves_it(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, name="trained", env=queue_env())
    worker = LiveWorker(server, name="trainer")
    try:
        server.manage("migrate", "-v", "0")
        server.manage("seed_demo", "--users", "80", "--items", "160", "--seed", "3")
        server.start()
        browser = server.client()
        browser.login("demo", "lupi-demo")
        before = browser.post(RECS).json()["data"]["recommendations"]
        assert before["modelVersion"] == ""  # no model yet: the fallback serves
        worker.start()
        out = server.manage(
            "train_gnn", "--on-worker", "--emb-dim", "16", "--time-budget", "10", "--seed", "1"
        )
        version = re.search(r"version (\S+)", out).group(1)
        assert "Promoted" in out, out
        served = wait_for(
            lambda: browser.post(RECS).json()["data"]["recommendations"]["modelVersion"] == version
        )
        atlas = Path(server.env["LUPI_VAR_DIR"]) / "atlas" / f"{version}.json"
        built = wait_for(atlas.exists)
    finally:
        worker.stop()
        server.drop()
    assert served, "the server did not pick up the promoted version"
    assert built, worker.log()
    assert "lupi.train_model" in worker.log() and "lupi.build_atlas" in worker.log()
