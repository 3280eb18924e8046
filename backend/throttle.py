"""Throttles on Django's default cache, so every worker behind one Redis shares them.

* **Sign-in lock-out**: failed sign-ins are counted per account (``LOGIN_FAILURES_PER_ACCOUNT``)
  and per client address (``LOGIN_FAILURES_PER_ADDRESS``) over ``LOGIN_LOCKOUT_SECONDS``;
  at the limit, that account or address is locked for ``LOGIN_LOCKOUT_SECONDS``: every
  sign-in is refused, the right password included, with the time left. A success clears
  the account's count.
* **Field rates**: fields that score or scan (``GRAPHQL_FIELD_RATES``, e.g.
  ``recommendations=120/60``) are counted per viewer (per address when signed out) in
  windows that start at the first use; each use counts, aliases included, and past the
  limit the field answers a ``RATE_LIMITED`` error until the window ends.

A cache that cannot be reached lets requests through (logged once per outage, as the
served-list cache does): an outage must not sign everyone out of the service.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from backend.recommendations.cache import guarded_call

__all__ = [
    "LoginLocked",
    "RateExceeded",
    "check_login",
    "client_address",
    "field_rates",
    "hit_field",
    "login_failed",
    "login_succeeded",
]

logger = logging.getLogger(__name__)

_FAILURES = "lupi:login-failures"
_LOCK = "lupi:login-lock"
_RATE = "lupi:rate"


class LoginLocked(Exception):
    """Sign-ins for this account or from this address are refused for ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-ins; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class RateExceeded(Exception):
    def __init__(self, field: str, limit: int, seconds: int, retry_after: int) -> None:
        super().__init__(
            f"at most {limit} uses in {seconds} seconds per viewer; "
            f"try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    """The peer's address as the server saw it. Behind a proxy, let the server take it from
    the proxy's header (uvicorn ``--proxy-headers --forwarded-allow-ips``), not Lupi: a
    header any client can send is no address."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _digest(text: str) -> str:
    # Keys of a fixed size and alphabet, whatever a client sends as a username.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _subjects(username: str, address: str) -> list[tuple[str, int]]:
    """(key suffix, limit) of each thing a failure counts against."""
    return [
        (f"account:{_digest(username.strip().casefold())}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"address:{_digest(address)}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def check_login(username: str, address: str) -> None:
    """Raise :class:`LoginLocked` while the account or the address is locked."""
    keys = [f"{_LOCK}:{suffix}" for suffix, _limit in _subjects(username, address)]
    locks = guarded_call("get_many", lambda b: b.get_many(keys), default={})
    if locks:
        until = max(float(value) for value in locks.values())
        raise LoginLocked(max(1, int(until - time.time() + 0.999)))


def login_failed(username: str, address: str) -> None:
    """Count a failed sign-in; lock what reached its limit."""
    window = settings.LOGIN_LOCKOUT_SECONDS
    for suffix, limit in _subjects(username, address):
        count = guarded_call("incr", lambda b, s=suffix: _count(b, f"{_FAILURES}:{s}", window))
        if count is not None and count >= limit:
            until = time.time() + window
            guarded_call(
                "set", lambda b, s=suffix, u=until: b.set(f"{_LOCK}:{s}", u, timeout=window)
            )
            if count == limit:
                logger.warning("sign-ins locked for %s s (%s)", window, suffix.split(":")[0])


def login_succeeded(username: str, address: str) -> None:
    suffix, _limit = _subjects(username, address)[0]
    guarded_call("delete", lambda b: b.delete(f"{_FAILURES}:{suffix}"))


def _count(backend, key: str, window: int) -> int:
    """Add one to a counter that lives ``window`` seconds from its first count (noted
    under ``<key>:start``, for the time left)."""
    if not backend.add(key, 1, timeout=window):
        try:
            return backend.incr(key)
        except ValueError:  # expired between the two calls: a new window
            backend.set(key, 1, timeout=window)
    backend.set(f"{key}:start", time.time(), timeout=window)
    return 1


# -- field rates ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@lru_cache(maxsize=8)
def _parse_rates(text: str) -> dict[str, Rate]:
    rates: dict[str, Rate] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, spec = part.partition("=")
        limit, _, seconds = spec.partition("/")
        try:
            rate = Rate(int(limit), int(seconds))
        except ValueError:
            rate = Rate(0, 0)
        if not name.strip() or rate.limit < 1 or rate.seconds < 1:
            raise ImproperlyConfigured(
                f"GRAPHQL_FIELD_RATES: {part!r} is not field=count/seconds, e.g. dashboard=60/60"
            )
        rates[name.strip()] = rate
    return rates


def field_rates() -> dict[str, Rate]:
    """``GRAPHQL_FIELD_RATES`` as field name -> rate."""
    return _parse_rates(settings.GRAPHQL_FIELD_RATES)


def hit_field(field: str, subject: str) -> None:
    """Count one use of ``field`` by ``subject``; :class:`RateExceeded` past its rate."""
    rate = field_rates().get(field)
    if rate is None:
        return
    key = f"{_RATE}:{field}:{_digest(subject)}"
    count = guarded_call("incr", lambda b: _count(b, key, rate.seconds))
    if count is not None and count > rate.limit:
        started = guarded_call("get", lambda b: b.get(f"{key}:start"), default=None)
        left = rate.seconds if started is None else float(started) + rate.seconds - time.time()
        raise RateExceeded(field, rate.limit, rate.seconds, max(1, int(left + 0.999)))
