"""The attack suite (``bench/attack``) against real servers on this leg's back ends.

``make test`` runs the suite twice: on SQLite with in-process caches, and on PostgreSQL
and Redis. Each time the attack suite creates a database of its own beside the suite's,
starts production-settings servers (two workers) and a debug server under uvicorn, and
tries every hostile request, stale session, throttle, concurrent write and bad command of
its case lists; each must end *rejected* (refused cleanly, see
``bench/attack/verdicts.py``). The bound on an answer is generous: a request without an
answer in that time hangs, however loaded the machine; speed is the benchmark's to
measure (``python -m bench.attack``).
"""

from __future__ import annotations

import os

import pytest

from bench.attack import commands, hostile
from bench.attack.run import Config, run
from bench.attack.verdicts import REJECTED, Outcome, Report

SHARED_CACHE = bool(os.environ.get("REDIS_URL"))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Report:
    config = Config(
        database_url=os.environ.get("DATABASE_URL", ""),
        redis_url=os.environ.get("REDIS_URL", ""),
        bound=30.0,
        folder=tmp_path_factory.mktemp("attack"),
    )
    found = run(config)
    print(found.table())
    return found


def _group(report: Report, settings: str, group: str) -> list[Outcome]:
    return [o for o in report.outcomes if (o.settings, o.group) == (settings, group)]


def _not_rejected(outcomes: list[Outcome]) -> str:
    return "\n".join(
        f"{o.name}: {o.verdict}: {o.detail}" for o in outcomes if o.verdict != REJECTED
    )


@pytest.mark.parametrize("settings_name", ["production", "debug"])
def test_every_hostile_request_is_refused_cleanly(report: Report, settings_name: str) -> None:
    outcomes = _group(report, settings_name, "requests")
    assert [o.name for o in outcomes] == [a.name for a in hostile.all_attacks()]
    assert not _not_rejected(outcomes), _not_rejected(outcomes)
    # The server kept answering others while it refused a fragment bomb.
    assert report.unrelated_ms[settings_name] is not None


def test_every_stale_session_is_signed_out(report: Report) -> None:
    outcomes = _group(report, "production", "sessions")
    names = [o.name for o in outcomes]
    assert "a logout on worker B, then the session on worker A" in names
    assert "a password change made by another process" in names
    # Changes made by a process that cannot reach the cache: only a shared one can be down.
    cut_off = [n for n in names if "cannot reach the cache" in n]
    assert len(cut_off) == (3 if SHARED_CACHE else 0)
    assert not _not_rejected(outcomes), _not_rejected(outcomes)


def test_every_guess_and_flood_is_throttled(report: Report) -> None:
    outcomes = _group(report, "production", "throttles")
    names = [o.name for o in outcomes]
    # A lock-out reaches another worker through a shared cache; each in-process cache is
    # its own worker's.
    elsewhere = "the right password on another worker after the lock-out"
    assert (elsewhere in names) == SHARED_CACHE
    assert len(outcomes) == (4 if SHARED_CACHE else 3)
    assert not _not_rejected(outcomes), _not_rejected(outcomes)


def test_concurrent_writes_to_one_account_do_not_mix(report: Report) -> None:
    outcomes = _group(report, "production", "writes")
    assert len(outcomes) == 2
    assert not _not_rejected(outcomes), _not_rejected(outcomes)


def test_every_bad_command_is_refused_before_writing(report: Report) -> None:
    outcomes = _group(report, "command line", "commands")
    assert [o.name for o in outcomes] == [c.name for c in commands.CASES]
    assert not _not_rejected(outcomes), _not_rejected(outcomes)
