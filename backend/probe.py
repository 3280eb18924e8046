"""Exit 0 when the given PostgreSQL and Redis URLs answer, 1 otherwise.

``make test`` uses it to decide whether the PostgreSQL + Redis leg of the suite can run.
"""

from __future__ import annotations

import sys


def reachable(database_url: str, redis_url: str) -> bool:
    import psycopg
    import redis

    try:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure means "not usable for tests"
        print(f"not reachable: {exc}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1], sys.argv[2]) else 1)
