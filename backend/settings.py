"""Lupi settings, read from the environment with defaults that run on one machine.

Every setting a deployment may change is listed in README.md ("Settings"). With nothing
set, Lupi uses a SQLite file under ``var/`` and Django's in-process cache, so a newcomer
needs no server. ``DATABASE_URL`` (PostgreSQL through psycopg 3) and ``REDIS_URL``
(Django's built-in Redis cache) switch to real servers.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LUPI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key is only for local runs; the production module refuses to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "lupi-insecure-development-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# A refused mutation gets a GraphQL error from /graphql/ (Django's page elsewhere).
CSRF_FAILURE_VIEW = "schema.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "strawberry_django",
    "backend.accounts",
    "backend.apikeys",
    "backend.content",
    "backend.interactions",
    "backend.recommendations",
    "backend.insights",
    "backend.ingestion",
    "backend.experiments",
    "backend.demo",
]

# Django's own middleware; the ASGI entry point (backend/asgi.py) swaps in subclasses that
# run their hooks on the event loop instead of hopping to a thread for each.
MIDDLEWARE = [
    "backend.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backend.static.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check: a request with a valid API key needs no CSRF token.
    "backend.apikeys.middleware.api_key_middleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI every request runs its ORM work in a thread of its own, so persistent
        # per-thread connections pile up until PostgreSQL refuses new clients; a pool per
        # process bounds them (DB_POOL_MAX per worker) and reuses them across threads.
        DATABASES["default"]["OPTIONS"] = {
            # Just-in-time compilation pays off for long analytical scans, not for a web
            # request's short queries, where it added tens of milliseconds each.
            "options": "-c jit=off",
            "pool": {
                "min_size": env_int("DB_POOL_MIN", 1),
                "max_size": env_int("DB_POOL_MAX", 10),
                "timeout": 10,
            },
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "lupi.sqlite3")),
            # WAL lets the async server read while a command writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "backend.redis_pool.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lupi"),
            # A Redis outage must degrade to uncached responses, not hang requests; one
            # connection pool and client per process, not per request (backend/redis_pool.py).
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "pool_class": "backend.redis_pool.SharedConnectionPool",
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "lupi",
            # Django's default of 300 entries would evict lists and counters constantly.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Sessions are read from the cache (written through to the database), so a request's
# session costs no query; with the cache down they come from the database alone
# (backend/accounts/sessions.py).
SESSION_ENGINE = "backend.accounts.sessions"

AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, loading the account with its creator profile in the same query.
AUTHENTICATION_BACKENDS = ["backend.accounts.backends.AccountBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise warns on every request when the folder is missing before collectstatic ran.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [p for p in [BASE_DIR / "frontend" / "dist"] if p.exists()]

# Served recommendation lists are cached per user, arguments and model version.
RECOMMENDATION_CACHE_TTL = env_int("RECOMMENDATION_CACHE_TTL", 600)
# The task queue (backend/celery.py): the broker its workers take tasks from, e.g.
# redis://127.0.0.1:6379/4 or amqp://guest:guest@127.0.0.1:5672//. Empty (the default):
# no queue; impressions are written by a thread of the web process and training runs where
# it is called.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Where task results are kept (the training a command waits for); the broker by default.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_RESULT_EXPIRES = 24 * 3600
# The queue on the broker that web processes send to and workers take from; deployments
# (or test runs) sharing one broker each name their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "lupi")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# One training at a time per worker process holds its memory; no task is prefetched
# behind a long one.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Scheduled retraining (backend/recommendations/retraining.py), run by the queue's workers
# when beat runs: train again every LUPI_RETRAIN_INTERVAL_S seconds since the last training
# run, or once LUPI_RETRAIN_MIN_FEEDBACK interactions arrived since it (0: that trigger
# off); beat checks every LUPI_RETRAIN_CHECK_S seconds; each training's time budget.
LUPI_RETRAIN_INTERVAL_S = env_int("LUPI_RETRAIN_INTERVAL_S", 0)
LUPI_RETRAIN_MIN_FEEDBACK = env_int("LUPI_RETRAIN_MIN_FEEDBACK", 0)
LUPI_RETRAIN_CHECK_S = env_int("LUPI_RETRAIN_CHECK_S", 60)
LUPI_RETRAIN_TIME_BUDGET_S = float(os.environ.get("LUPI_RETRAIN_TIME_BUDGET_S", "600"))
if LUPI_RETRAIN_INTERVAL_S < 0 or LUPI_RETRAIN_MIN_FEEDBACK < 0 or LUPI_RETRAIN_CHECK_S < 1:
    raise ImproperlyConfigured(
        "LUPI_RETRAIN_INTERVAL_S and LUPI_RETRAIN_MIN_FEEDBACK must be 0 or more, "
        "LUPI_RETRAIN_CHECK_S at least 1"
    )
if not 0 < LUPI_RETRAIN_TIME_BUDGET_S < float("inf"):
    raise ImproperlyConfigured("LUPI_RETRAIN_TIME_BUDGET_S must be a positive number of seconds")
CELERY_BEAT_SCHEDULE = (
    {"retrain-if-due": {"task": "lupi.retrain_if_due", "schedule": float(LUPI_RETRAIN_CHECK_S)}}
    if LUPI_RETRAIN_INTERVAL_S or LUPI_RETRAIN_MIN_FEEDBACK
    else {}
)

# Write served lists' impressions in the background after the response's transaction
# commits (off the request's critical path), instead of inline: on the queue's workers
# when a broker is configured (the default then), else from a thread of the web process.
RECOMMENDATION_IMPRESSIONS_ASYNC = env_bool(
    "RECOMMENDATION_IMPRESSIONS_ASYNC", bool(CELERY_BROKER_URL)
)
# How long the background writer gathers lists into one write, and how long an exiting
# process waits for the queue to be written.
RECOMMENDATION_IMPRESSIONS_LINGER_S = float(
    os.environ.get("RECOMMENDATION_IMPRESSIONS_LINGER_S", "0.1")
)
RECOMMENDATION_IMPRESSIONS_EXIT_TIMEOUT_S = 20.0
# Lists made by the exploration bandit over candidate sources (backend/recommendations/
# sources.py) for requests that name no source mix (an experiment variant may name one);
# off: the blended ranking alone. With segments, one set of arms per list method.
RECOMMENDATION_BANDIT = env_bool("RECOMMENDATION_BANDIT", False)
RECOMMENDATION_BANDIT_SEGMENTS = env_bool("RECOMMENDATION_BANDIT_SEGMENTS", False)
# The impression-fatigue term of the ranking (backend/recommendations/ranking.py); off only
# to measure what it does (manage.py simulate_traffic --scenario fatigue).
RECOMMENDATION_FATIGUE = env_bool("RECOMMENDATION_FATIGUE", True)
# From this many items, training stores an approximate item index with the model version
# and serving scores the index's candidates instead of every item
# (backend/recommendations/retrieval.py); 0: never.
RECOMMENDATION_INDEX_MIN_ITEMS = env_int("RECOMMENDATION_INDEX_MIN_ITEMS", 200_000)
# Acts a visitor who is not signed in keeps in their session (the newest), the whole of
# what their recommendations are folded in from.
RECOMMENDATION_VISITOR_MAX_ACTS = env_int("RECOMMENDATION_VISITOR_MAX_ACTS", 50)

# Who decides the configuration a user's list is served with on a surface (an experiment
# variant's or the surface's default): a dotted path to ``(user_id, surface) ->
# ServingChoice`` (backend/recommendations/config.py); empty: the built-in defaults.
RECOMMENDATION_SERVING_CHOICE = os.environ.get(
    "RECOMMENDATION_SERVING_CHOICE", "backend.experiments.plans.serving_choice"
)

# Model artifacts written by ``train_gnn``.
LUPI_ARTIFACT_DIR = Path(os.environ.get("LUPI_ARTIFACT_DIR", VAR_DIR / "models"))

# The traffic simulator's scenario figures (manage.py simulate_traffic --scenario), one JSON
# file the dashboard reads.
LUPI_SIMULATION_RESULTS = Path(
    os.environ.get("LUPI_SIMULATION_RESULTS", VAR_DIR / "simulation" / "scenarios.json")
)

# Embedding atlas projections, one JSON file per model version.
LUPI_ATLAS_DIR = Path(os.environ.get("LUPI_ATLAS_DIR", VAR_DIR / "atlas"))

# GraphQL limits, read by schema/limits.py (one place, each with a test).
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 15)
GRAPHQL_MAX_PAGE_SIZE = env_int("GRAPHQL_MAX_PAGE_SIZE", 100)
GRAPHQL_DEFAULT_PAGE_SIZE = env_int("GRAPHQL_DEFAULT_PAGE_SIZE", 20)
INTERACTION_BATCH_MAX = env_int("INTERACTION_BATCH_MAX", 100)
# Ingestion by API key (schema/ingestion): events, items or users per call, and the body
# size allowed to key-authenticated requests (a batch of 1000 events is about 200 kB).
LUPI_INGEST_MAX_BATCH = env_int("LUPI_INGEST_MAX_BATCH", 1000)
LUPI_INGEST_MAX_BODY_BYTES = env_int("LUPI_INGEST_MAX_BODY_BYTES", 1_000_000)
# Throttles, on the default cache (shared by the workers through Redis): backend/throttle.py.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
# Uses per viewer (per address when signed out) of fields that score or scan, as
# "field=count/seconds,..."; aliases count one each. Empty: no field rates.
GRAPHQL_FIELD_RATES = os.environ.get(
    "GRAPHQL_FIELD_RATES",
    "dashboard=120/60,recommendations=120/60,similarItems=240/60,creatorInsights=60/60,"
    "visitorRecommendations=60/60,recordVisitorAct=120/60",
)
GRAPHQL_MAX_FIELDS = env_int("GRAPHQL_MAX_FIELDS", 1000)
GRAPHQL_MAX_FRAGMENT_NESTING = env_int("GRAPHQL_MAX_FRAGMENT_NESTING", 20)
GRAPHQL_MAX_REPEATED_FIELDS = env_int("GRAPHQL_MAX_REPEATED_FIELDS", 10)
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 5000)
GRAPHQL_MAX_BODY_BYTES = env_int("GRAPHQL_MAX_BODY_BYTES", 100_000)
GRAPHQL_MAX_JSON_DEPTH = env_int("GRAPHQL_MAX_JSON_DEPTH", 32)
GRAPHQL_REQUEST_TIMEOUT = env_int("GRAPHQL_REQUEST_TIMEOUT", 30)
GRAPHIQL_ENABLED = env_bool("GRAPHIQL_ENABLED", DEBUG)
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", DEBUG)
GRAPHQL_MASK_ERRORS = env_bool("GRAPHQL_MASK_ERRORS", not DEBUG)
GRAPHQL_FIELD_SUGGESTIONS = env_bool("GRAPHQL_FIELD_SUGGESTIONS", DEBUG)

STRAWBERRY_DJANGO = {
    "FIELD_DESCRIPTION_FROM_HELP_TEXT": True,
    "TYPE_DESCRIPTION_FROM_MODEL_DOCSTRING": True,
    "MAP_AUTO_ID_AS_GLOBAL_ID": False,
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").upper()
# "text" or "json" (one object a line, for a log collector; the production default).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
# One console handler, on the root logger, so each record is printed once. Every request,
# 4xx included, has its line in the server's access log (uvicorn's, or gunicorn's with
# --access-logfile); Django's own warning for a 4xx would repeat it, so django.request and
# the CSRF check log errors only (5xx with their traceback; django.security.* still logs
# suspicious requests, a bad Host header for one). Django's default config also
# gives the "django" logger a console handler of its own under DEBUG: it is dropped here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "backend.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # One JSON object a line: time, level, logger, message, request id, and any extra.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "level": LOG_LEVEL,
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.request": {"level": "ERROR"},
        "django.security.csrf": {"level": "ERROR"},
    },
}
