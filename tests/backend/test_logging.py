"""Each request is logged once: a 4xx by the server's access log alone, a 5xx by Django with
its traceback (the server logs its status line too)."""

from __future__ import annotations

import logging
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from django.test import Client
from django.urls import path

ROOT = Path(__file__).resolve().parents[2]
MISSING = "/static/no-such-file.js"


def _broken_view(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("broken/", _broken_view)]

SERVERS = {
    # What `make run` starts.
    "uvicorn": (
        ["-m", "uvicorn", "backend.asgi:application", "--host", "127.0.0.1", "--port", "0"],
        {"DEBUG": "1"},
    ),
    # What the README's production paragraph starts (plain settings: no HTTPS redirect).
    "gunicorn": (
        ["-m", "gunicorn", "backend.asgi:application", "-k", "uvicorn_worker.UvicornWorker"]
        + ["-w", "1", "-b", "127.0.0.1:0", "--access-logfile", "-"],
        {"DEBUG": "0"},
    ),
}
LISTENING = re.compile(r"(?:Listening at:|running on) http://127\.0\.0\.1:(\d+)")
SERVING = re.compile(r"Application startup complete")
STARTUP_LIMIT_S = 300  # a failsafe for a server that never comes up, not a timing condition


def _serve_and_log(server: str, var_dir: Path) -> str:
    """Starts the server, sends a 404 and a 403, stops it; returns all it printed."""
    args, env = SERVERS[server]
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env, "LUPI_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        url = _wait_until_serving(lines, seen)
        with httpx.Client(base_url=url, timeout=60) as http:
            assert http.get(MISSING).status_code == 404
            # A mutation with no CSRF cookie or header: Django's CSRF check refuses it.
            refused = http.post("/graphql/", json={"query": "mutation { logout { ok } }"})
            assert refused.status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        reader.join(timeout=60)
    while (line := lines.get_nowait()) is not None:
        seen.append(line)
    return "".join(seen)


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


def _wait_until_serving(lines: queue.Queue[str | None], seen: list[str]) -> str:
    # uvicorn says it listens after its startup is complete, gunicorn's worker before.
    port, started = "", False
    while not (port and started):
        try:
            line = lines.get(timeout=STARTUP_LIMIT_S)
        except queue.Empty:
            line = None
        if line is None:
            pytest.fail("the server did not start:\n" + "".join(seen))
        seen.append(line)
        if m := LISTENING.search(line):
            port = m.group(1)
        started = started or bool(SERVING.search(line))
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("server", list(SERVERS))
def test_a_4xx_is_logged_once_by_the_real_server(server: str, tmp_path: Path) -> None:
    log = _serve_and_log(server, tmp_path)
    missing = [line for line in log.splitlines() if MISSING in line]
    assert len(missing) == 1, log
    assert " 404" in missing[0]
    refused = [line for line in log.splitlines() if "/graphql/" in line or "CSRF" in line]
    assert len(refused) == 1, log
    assert " 403" in refused[0]


def test_django_keeps_logging_server_errors_with_their_traceback(caplog, settings) -> None:
    settings.ROOT_URLCONF = __name__
    with caplog.at_level(logging.INFO):
        assert Client(raise_request_exception=False).get("/broken/").status_code == 500
        assert Client().get("/no-such-page/").status_code == 404
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert [(r.name, r.levelname, r.status_code) for r in records] == [
        ("django.request", "ERROR", 500)
    ]
    assert records[0].exc_info and "the view failed" in str(records[0].exc_info[1])


def test_one_handler_prints_each_record() -> None:
    # Django's default config gives its logger a console handler of its own (under DEBUG),
    # which printed every Django record a second time beside the root's handler.
    assert logging.getLogger("django").handlers == []
    assert len(logging.getLogger().handlers) >= 1
