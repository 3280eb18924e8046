"""A server worker loads the active model before it accepts a connection
(``backend/lifespan.py``): the first request finds it ready and pays no load."""

from __future__ import annotations

from tests.live import LiveServer


def test_the_model_is_loaded_before_the_first_request(tmp_path) -> None:
    server = LiveServer(tmp_path, name="warm", env={"LOG_LEVEL": "INFO"})
    try:
        server.manage("migrate", "-v", "0")
        server.manage("seed_demo", "--users", "30", "--items", "60", "--seed", "5")
        server.manage("train_gnn", "--time-budget", "30", "--no-progress")
        server.start()
        log = server.log()
        ready = log.find("ready before serving: ")
        started = log.find("Application startup complete")
        assert 0 <= ready < started, log
        # the first request after start-up: the model is already there
        body = server.client().http.get("/readyz").json()
        assert body["checks"]["model"] == "ok", body
    finally:
        server.drop()
