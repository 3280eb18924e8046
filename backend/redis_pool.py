"""One Redis connection pool per server and process, shared by every cache instance.

Django builds a cache object per thread and, under ASGI, per request context; each
``RedisCache`` keeps its own pools, so every request opened a new connection (1.34 ms
here, against 0.18 ms for a reused one). Django's ``pool_class`` option is the extension
point: this pool class hands out one shared pool per URL and options, so connections are
reused across requests and threads. redis-py's pool is thread-safe and resets itself in a
forked child.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import redis

__all__ = ["SharedConnectionPool"]


class SharedConnectionPool(redis.ConnectionPool):
    _shared: ClassVar[dict[tuple, SharedConnectionPool]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> SharedConnectionPool:
        key = (url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool
