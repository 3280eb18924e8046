"""Sessions read from the cache and written through to the database, surviving a cache
outage.

Django's ``cached_db`` engine saves a query per request (the session comes from the cache)
and lets the response edge tell a live session from an ended one without the database.
But it lets a cache error escape from a request: with Redis down, nobody could sign in or
stay signed in. This engine is ``cached_db`` whose cache calls fail soft: while the cache
is unreachable, sessions are read from and written to the database alone, and the cache
is left alone for a few seconds after each failure so requests do not queue on timeouts.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches

__all__ = ["SessionStore"]

logger = logging.getLogger(__name__)

OUTAGE_BACKOFF_S = 5.0
# Process-wide: each request thread gets its own cache object, the outage is shared.
_unavailable_until = 0.0


def _errors() -> tuple[type[BaseException], ...]:
    from backend.recommendations.cache import CACHE_ERRORS

    return CACHE_ERRORS


def _failed(exc: BaseException) -> None:
    global _unavailable_until
    if _unavailable_until == 0.0:
        logger.warning("session cache unavailable (%s); using the database alone", exc)
    _unavailable_until = time.monotonic() + OUTAGE_BACKOFF_S


def _down() -> bool:
    return _unavailable_until > time.monotonic()


class _SoftCache:
    """The session cache, with every call answering "not cached" during an outage."""

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def _call(self, name: str, *args: Any, default: Any = None) -> Any:
        if _down():
            return default
        try:
            return getattr(self._cache, name)(*args)
        except _errors() as exc:
            _failed(exc)
            return default

    async def _acall(self, name: str, *args: Any, default: Any = None) -> Any:
        if _down():
            return default
        try:
            return await getattr(self._cache, name)(*args)
        except _errors() as exc:
            _failed(exc)
            return default

    def get(self, key: str) -> Any:
        return self._call("get", key)

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        self._call("set", key, value, timeout)

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def __contains__(self, key: str) -> bool:
        return bool(self._call("has_key", key, default=False))

    async def aget(self, key: str) -> Any:
        return await self._acall("aget", key)

    async def aset(self, key: str, value: Any, timeout: Any = None) -> None:
        await self._acall("aset", key, value, timeout)

    async def adelete(self, key: str) -> None:
        await self._acall("adelete", key)

    async def ahas_key(self, key: str) -> bool:
        return bool(await self._acall("ahas_key", key, default=False))


class SessionStore(CachedDBStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache = _SoftCache(caches[settings.SESSION_CACHE_ALIAS])
