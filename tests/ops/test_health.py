"""``/healthz`` (the process answers) and ``/readyz`` (database, cache and model)."""

from __future__ import annotations

from django.test import Client

from tests.schema.conftest import served  # noqa: F401  (a fixture)

DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_healthz_answers_without_touching_anything() -> None:
    # No ``db`` fixture: any database access here would fail the test.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_with_a_model_loaded(served) -> None:  # noqa: F811
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "model": "ok"},
    }


def test_readyz_names_what_is_not_ready(db, settings) -> None:
    from backend.recommendations.registry import registry

    registry.reset()
    settings.CACHES = DEAD_CACHE
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("ConnectionError")
    assert body["checks"]["model"] == "no model version is active (run manage.py train_gnn)"
