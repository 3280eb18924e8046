"""Health endpoints for process managers and load balancers.

* ``/healthz``: the process is up and answering (no I/O): restart it when this fails.
* ``/readyz``: it can serve: the database answers, the cache answers, and a model is
  loaded. 200 when all hold, else 503; the JSON body names each check and what is wrong,
  so a balancer takes the process out of rotation and an operator sees why.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

__all__ = ["healthz", "readyz"]

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _cache() -> str | None:
    # A key of its own per call: concurrent probes must not read each other's value.
    key, value = f"lupi:readyz:{uuid.uuid4().hex}", "1"
    cache.set(key, value, timeout=10)
    try:
        return None if cache.get(key) == value else "wrote a key and read something else back"
    finally:
        cache.delete(key)


def _model() -> str | None:
    from backend.recommendations.registry import registry
    from backend.recommendations.services import active_version

    if registry.current() is not None:
        return None
    active = active_version()
    if active is None:
        return "no model version is active (run manage.py train_gnn)"
    return f"the active version {active.version} could not be loaded (see the server log)"


CHECKS = {"database": _database, "cache": _cache, "model": _model}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as exc:  # the probe reports failures, it does not raise them
            problem = f"{type(exc).__name__}: {exc}"
        checks[name] = "ok" if problem is None else problem
    ready = all(state == "ok" for state in checks.values())
    if not ready:
        logger.warning("not ready: %s", {k: v for k, v in checks.items() if v != "ok"})
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
