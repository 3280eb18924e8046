"""``bench.multiserver`` on a smaller platform: two servers and a worker on one PostgreSQL
and one Redis serve one state (lists, sessions, cache entries, promoted models)."""

from __future__ import annotations

import os

import pytest

from bench import multiserver
from tests.live import broker_url

pytestmark = pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
    reason="needs PostgreSQL and Redis (the PostgreSQL + Redis leg)",
)


def test_two_servers_and_a_worker_share_one_state(capsys) -> None:
    code = multiserver.main(
        [
            "--database-url",
            os.environ["DATABASE_URL"],
            "--redis-url",
            os.environ["REDIS_URL"],
            "--broker-url",
            broker_url(),
            "--users",
            "60",
            "--items",
            "120",
            "--time-budget",
            "5",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("1. version ") and lines[0].endswith(" s later")
    assert lines[3].startswith("4. version ") and lines[3].endswith(" s later")
    assert "2. a session made through server 1 is accepted by server 2" in lines
    assert "3. same 7-item list from both; server 2's from server 1's cache entry" in lines
    assert lines[-1] == "all checks passed"
