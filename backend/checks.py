"""System checks for how Lupi is served.

Several server workers on the in-process cache (no ``REDIS_URL``) would each hold their own
sessions, generations and model tokens: a logout on one worker would leave the session
alive on the others, and a user's feedback would refresh their lists on one worker only.
Lupi refuses that configuration rather than serve it. The worker count it goes by is
``WEB_CONCURRENCY`` (which gunicorn and uvicorn both read as their default number of
workers, the documented way to set it) or, in a server process, the ``-w``/``--workers``
of the gunicorn or uvicorn command line that started it (a worker inherits the command
line: forked by gunicorn, or spawned by uvicorn, which hands the child its parent's
``sys.argv``). A count set in a gunicorn config file is not seen: use ``WEB_CONCURRENCY``.
The check runs with ``manage.py check`` and again when a server process starts
(``backend/asgi.py``, ``backend/wsgi.py``), so a refused configuration never serves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "WORKERS_ENV",
    "command_line_workers",
    "refuse_unsafe_server",
    "server_workers",
    "shared_cache_for_workers",
]

WORKERS_ENV = "WEB_CONCURRENCY"
# Back ends whose entries live in one process's memory.
_PROCESS_LOCAL = {"django.core.cache.backends.locmem.LocMemCache"}


def command_line_workers(argv: Sequence[str]) -> int:
    """The ``-w N`` / ``--workers N`` / ``--workers=N`` of a gunicorn or uvicorn command
    line; 1 for any other program or when it names none."""
    if not argv:
        return 1
    # ``.../bin/uvicorn``, or ``.../uvicorn/__main__.py`` for ``python -m uvicorn``.
    program = os.path.basename(os.path.dirname(argv[0])) + "/" + os.path.basename(argv[0])
    if not any(name in program for name in ("gunicorn", "uvicorn")):
        return 1
    found = 1
    for flag, value in zip(argv, [*argv[1:], ""], strict=True):
        if flag.startswith("--workers="):
            flag, value = "--workers", flag.partition("=")[2]
        if flag in {"-w", "--workers"} and value.isdigit():
            found = int(value)
    return found


def server_workers(argv: Sequence[str] | None = None) -> int | None:
    """The most workers ``WEB_CONCURRENCY`` or the server's command line asks for (1 when
    neither says); ``None`` when ``WEB_CONCURRENCY`` is malformed."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    try:
        from_env = int(value) if value else 1
    except ValueError:
        return None
    return max(from_env, command_line_workers(sys.argv if argv is None else argv))


@checks.register(checks.Tags.caches)
def shared_cache_for_workers(
    app_configs: object = None, **kwargs: object
) -> list[checks.CheckMessage]:
    workers = server_workers()
    if workers is None:
        return [
            checks.Error(
                f"{WORKERS_ENV} must be a whole number of server workers, "
                f"got {os.environ.get(WORKERS_ENV)!r}.",
                id="lupi.E002",
            )
        ]
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if workers > 1 and backend in _PROCESS_LOCAL:
        return [
            checks.Error(
                f"{workers} server workers cannot share the in-process cache: "
                "a logout or a password change on one worker would not reach the others.",
                hint="Set REDIS_URL to a Redis every worker reaches, or serve with one worker.",
                id="lupi.E001",
            )
        ]
    return []


def refuse_unsafe_server() -> None:
    """Raise ``ImproperlyConfigured`` when the checks above fail: called at server start."""
    errors = [message for message in shared_cache_for_workers() if message.is_serious()]
    if errors:
        first = errors[0]
        raise ImproperlyConfigured(f"{first.msg} {first.hint or ''}".strip())
