"""The response edge: repeated reads answered from the cache before Django runs.

The SPA's first screen is one POST of the same dashboard query, over and over. Django's
ASGI stack alone (middleware, session, user) costs more than a cached answer should, so
this ASGI middleware, in front of Django, keeps the finished response of such a request
and replays it to the same session until something it depends on changes (each list in
it with a new request id and ``"cached":true``; every other byte as it was).

What is stored, and for whom: only what the GraphQL view offered for it (see
``schema/response_cache.py``: read-only operations on an allow-list of root fields, for a
signed-in viewer, without errors), under a key made of the session id and the exact
request body. An entry is replayed only while

* the session still exists in the session cache (a logout or an expired session ends it),
* the session still exists in the database, and its account still exists, is active and
  has the password it had when the response was kept (``still_signed_in``): these are
  facts any process may change (the admin, a shell, another worker with its own
  in-process cache, a change made while Redis was down), so they are read from the one
  place every process writes them, in one indexed query per replay,
* the viewer's generation is the one read before the response was computed (their own
  feedback, a change of their account or interests bumps it),
* the model token is the one read then (a promotion or rollback bumps it),
* and the request carries the same CSRF proof Django would ask for (cookie and header),
  an allowed host, and an allowed origin.

Anything else, and any doubt (no session cookie, a malformed token, a cache outage, a
large body), goes to Django unchanged: passing a request on is always safe.

A replayed list is still a served list: it gets a fresh request id in the body, says
``"cached":true``, is logged as impressions (by the background writer), and counts as a
cache hit.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import pickle
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

__all__ = ["Draft", "ResponseEdge", "ServedList", "offer", "pending"]

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# The version names the entry format: a deploy that changes ``Entry`` changes it too.
ENTRY_PREFIX = "lupi:edge:v2"
# Larger requests are never the SPA's dashboard; reading them whole is not worth it.
MAX_BODY = 64 * 1024
OUTAGE_BACKOFF_S = 5.0
# Headers of the stored response that must not be replayed to a later request.
_NOT_REPLAYED = frozenset(
    {b"set-cookie", b"content-length", b"date", b"x-lupi-cache", b"x-request-id"}
)


@dataclass(frozen=True)
class ServedList:
    """A recommendation list inside a response: replayed, it is logged again."""

    request_id: str
    item_ids: tuple[int, ...]
    method: str
    model_version: str


@dataclass
class Draft:
    """What the GraphQL view knows about a response the edge may keep."""

    user_id: int
    generation: int
    model_token: Any
    # The session's auth hash (Django's, from the password): a password change ends the replay.
    auth_hash: str
    lists: list[ServedList] = field(default_factory=list)


@dataclass
class Pending:
    """Set by the edge for a request it passed on; the view fills ``draft`` to offer it."""

    draft: Draft | None = None


@dataclass(frozen=True)
class Entry:
    user_id: int
    generation: int
    model_token: Any
    auth_hash: str
    lists: tuple[ServedList, ...]
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


_pending: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "lupi_edge_pending", default=None
)


def pending() -> Pending | None:
    """The edge's holder for this request, or ``None`` when the edge will not store it."""
    return _pending.get()


def offer(draft: Draft) -> None:
    """Offer the response being computed to the edge (no-op when the edge is not in front)."""
    holder = _pending.get()
    if holder is not None:
        holder.draft = draft


def _session_cache_prefix() -> str | None:
    """Where the session engine keeps sessions in the cache; ``None`` when it does not."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    return getattr(store, "cache_key_prefix", None)


def enabled() -> bool:
    """The edge needs a TTL and a session store it can check without the database."""
    return settings.RECOMMENDATION_CACHE_TTL > 0 and _session_cache_prefix() is not None


def entry_key(session_key: str, path: str, body: bytes) -> str:
    session = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    request = hashlib.sha256(path.encode() + b"\n" + body).hexdigest()[:32]
    return f"{ENTRY_PREFIX}:{session}:{request}"


# -- the request's credentials --------------------------------------------------------


def _headers(scope: Scope) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        name = name.lower()
        found[name] = found[name] + b"; " + value if name == b"cookie" and name in found else value
    return found


def _cookies(headers: dict[bytes, bytes]) -> dict[str, str]:
    from django.http.cookie import parse_cookie  # what Django reads request.COOKIES with

    return parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))


def _is_secure(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode()
        if name in headers:
            return headers[name].decode("latin-1").split(",")[0].strip() == proxy[1]
    return scope.get("scheme") == "https"


def _credentials_ok(scope: Scope, headers: dict[bytes, bytes], cookies: dict[str, str]) -> bool:
    """The checks Django's middleware would make before the view; any doubt is a no."""
    from django.http.request import split_domain_port, validate_host
    from django.middleware.csrf import (
        InvalidTokenFormat,
        _check_token_format,
        _does_token_match,
    )

    secure = _is_secure(scope, headers)
    if settings.SECURE_SSL_REDIRECT and not secure:
        return False
    host = headers.get(b"host", b"").decode("latin-1")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:  # what Django allows in that case
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return False
    origin = headers.get(b"origin")
    if origin is None and secure:
        return False  # Django would check the Referer here; leave that to Django
    if origin is not None:
        own = f"{'https' if secure else 'http'}://{host}"
        trusted = {own, *settings.CSRF_TRUSTED_ORIGINS}
        if origin.decode("latin-1") not in trusted:
            return False
    secret = cookies.get(settings.CSRF_COOKIE_NAME)
    header_name = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-").lower()
    token = headers.get(header_name.encode())
    if not secret or not token:
        return False
    try:
        token_text = token.decode("latin-1")
        _check_token_format(secret)
        _check_token_format(token_text)
        return _does_token_match(token_text, secret)
    except (InvalidTokenFormat, UnicodeDecodeError):
        return False


# -- where entries live ---------------------------------------------------------------


class _Store:
    """Entries and the state they are checked against, in the default cache."""

    def __init__(self) -> None:
        self.unavailable_until = 0.0

    @property
    def cache(self) -> Any:
        from django.core.cache import caches

        return caches["default"]

    async def lookup(self, key: str, session_key: str) -> Entry | None:
        """The entry under ``key`` if it may be replayed now (then counted as a hit)."""
        raise NotImplementedError

    async def keep(self, key: str, entry: Entry, ttl: int) -> None:
        raise NotImplementedError

    async def count_hit(self) -> None:
        raise NotImplementedError


class _LocalStore(_Store):
    """The in-process cache: every call is a dictionary lookup, fine on the event loop."""

    async def lookup(self, key: str, session_key: str) -> Entry | None:
        try:
            entry = self.cache.get(key)
        except Exception:  # an entry the running code cannot read is a miss
            return None
        if not isinstance(entry, Entry):
            return None
        from backend.recommendations.cache import MODEL_VERSION_KEY, generation_key

        gen_key, session_cache_key = generation_key(entry.user_id), _session_cache_prefix()
        session_cache_key += session_key
        values = self.cache.get_many([gen_key, MODEL_VERSION_KEY, session_cache_key])
        if (
            session_cache_key not in values
            or int(values.get(gen_key) or 0) != entry.generation
            or int(values.get(MODEL_VERSION_KEY) or 0) != int(entry.model_token or 0)
        ):
            return None
        return entry

    async def count_hit(self) -> None:
        from backend.recommendations.cache import count_hit

        count_hit()

    async def keep(self, key: str, entry: Entry, ttl: int) -> None:
        self.cache.set(key, entry, timeout=ttl)


class _RedisStore(_Store):
    """Redis through its asyncio client, so the event loop never waits on a thread."""

    def __init__(self) -> None:
        super().__init__()
        # One client per event loop: a client's connections belong to the loop that made them.
        self._clients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def _client(self) -> tuple[Any, Any]:
        import asyncio

        import redis.asyncio as aredis

        loop = asyncio.get_running_loop()
        pair = self._clients.get(loop)
        if pair is None:
            location = settings.CACHES["default"]["LOCATION"]
            if not isinstance(location, str):
                location = location[0]
            location = location.split(",")[0]
            client = aredis.Redis.from_url(location, socket_timeout=0.5, socket_connect_timeout=0.5)
            pair = (client, client.register_script(_LOOKUP_SCRIPT))  # EVALSHA after the first
            self._clients[loop] = pair
        return pair

    async def lookup(self, key: str, session_key: str) -> Entry | None:
        """One round trip: a script reads the entry and checks the session, the model token
        and the viewer's generation, all inside Redis."""
        from backend.recommendations.cache import MODEL_VERSION_KEY, generation_key

        make = self.cache.make_and_validate_key
        generation_prefix = make(generation_key(0))[:-1]  # the key with the id left off
        session = make(f"{_session_cache_prefix()}{session_key}")
        keys = [make(key), make(MODEL_VERSION_KEY), session]
        _client, script = self._client()
        blob = await script(keys=keys, args=[generation_prefix])
        return None if blob is None else _unpickle(blob)

    async def count_hit(self) -> None:
        from backend.recommendations.cache import HITS_KEY

        client, _script = self._client()
        await client.incr(self.cache.make_and_validate_key(HITS_KEY))

    async def keep(self, key: str, entry: Entry, ttl: int) -> None:
        name = self.cache.make_and_validate_key(key)
        fields = {
            "user": str(entry.user_id),
            "generation": str(entry.generation),
            "token": str(int(entry.model_token or 0)),
            "blob": pickle.dumps(entry),
        }
        client, _script = self._client()
        async with client.pipeline(transaction=True) as pipe:
            pipe.hset(name, mapping=fields).expire(name, ttl)
            await pipe.execute()


# KEYS: entry, model token, session; ARGV: the generation key minus the user id.
# Counters written by Django's cache are plain integers; a missing one reads as 0, as in
# ``backend.recommendations.cache``.
_LOOKUP_SCRIPT = """
local e = redis.call('HMGET', KEYS[1], 'user', 'generation', 'token', 'blob')
if not e[4] then return nil end
if redis.call('EXISTS', KEYS[3]) == 0 then return nil end
if (redis.call('GET', KEYS[2]) or '0') ~= e[3] then return nil end
if (redis.call('GET', ARGV[1] .. e[1]) or '0') ~= e[2] then return nil end
return e[4]
"""


def _unpickle(blob: bytes) -> Entry | None:
    """The entry, or ``None`` for one the running code cannot read (kept by another
    version: a class renamed, a field gone); a miss, not an error page."""
    try:
        entry = pickle.loads(blob)
    except Exception:
        return None
    return entry if isinstance(entry, Entry) else None


# The database checks run on threads of their own, each keeping its connection: taking one
# from the pool (or opening a SQLite file) per check cost more than the check. Two threads:
# at most two connections per process.
_CHECK_THREADS = 2
_checks = ThreadPoolExecutor(max_workers=_CHECK_THREADS, thread_name_prefix="lupi-edge-check")
_checks_used = False


def close_check_connections() -> None:
    """Close the check threads' database connections (tests, before the database goes)."""
    global _checks_used
    if not _checks_used:
        return
    import threading

    from django.db import connection

    # One task per thread: each waits at the barrier until all run, so no thread takes two.
    barrier = threading.Barrier(_CHECK_THREADS)

    def close() -> None:
        connection.close()
        barrier.wait(timeout=10)

    for future in [_checks.submit(close) for _ in range(_CHECK_THREADS)]:
        future.result(timeout=15)
    _checks_used = False


async def _signed_in(entry: Entry, session_key: str) -> bool:
    """The database's word that the session and its account are as they were; a database
    that cannot answer is a no (Django answers instead)."""
    import asyncio

    from backend.accounts.sessions import still_signed_in

    global _checks_used
    _checks_used = True
    try:
        return await asyncio.get_running_loop().run_in_executor(
            _checks, still_signed_in, session_key, entry.user_id, entry.auth_hash
        )
    except Exception as exc:
        logger.warning("response edge: cannot check the session (%s); passing it on", exc)
        return False


async def _count_hit(store: _Store) -> None:
    try:
        await store.count_hit()
    except _store_errors() as exc:  # the replay stands; only the figure misses it
        logger.warning("response edge: hit not counted (%s)", exc)


def _store_errors() -> tuple[type[BaseException], ...]:
    from backend.recommendations.cache import CACHE_ERRORS

    return CACHE_ERRORS


# -- the middleware -------------------------------------------------------------------


class ResponseEdge:
    """ASGI middleware in front of Django; see the module's docstring."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], path: str):
        self.app = app
        self.path = path
        self._store: _Store | None = None

    def store(self) -> _Store:
        from django.core.cache import caches
        from django.core.cache.backends.redis import RedisCache

        backend = caches["default"]
        wanted = _RedisStore if isinstance(backend, RedisCache) else _LocalStore
        # Kept across requests (``caches`` hands each context its own back-end object, and
        # the Redis store's connection pool must outlive the request).
        if type(self._store) is not wanted:
            self._store = wanted()
        return self._store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            or not enabled()
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        replay = _replay(body, complete, receive)
        headers = _headers(scope)
        cookies = _cookies(headers)
        session_key = cookies.get(settings.SESSION_COOKIE_NAME)
        if not complete or not session_key or not _credentials_ok(scope, headers, cookies):
            await self.app(scope, replay, send)
            return
        store = self.store()
        key = entry_key(session_key, self.path, body)
        if store.unavailable_until <= time.monotonic():
            try:
                entry = await store.lookup(key, session_key)
            except _store_errors() as exc:
                self._outage(store, exc)
                entry = None
            if entry is not None and await _signed_in(entry, session_key):
                await _count_hit(store)
                await _replay_entry(entry, send, headers.get(b"x-request-id"))
                return
        await self._pass_and_keep(scope, replay, send, store, key)

    async def _pass_and_keep(
        self, scope: Scope, receive: Receive, send: Send, store: _Store, key: str
    ) -> None:
        holder = Pending()
        started: dict[str, Any] = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    # Kept before the last bytes leave: a client that sends the same request
                    # as soon as it has the answer must find it.
                    await self._keep(store, key, holder.draft, started, parts)
            await send(message)

        token = _pending.set(holder)
        try:
            await self.app(scope, receive, capture)
        finally:
            _pending.reset(token)

    async def _keep(
        self,
        store: _Store,
        key: str,
        draft: Draft | None,
        started: dict[str, Any],
        parts: list[bytes],
    ) -> None:
        if draft is None or started.get("status") != 200:
            return
        entry = Entry(
            user_id=draft.user_id,
            generation=draft.generation,
            model_token=draft.model_token,
            auth_hash=draft.auth_hash,
            lists=tuple(draft.lists),
            headers=tuple(
                (name.lower(), value)
                for name, value in started.get("headers", ())
                if name.lower() not in _NOT_REPLAYED
            ),
            body=b"".join(parts),
        )
        try:
            await store.keep(key, entry, settings.RECOMMENDATION_CACHE_TTL)
        except _store_errors() as exc:
            self._outage(store, exc)

    @staticmethod
    def _outage(store: _Store, exc: BaseException) -> None:
        if not store.unavailable_until:
            logger.warning("response edge: cache unavailable (%s); passing requests on", exc)
        store.unavailable_until = time.monotonic() + OUTAGE_BACKOFF_S


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether it was read whole (not over ``MAX_BODY``)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), False
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), True
        if size > MAX_BODY:
            return b"".join(parts), False


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A ``receive`` that hands Django the body already read, then the real channel."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replayed


async def _replay_entry(entry: Entry, send: Send, incoming_id: bytes | None) -> None:
    from backend.recommendations.impressions import queue_impressions
    from backend.request_id import accept

    body = entry.body
    for served in entry.lists:
        request_id = uuid.uuid4().hex
        body = body.replace(served.request_id.encode(), request_id.encode())
        queue_impressions(
            entry.user_id,
            served.item_ids,
            method=served.method,
            model_version=served.model_version,
            request_id=request_id,
        )
    # Only ``RecommendationList.cached`` answers under this key (the view refuses to offer
    # a document that aliases anything else to it), and JSON escapes quotes inside strings.
    body = body.replace(b'"cached":false', b'"cached":true')
    headers = [
        *entry.headers,
        (b"content-length", str(len(body)).encode()),
        (b"x-lupi-cache", b"hit"),
        (b"x-request-id", accept(incoming_id.decode("latin-1") if incoming_id else None).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
