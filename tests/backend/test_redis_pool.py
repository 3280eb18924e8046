"""Every cache object of a process shares one Redis connection pool
(``backend/redis_pool.py``): a request does not open a connection of its own."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.cache import caches
from django.test import Client

from backend.redis_pool import SharedConnectionPool

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the in-process cache has no connections"
)


def _pool(cache) -> SharedConnectionPool:
    return cache._cache.get_client(write=True).connection_pool


def test_cache_objects_of_threads_and_requests_share_one_pool(db) -> None:
    pools = []

    def use_a_fresh_cache() -> None:
        cache = caches.create_connection("default")
        cache.set("lupi-test:pool", 1, 30)
        assert cache.get("lupi-test:pool") == 1
        pools.append(_pool(cache))

    threads = [threading.Thread(target=use_a_fresh_cache) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    use_a_fresh_cache()
    assert len(pools) == 5 and all(p is pools[0] for p in pools)
    assert isinstance(pools[0], SharedConnectionPool)
    # and one client object on it, whichever cache object asks
    clients = {id(caches.create_connection("default")._cache.get_client()) for _ in range(3)}
    assert len(clients) == 1
    # sequential requests reuse a connection rather than opening one each
    opened = pools[0]._created_connections
    client = Client()
    for _ in range(5):
        assert (
            client.post(
                "/graphql/", {"query": "{ me { username } }"}, content_type="application/json"
            ).status_code
            == 200
        )
    assert pools[0]._created_connections <= opened + 1


def test_another_server_gets_another_pool() -> None:
    a = SharedConnectionPool.from_url("redis://127.0.0.1:6379/14", socket_timeout=0.5)
    b = SharedConnectionPool.from_url("redis://127.0.0.1:6379/13", socket_timeout=0.5)
    assert a is not b
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/14", socket_timeout=0.5) is a
