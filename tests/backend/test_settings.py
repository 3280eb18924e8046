"""Settings come from the environment; the production module passes the deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'backend.settings');"
    "django.setup(); from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.DEBUG)"
)


def test_defaults_are_sqlite_and_in_process_cache(tmp_path: Path) -> None:
    out = run_python(SHOW, LUPI_VAR_DIR=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "False",
    ]


def test_environment_switches_to_postgresql_and_redis(tmp_path: Path) -> None:
    out = run_python(
        SHOW,
        LUPI_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u@db.example:5432/lupi",
        REDIS_URL="redis://cache.example:6379/0",
        DEBUG="1",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "backend.redis_pool.SharedClientRedisCache",
        "True",
    ]


def test_bad_integer_setting_is_a_clear_error(tmp_path: Path) -> None:
    out = run_python(SHOW, LUPI_VAR_DIR=str(tmp_path), GRAPHQL_MAX_DEPTH="deep")
    assert out.returncode != 0
    assert "GRAPHQL_MAX_DEPTH must be an integer" in out.stderr


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backend.production",
            "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-many-distinct-chars-0123456789",
            "LUPI_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


@pytest.mark.parametrize("key", ["", "short"])
def test_production_refuses_a_weak_secret_key(tmp_path: Path, key: str) -> None:
    out = run_python(
        "import django, os; django.setup()",
        DJANGO_SETTINGS_MODULE="backend.production",
        SECRET_KEY=key,
        LUPI_VAR_DIR=str(tmp_path),
    )
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr


GRAPHIQL = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'backend.settings');"
    "django.setup(); from django.test import Client; c = Client();"
    "r = c.get('/graphql/', HTTP_ACCEPT='text/html');"
    "print(r.status_code, 'graphiql' in r.content.decode().lower(), 'csrftoken' in r.cookies)"
)


@pytest.mark.parametrize(("debug", "expected"), [("1", "200 True True"), ("0", "404 False True")])
def test_graphiql_only_in_debug_and_the_csrf_cookie_is_set(
    tmp_path: Path, debug: str, expected: str
) -> None:
    out = run_python(GRAPHIQL, LUPI_VAR_DIR=str(tmp_path), DEBUG=debug)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-3:] == expected.split()


def test_the_spa_page_sets_the_csrf_cookie(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert b"Lupi" in response.content


def test_static_middleware_serves_files_and_passes_requests_through_sync_and_async(
    tmp_path: Path, settings, rf
) -> None:
    import asyncio

    from django.http import HttpResponse

    from backend.static import StaticFilesMiddleware

    (tmp_path / "app.js").write_text("console.log('lupi')")
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False

    def view(request):
        return HttpResponse("from the view")

    async def async_view(request):
        return HttpResponse("from the async view")

    sync_mw = StaticFilesMiddleware(view)
    assert b"lupi" in b"".join(sync_mw(rf.get("/static/app.js")).streaming_content)
    assert sync_mw(rf.get("/graphql/")).content == b"from the view"

    async_mw = StaticFilesMiddleware(async_view)
    response = asyncio.run(async_mw(rf.get("/graphql/")))
    assert response.content == b"from the async view"
    static = asyncio.run(async_mw(rf.get("/static/app.js")))
    assert static.status_code == 200 and static["Content-Type"].startswith("text/javascript")


def test_the_asgi_entry_point_swaps_in_inline_middleware_without_touching_settings(settings):
    from backend import asgi, middleware

    configured = list(settings.MIDDLEWARE)
    assert asgi.application is not None
    assert list(settings.MIDDLEWARE) == configured  # Django's names, for its checks
    swapped = middleware.inline_on_event_loop(configured)
    assert "backend.middleware.CsrfViewMiddleware" in swapped
    assert "django.middleware.csrf.CsrfViewMiddleware" not in swapped
    assert len(swapped) == len(configured)
    # The inline classes are Django's own (same hooks), so its checks' intent still holds.
    assert issubclass(middleware.CsrfViewMiddleware, middleware.csrf.CsrfViewMiddleware)


PRODUCTION_ERRORS = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "from django.test import Client;"
    "r = Client().post('/graphql/', {'query': '{ cacheStat { hits } }'},"
    " content_type='application/json', secure=True);"
    "print(s.GRAPHQL_MASK_ERRORS, s.GRAPHQL_FIELD_SUGGESTIONS, r.status_code);"
    "print(r.json()['errors'][0]['message'])"
)


def test_production_masks_errors_and_gives_no_suggestions_even_with_debug_set(
    tmp_path: Path,
) -> None:
    out = run_python(
        PRODUCTION_ERRORS,
        DJANGO_SETTINGS_MODULE="backend.production",
        SECRET_KEY="p" * 20 + "roduction-secret-key-with-many-distinct-chars-0123456789",
        LUPI_VAR_DIR=str(tmp_path),
        DEBUG="1",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "True False 200",
        "Cannot query field 'cacheStat' on type 'Query'.",
    ]
