"""Where one request's CPU goes: the real ASGI application in this process, one client.

    python -m bench.cpu_profile --database-url postgres://postgres@127.0.0.1:5432/lupi_bench \
        --redis-url redis://127.0.0.1:6379/3 --scenario dashboard --requests 200

Signs in as a demo account through the application, sends ``--warmup`` requests, then
times ``--requests`` more one after the other. Two passes:

* **CPU per request, unprofiled**: the process's CPU time (every thread: the event loop,
  ``sync_to_async`` threads, the impressions writer) around each request, and PostgreSQL's
  and Redis's from ``/proc``, as median and p90; the in-process client (httpx over ASGI)
  is part of the process figure, about 0.3 ms a request;
* **phases, profiled**: ``cProfile`` on every thread of the process (the event loop's and
  each worker thread's, timed by the thread's own CPU clock) over the same requests, each
  function's own time put in one phase by its module (a C function's time goes to the
  phase of its callers, pro rata), and the shares scaled to the unprofiled CPU, since the
  profiler slows Python code more than C code: read the phases as shares, the total as
  measured. "other" takes what no phase rule names, and the rounding of frames still
  running at the two snapshots, so it can read slightly negative. With
  ``--fresh-feedback`` the profiled pass also holds the like written before each request.

``--cache-ttl 0`` (the default) serves every request uncached; ``--fresh-feedback`` records
a like before each request, so each one pays the fold-in of a history newer than the model
(the likes are deleted at the end, so a later run finds the account as it was).
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict

from bench.load import RUN_PREFIX, cpu_seconds, login, scenarios

# First match wins: (phase, substrings of the function's file path).
PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("sql (orm + driver)", ("django/db/", "psycopg", "sqlite3")),
    ("graphql validation + parse", ("graphql/validation", "graphql/language", "schema/limits")),
    ("graphql execution", ("strawberry", "graphql/", "schema/")),
    ("scoring, re-rank, explanations", ("backend/recommendations", "gnn/", "numpy", "scipy")),
    ("redis", ("redis/", "django/core/cache")),
    ("session, auth, handler", ("django/", "backend/", "asgiref", "starlette", "httpx", "h11")),
    ("event loop + thread hops", ("asyncio", "concurrent/", "threading", "queue.py")),
]
OTHER = "other"


def _phase_of(path: str) -> str:
    for phase, marks in PHASES:
        if any(mark in path for mark in marks):
            return phase
    return OTHER


# The profiler's own reading and the feedback written between requests.
_NOT_THE_SERVER = frozenset({__file__})


class ThreadProfiles:
    """``cProfile`` on every thread, each timed by its thread's CPU clock. Installed before
    the application starts a thread (its worker threads start lazily): each new thread
    starts its own profiler on its first event. Read with :meth:`own_times`, twice, and
    take the difference, so the warm-up is left out."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []

    def install(self) -> None:
        threading.setprofile(self._start)
        self._start()

    def _start(self, *_event: object) -> None:
        profile = cProfile.Profile(time.thread_time)
        self.profiles.append(profile)
        profile.enable()  # replaces the hook in this thread

    def own_times(self) -> dict[str, float]:
        """Own CPU seconds so far per function (``phase | file:line name``); a C function's
        go to its callers."""
        totals: dict[str, float] = defaultdict(float)
        for profile in list(self.profiles):
            for entry in profile.getstats():
                if isinstance(entry.code, str):  # a built-in: counted at its callers
                    continue
                code = entry.code
                if code.co_filename in _NOT_THE_SERVER:
                    continue
                where = code.co_filename.rsplit("site-packages/", 1)[-1]
                key = (
                    f"{_phase_of(code.co_filename)} | {where}:{code.co_firstlineno} {code.co_name}"
                )
                totals[key] += entry.inlinetime
                for sub in entry.calls or ():
                    if isinstance(sub.code, str):
                        totals[key] += sub.inlinetime
        return dict(totals)


async def _session(app, username: str, password: str):
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
    await login(client, username, password)
    return client


def _feedback(username: str, step: int) -> int:
    """A like by the account: its history is then newer than the model (fold-in). Returns
    the interaction's id, for :func:`_forget`."""
    from backend.accounts.models import User
    from backend.content.services import published_items
    from backend.interactions.models import InteractionKind
    from backend.interactions.services import InteractionData, record_interaction

    user = User.objects.get(username=username)
    item = published_items().order_by("pk")[(step * 7919) % 1000]
    return record_interaction(user, InteractionData(item.pk, InteractionKind.LIKE)).pk


def _forget(interaction_ids: list[int]) -> None:
    """Delete the likes a run wrote: the next run must find the account as it was."""
    from backend.interactions.models import Interaction
    from backend.recommendations.cache import invalidate_user

    rows = Interaction.objects.filter(pk__in=interaction_ids)
    for user_id in set(rows.values_list("user_id", flat=True)):
        invalidate_user(user_id)
    rows.delete()


async def run(args: argparse.Namespace, profiles: ThreadProfiles | None) -> dict:
    from asgiref.sync import sync_to_async

    from backend.asgi import application

    scenario = scenarios(50, {})[args.scenario]
    client = await _session(application, args.username, args.password)
    headers = {"X-CSRFToken": client.cookies["csrftoken"]}

    async def once() -> None:
        if scenario.method == "GET":
            response = await client.get(scenario.path)
        else:
            response = await client.post(scenario.path, json=scenario.body, headers=headers)
        if response.status_code != 200 or b'"errors"' in response.content[:4000]:
            raise SystemExit(f"{scenario.name}: {response.status_code} {response.text[:300]}")

    steps = iter(range(10**9))
    written: list[int] = []

    async def prepare() -> None:
        if args.fresh_feedback:  # outside the timed part
            written.append(await sync_to_async(_feedback)(args.username, next(steps)))

    for _ in range(args.warmup):
        await prepare()
        await once()
    before = profiles.own_times() if profiles else {}
    own, services = [], {"postgres": 0.0, "redis": 0.0}
    for _ in range(args.requests):
        await prepare()
        outside = cpu_seconds(os.getpid()) if not profiles else {}
        started = time.process_time()
        await once()
        own.append((time.process_time() - started) * 1000)
        if not profiles:
            after = cpu_seconds(os.getpid())
            for kind in services:  # summed: /proc counts in 10 ms ticks
                services[kind] += (after[kind] - outside[kind]) * 1000
    spent = {}
    if profiles:
        now = profiles.own_times()
        spent = {phase: now[phase] - before.get(phase, 0.0) for phase in now}
    await client.aclose()
    await sync_to_async(_forget)(written)
    return {
        "scenario": scenario.name,
        "fresh_feedback": args.fresh_feedback,
        "requests": args.requests,
        "cpu_ms_p50": round(statistics.median(own), 2),
        "cpu_ms_p90": round(sorted(own)[int(0.9 * len(own))], 2),
        "postgres_cpu_ms_mean": round(services["postgres"] / args.requests, 2),
        "redis_cpu_ms_mean": round(services["redis"] / args.requests, 2),
        "phase_seconds": spent,
    }


def _phases(argv: list[str], cpu_ms: float, top: int) -> tuple[dict[str, float], dict[str, float]]:
    """The phases of the same requests in a second process profiled from its start, as
    shares of ``cpu_ms``."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.cpu_profile", *argv, "--phases-only"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spent = json.loads(out.strip().splitlines()[-1])["phase_seconds"]
    whole = sum(spent.values()) or 1.0
    phases: dict[str, float] = defaultdict(float)
    for key, seconds in spent.items():
        phases[key.split(" | ")[0]] += seconds
    ranked = sorted(phases.items(), key=lambda kv: -kv[1])
    functions = sorted(spent.items(), key=lambda kv: -kv[1])[:top]
    return (
        {phase: round(cpu_ms * seconds / whole, 2) for phase, seconds in ranked},
        {key: round(cpu_ms * seconds / whole, 3) for key, seconds in functions},
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--scenario", default="dashboard", choices=sorted(scenarios(50, {})))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cache-ttl", type=int, default=0)
    parser.add_argument("--fresh-feedback", action="store_true")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="lupi-demo")
    parser.add_argument("--top", type=int, default=25, help="Functions listed by own CPU.")
    parser.add_argument("--phases-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        DATABASE_URL=args.database_url,
        CACHE_KEY_PREFIX=RUN_PREFIX,
        RECOMMENDATION_CACHE_TTL=str(args.cache_ttl),
    )
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    if args.phases_only:
        profiles = ThreadProfiles()
        profiles.install()
        print(json.dumps(asyncio.run(run(args, profiles))))
        return {}
    report = asyncio.run(run(args, None))
    del report["phase_seconds"]
    report["phases_ms"], report["top_functions_ms"] = _phases(
        sys.argv[1:] if argv is None else argv, report["cpu_ms_p50"], args.top
    )
    print(
        f"{report['scenario']}: CPU per request p50 {report['cpu_ms_p50']} ms, p90 "
        f"{report['cpu_ms_p90']} ms; PostgreSQL {report['postgres_cpu_ms_mean']} ms, Redis "
        f"{report['redis_cpu_ms_mean']} ms (means)"
    )
    for phase, ms in report["phases_ms"].items():
        print(f"  {phase:<34}{ms:>8.2f} ms")
    print(f"top {args.top} functions by own CPU (ms per request):")
    for key, ms in report["top_functions_ms"].items():
        print(f"  {ms:>7.3f}  {key}")
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
