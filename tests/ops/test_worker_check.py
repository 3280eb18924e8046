"""Several server workers without a shared cache are refused: by ``manage.py check`` and at
server start (``backend/checks.py``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend import checks
from tests.live import ROOT

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


@pytest.mark.parametrize(
    ("argv", "workers"),
    [
        (["/srv/.venv/bin/uvicorn", "backend.asgi:application", "--workers", "4"], 4),
        (["/srv/.venv/lib/uvicorn/__main__.py", "app", "--workers=3"], 3),
        (["/srv/.venv/bin/gunicorn", "app", "-k", "uvicorn_worker.UvicornWorker", "-w", "2"], 2),
        (["/srv/.venv/bin/gunicorn", "app"], 1),
        (["manage.py", "shell", "-w", "5"], 1),  # not a server: its flags mean something else
        ([], 1),
    ],
)
def test_the_worker_count_of_a_server_command_line(argv: list[str], workers: int) -> None:
    assert checks.command_line_workers(argv) == workers


def test_several_workers_on_the_in_process_cache_are_refused(settings, monkeypatch) -> None:
    settings.CACHES = LOCAL
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    [error] = checks.shared_cache_for_workers()
    assert error.id == "lupi.E001"
    assert error.msg.startswith("4 server workers cannot share the in-process cache")
    with pytest.raises(ImproperlyConfigured, match="Set REDIS_URL"):
        checks.refuse_unsafe_server()


def test_one_worker_or_a_shared_cache_passes(settings, monkeypatch) -> None:
    settings.CACHES = LOCAL
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert checks.shared_cache_for_workers() == []
    settings.CACHES = REDIS
    monkeypatch.setenv("WEB_CONCURRENCY", "8")
    assert checks.shared_cache_for_workers() == []
    checks.refuse_unsafe_server()


def test_a_malformed_worker_count_is_an_error(monkeypatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "four")
    [error] = checks.shared_cache_for_workers()
    assert error.id == "lupi.E002"


def test_manage_py_check_refuses_several_workers_without_redis(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(WEB_CONCURRENCY="2", LUPI_VAR_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "(lupi.E001) 2 server workers cannot share the in-process cache" in done.stderr
