"""SIGTERM to a real server: it finishes, and the impressions its background writer still
held are in the database afterwards."""

from __future__ import annotations

import json
import signal

from tests.live import LiveServer

RECS = "{ recommendations(first: 5) { requestId method items { item { id } } } }"
COUNT = (
    "import json; from backend.interactions.models import Impression\n"
    "print(json.dumps(sorted(Impression.objects.filter(request_id__in={ids!r})"
    ".values_list('request_id', 'item_id', 'position'))))"
)


def test_sigterm_writes_the_queued_impressions(tmp_path) -> None:
    server = LiveServer(
        tmp_path,
        name="shutdown",
        env={
            "RECOMMENDATION_IMPRESSIONS_ASYNC": "1",
            # The writer gathers lists for a minute: only a flush writes them sooner.
            "RECOMMENDATION_IMPRESSIONS_LINGER_S": "60",
            "LOG_LEVEL": "INFO",
        },
    )
    try:
        server.manage("migrate", "-v", "0")
        server.manage("seed_demo", "--users", "20", "--items", "40", "--seed", "3")
        server.start()
        browser = server.client()
        browser.login("demo", "lupi-demo")
        served = []
        for _ in range(3):
            body = browser.post(RECS).json()["data"]["recommendations"]
            assert body["items"], body
            served.append(body)
        ids = [s["requestId"] for s in served]
        # Still queued: nothing written yet.
        assert json.loads(server.shell(COUNT.format(ids=ids))) == []
        # uvicorn shuts down gracefully, then re-raises the signal: it ends "by SIGTERM".
        assert server.terminate() in (0, -signal.SIGTERM)
        written = json.loads(server.shell(COUNT.format(ids=ids)))
    finally:
        server.drop()
    expected = sorted(
        [s["requestId"], int(entry["item"]["id"]), position]
        for s in served
        for position, entry in enumerate(s["items"])
    )
    assert written == expected
    log = server.log()
    assert "Application shutdown complete" in log
    assert "wrote the 3 queued impression lists before exiting" in log
