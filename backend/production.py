"""Production settings: everything from ``backend.settings`` plus the hardening that
``manage.py check --deploy`` asks for. Select with
``DJANGO_SETTINGS_MODULE=backend.production``.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from backend.settings import *  # noqa: F403
from backend.settings import env_bool, env_int

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters")

LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

RECOMMENDATION_IMPRESSIONS_ASYNC = env_bool("RECOMMENDATION_IMPRESSIONS_ASYNC", True)
GRAPHIQL_ENABLED = False
GRAPHQL_INTROSPECTION = False
GRAPHQL_MASK_ERRORS = True
GRAPHQL_FIELD_SUGGESTIONS = False

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes and scrapers talk plain HTTP to the process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# A client can send X-Forwarded-Proto itself: it says "https" only when a proxy in front
# overwrites it, so it is trusted only when the deployment says such a proxy is there.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
