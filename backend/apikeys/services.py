"""Making, checking and revoking API keys.

A key reads ``lupi_<prefix>_<secret>``: 8 hexadecimal characters, then 43 URL-safe ones
(32 random bytes). Only its SHA-256 digest is stored; the key itself is shown once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from backend.apikeys.models import ApiKey, Scope

__all__ = [
    "KeyRefused",
    "authenticate",
    "digest_of",
    "issue_key",
    "new_key",
    "revoke",
    "scope_errors",
]

KEY_PATTERN = re.compile(r"lupi_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")
# last_used_at is a minute-grained stamp: writing it on every request would put a row
# update (and its lock) on the hot path of every call a busy service makes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class KeyRefused(Exception):
    """The request's key is malformed, unknown or revoked; the message says which."""


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh key and its prefix."""
    prefix = secrets.token_hex(4)
    return f"lupi_{prefix}_{secrets.token_urlsafe(32)}", prefix


def scope_errors(scopes: list[str]) -> list[str]:
    known = set(Scope.values)
    unknown = [scope for scope in scopes if scope not in known]
    if not scopes:
        return [f"Give at least one scope: {', '.join(Scope.values)}."]
    if unknown:
        return [f"Unknown scope {s!r}; use {', '.join(Scope.values)}." for s in unknown]
    return []


def issue_key(name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Store a new key under ``name`` with ``scopes``; return it and the key itself (the
    only time it can be read)."""
    errors = scope_errors(scopes)
    if errors:
        raise ValidationError({"scopes": errors})
    key, prefix = new_key()
    api_key = ApiKey(name=name, prefix=prefix, digest=digest_of(key), scopes=sorted(set(scopes)))
    api_key.full_clean()
    api_key.save()
    return api_key, key


def revoke(api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])


def bearer_key(header: str) -> str:
    """The key of an ``Authorization: Bearer <key>`` header."""
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise KeyRefused("Send the API key as `Authorization: Bearer <key>`.")
    return key.strip()


def authenticate(header: str) -> ApiKey:
    """The live key an ``Authorization`` header carries, its use noted; ``KeyRefused``
    otherwise. One indexed read, and a write at most once a minute per key."""
    key = bearer_key(header)
    if not KEY_PATTERN.fullmatch(key):
        raise KeyRefused(
            "The API key is malformed: expected lupi_<8 hex characters>_<43 characters>, "
            "as create_api_key printed it."
        )
    api_key = ApiKey.objects.filter(digest=digest_of(key)).first()
    if api_key is None:
        raise KeyRefused("Unknown API key.")
    if api_key.revoked_at is not None:
        raise KeyRefused(f"This API key was revoked at {api_key.revoked_at.isoformat()}.")
    _note_use(api_key)
    return api_key


def _note_use(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so that workers seeing the same stale stamp write it once between them.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
