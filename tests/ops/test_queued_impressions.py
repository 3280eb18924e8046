"""With a task queue, a web server hands its queued impressions to the broker on SIGTERM and
a worker process writes every one of them, though the server is gone."""

from __future__ import annotations

import json
import os
import signal

import pytest

from tests.live import LiveServer, LiveWorker, queue_env, wait_for

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis for the task queue's broker (the PostgreSQL + Redis leg)",
)

RECS = "{ recommendations(first: 5) { requestId method items { item { id } } } }"
WRITTEN = (
    "import json; from backend.interactions.models import Impression\n"
    "print(json.dumps(sorted(Impression.objects.filter(request_id__in={ids!r})"
    ".values_list('request_id', 'item_id', 'position'))))"
)


def test_a_worker_writes_what_a_stopped_server_queued(tmp_path) -> None:
    server = LiveServer(
        tmp_path,
        name="queued",
        env={
            **queue_env(),
            # The server gathers lists for a minute: only its shutdown hands them on sooner.
            "RECOMMENDATION_IMPRESSIONS_LINGER_S": "60",
            "LOG_LEVEL": "INFO",
        },
    )
    worker = LiveWorker(server, name="queued-worker")
    try:
        server.manage("migrate", "-v", "0")
        server.manage("seed_demo", "--users", "20", "--items", "40", "--seed", "3")
        server.start()
        browser = server.client()
        browser.login("demo", "lupi-demo")
        served = [browser.post(RECS).json()["data"]["recommendations"] for _ in range(3)]
        assert all(s["items"] for s in served), served
        ids = [s["requestId"] for s in served]
        assert server.terminate() in (0, -signal.SIGTERM)
        # The server wrote none of them itself: they wait on the broker.
        assert json.loads(server.shell(WRITTEN.format(ids=ids))) == []
        worker.start()
        written = wait_for(lambda: json.loads(server.shell(WRITTEN.format(ids=ids))))
    finally:
        worker.stop()
        server.drop()
    expected = sorted(
        [s["requestId"], int(entry["item"]["id"]), position]
        for s in served
        for position, entry in enumerate(s["items"])
    )
    assert written == expected
    assert "handed to the task queue the 3 queued impression lists before exiting" in server.log()
    assert "lupi.write_impressions" in worker.log()
