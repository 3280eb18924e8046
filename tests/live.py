"""A real Lupi server process for tests that need one: several processes sharing a
database, signals, the wire.

The server gets a database of its own (a SQLite file, or a fresh PostgreSQL database next
to the suite's when the suite runs on PostgreSQL) and the suite's cache (Redis when
``REDIS_URL`` is set, else its own in-process cache). :meth:`LiveServer.manage` runs
``manage.py shell -c`` against the same database: a second process, as an operator's
shell or the admin would be.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.databases import drop_postgres, fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120.0  # a busy machine starting several processes at once
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"


class LiveServer:
    """uvicorn serving ``backend.asgi`` on a loopback socket this process opened."""

    def __init__(self, folder: Path, *, name: str, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.name = name
        self.suite_database_url = os.environ.get("DATABASE_URL", "")
        self.env = self._environment(env or {})
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.log_path = folder / f"{name}.log"

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
        env.update(
            DJANGO_SETTINGS_MODULE="backend.settings",
            LUPI_VAR_DIR=str(self.folder / "var"),
            PYTHONUNBUFFERED="1",
        )
        if self.suite_database_url:
            env["DATABASE_URL"] = fresh_postgres(self.suite_database_url, self._db_name())
        else:
            env["SQLITE_PATH"] = str(self.folder / f"{self.name}.sqlite3")
        env.update(extra)
        return env

    def _db_name(self) -> str:
        return f"{self.suite_database_url.rpartition('/')[2]}_{self.name}"

    # -- the second process ------------------------------------------------------------

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        """``manage.py ARGS`` against the server's database; its output (fails loudly)."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def shell(self, code: str, env: dict[str, str] | None = None) -> str:
        return self.manage("shell", "-v", "0", "-c", code, env=env)

    # -- the server --------------------------------------------------------------------

    def start(self, *extra: str) -> LiveServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        cmd = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
        cmd += ["--fd", str(sock.fileno()), "--no-access-log", *extra]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self.env,
                pass_fds=(sock.fileno(),),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        sock.close()  # the server holds its own copy
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                if httpx.get(self.url("/healthz"), timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server did not start:\n{self.log()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a process manager stops a server; the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def drop(self) -> None:
        self.stop()
        if self.suite_database_url:
            drop_postgres(self.suite_database_url, self._db_name())

    def client(self) -> Browser:
        return Browser(self)


def broker_url() -> str:
    """The task queue's broker for tests that run a worker: ``TEST_CELERY_BROKER_URL``, else
    the suite's Redis (each test starts with it flushed, so a test's queue is its own)."""
    return os.environ.get("TEST_CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")


def queue_env() -> dict[str, str]:
    """Settings that give a live server and its worker a queue of their own on the broker,
    so nothing an earlier run left there reaches them."""
    return {
        "CELERY_BROKER_URL": broker_url(),
        "CELERY_TASK_DEFAULT_QUEUE": f"lupi-test-{os.getpid()}-{time.monotonic_ns()}",
    }


class LiveWorker:
    """A Celery worker process (``celery -A backend worker``) on a live server's database,
    with beat inside it when asked for."""

    def __init__(self, server: LiveServer, *, name: str, env: dict[str, str] | None = None):
        self.env = {**queue_env(), **server.env, **(env or {})}
        self.name = name
        self.log_path = server.folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, *, beat: bool = False) -> LiveWorker:
        cmd = [sys.executable, "-m", "celery", "-A", "backend", "worker", "-P", "solo"]
        cmd += ["-n", f"{self.name}-{os.getpid()}@%h", "--without-mingle", "--without-gossip"]
        cmd += ["-l", "info"]
        if beat:
            schedule = self.log_path.with_suffix(".schedule")
            cmd += ["-B", "--schedule", str(schedule)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while " ready." not in self.log():
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, f"worker did not start:\n{self.log()}"
            time.sleep(0.2)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_for(probe, *, timeout: float = 60.0, interval: float = 0.5):
    """``probe()``'s first truthy value, polled until ``timeout`` (then the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Browser:
    """An HTTP client of the live server that keeps cookies and sends the CSRF header."""

    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.url(""), timeout=30)

    def post(self, query: str, variables: dict | None = None, **headers: str) -> httpx.Response:
        if "csrftoken" not in self.http.cookies:
            self.http.get("/graphql/")
        headers.setdefault("X-CSRFToken", self.http.cookies["csrftoken"])
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        return self.http.post("/graphql/", json=body, headers=headers)

    def login(self, username: str, password: str) -> httpx.Response:
        response = self.post(LOGIN, {"u": username, "p": password})
        assert response.status_code == 200, response.text
        return response
