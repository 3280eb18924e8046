"""Sessions read from the cache and written through to the database, surviving a cache
outage.

Django's ``cached_db`` engine saves a query per request (the session comes from the cache).
But it lets a cache error escape from a request: with Redis down, nobody could sign in or
stay signed in. This engine is ``cached_db`` whose cache reads fail soft: while the cache
is unreachable, sessions are read from the database alone, and reads leave the cache
alone for a few seconds after each failure so requests do not queue on timeouts. Writes
always try the cache; ending a session (logout) raises if the cache cannot drop its copy,
since a copy left there would keep the session alive once the cache is back. On a
process-local cache (no ``REDIS_URL``) sessions are read from the database every time: a
logout through one server process could not reach another's copy.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
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


def _resumed() -> None:
    """Writes try the cache even during the back-off: forget it for this one call."""
    global _unavailable_until
    _unavailable_until = 0.0


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
        # Always tried, back-off or not: a copy left behind by a skipped write would be read
        # again once the cache is back. If it fails anyway, the copy is older than the
        # database's; Django's own check of the session against the user still applies.
        _resumed()
        self._call("set", key, value, timeout)

    def delete(self, key: str, *, strict: bool = True) -> None:
        # A session that ends must leave the cache: no back-off, and a failure is raised
        # (the logout fails and can be retried) rather than leave the cached copy alive.
        _resumed()
        if strict:
            self._cache.delete(key)
        else:
            self._call("delete", key)

    def __contains__(self, key: str) -> bool:
        return bool(self._call("has_key", key, default=False))

    async def aget(self, key: str) -> Any:
        return await self._acall("aget", key)

    async def aset(self, key: str, value: Any, timeout: Any = None) -> None:
        _resumed()
        await self._acall("aset", key, value, timeout)

    async def adelete(self, key: str, *, strict: bool = True) -> None:
        _resumed()
        if strict:
            await self._cache.adelete(key)
        else:
            await self._acall("adelete", key)

    async def ahas_key(self, key: str) -> bool:
        return bool(await self._acall("ahas_key", key, default=False))


class _ProcessLocalCache(_SoftCache):
    """The session cache on a process-local back end: reads always miss, so every read goes
    to the database. A copy in one process's memory would outlive a logout made through
    another process (a second server started on its own, which no check can see). Writes
    still land, so a cache made shared later finds the sessions."""

    def get(self, key: str) -> Any:
        return None

    async def aget(self, key: str) -> Any:
        return None


def _session_cache() -> _SoftCache:
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches[settings.SESSION_CACHE_ALIAS]
    return _ProcessLocalCache(cache) if isinstance(cache, LocMemCache) else _SoftCache(cache)


class SessionStore(CachedDBStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache = _session_cache()
        self._cycling = False

    # A new key for the same data (at sign-in): the old key's copy holds what the new one
    # does, or nothing signed in, so a cache that cannot drop it must not stop the sign-in.
    def cycle_key(self) -> None:
        self._cycling = True
        try:
            super().cycle_key()
        finally:
            self._cycling = False

    async def acycle_key(self) -> None:
        self._cycling = True
        try:
            await super().acycle_key()
        finally:
            self._cycling = False

    async def adrop_cached_copy(self) -> None:
        """Drop this session's copy from the cache, raising if the cache cannot: a sign-out
        calls it first, so that a failure leaves the session exactly as it was."""
        if self.session_key is not None:
            await self._cache.adelete(self.cache_key_prefix + self.session_key, strict=True)

    # Django's cached_db deletes, with the cache's part strict unless the key is cycling.
    def delete(self, session_key: str | None = None) -> None:
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache.delete(self.cache_key_prefix + session_key, strict=not self._cycling)

    async def adelete(self, session_key: str | None = None) -> None:
        await DBStore.adelete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await self._cache.adelete(self.cache_key_prefix + session_key, strict=not self._cycling)
