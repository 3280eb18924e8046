"""Sessions read from the cache and written through to the database, surviving a cache
outage.

Django's ``cached_db`` engine saves a query per request (the session comes from the cache)
and lets the response edge tell a live session from an ended one without the database.
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

__all__ = ["SessionStore", "still_signed_in"]

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
    still land, for the response edge's look-up, which asks the database before a replay."""

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


def still_signed_in(session_key: str, user_id: int, auth_hash: str) -> bool:
    """Whether the session is alive in the database and signed in to an account that still
    exists, is active, and has the password whose hash (Django's session auth hash) is
    ``auth_hash``: what Django's authentication checks on every request, asked of the
    database in one query.

    The database is the one place every process writes these facts to. A process-local
    cache never hears of a change made by another process, and a shared one misses a change
    made while it was down; the response edge asks this before any replay. One SQL
    statement, not the ORM: building the query cost several times running it. The caller's
    thread keeps its connection (the edge runs this on threads of its own); a database
    error closes it, so the next call starts afresh.
    """
    from django.contrib.sessions.models import Session
    from django.db import DatabaseError, connection
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    from backend.accounts.models import User

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                _signed_in_sql(User._meta.db_table, Session._meta.db_table),
                [user_id, session_key, timezone.now()],
            )
            row = cursor.fetchone()
    except DatabaseError:
        connection.close()
        raise
    if row is None:
        return False
    return constant_time_compare(User(password=row[0]).get_session_auth_hash(), auth_hash)


def _signed_in_sql(users: str, sessions: str) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    return (
        f"SELECT u.password FROM {quote(users)} u WHERE u.id = %s AND u.is_active AND EXISTS "
        f"(SELECT 1 FROM {quote(sessions)} s WHERE s.session_key = %s AND s.expire_date > %s)"
    )
