"""Where one request's CPU goes: the real ASGI application in this process, one client.

    python -m bench.cpu_profile --database-url postgres://postgres@127.0.0.1:5432/lupi_bench \
        --redis-url redis://127.0.0.1:6379/3 --scenario dashboard --requests 200

Signs in as a demo account through the application, sends ``--warmup`` requests, then
times ``--requests`` more one after the other. Two passes:

* **CPU per request, unprofiled**: the process's CPU time (every thread: the event loop,
  ``sync_to_async`` threads, the impressions writer) around each request, and PostgreSQL's
  and Redis's from ``/proc``, as median and p90; the in-process client (httpx over ASGI)
  is part of the process figure, about 0.3 ms a request;
* **phases, profiled**: ``cProfile`` over the same requests, each function's own time put
  in one phase by its module (a C function's time goes to the phase of its callers, pro
  rata), and the shares scaled to the unprofiled CPU, since the profiler slows Python code
  more than C code: read the phases as shares, the total as measured.

``--cache-ttl 0`` (the default) serves every request uncached; ``--fresh-feedback`` records
a like before each request, so each one pays the fold-in of a history newer than the model.
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import time
from collections import defaultdict

from bench.load import RUN_PREFIX, cpu_seconds, scenarios

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


def phase_shares(stats: pstats.Stats) -> dict[str, float]:
    """Own time per phase (seconds); built-ins are charged to their callers' phases."""
    raw = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)
    for (path, _line, _name), (_cc, _nc, own, _cum, callers) in raw.items():
        if path != "~" or not callers:
            totals[_phase_of(path)] += own
            continue
        spent = sum(c[2] for c in callers.values()) or 1.0
        for (caller_path, _l, _n), caller in callers.items():
            totals[_phase_of(caller_path)] += own * caller[2] / spent
    return dict(totals)


async def _session(app, username: str, password: str):
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    await client.get("/graphql/")
    login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { id } }"
    response = await client.post(
        "/graphql/",
        json={"query": login, "variables": {"u": username, "p": password}},
        headers={"X-CSRFToken": client.cookies["csrftoken"]},
    )
    if "errors" in response.json():
        raise SystemExit(f"login failed: {response.json()['errors']}")
    return client


def _feedback(username: str, step: int) -> None:
    """A like by the account: its history is then newer than the model (fold-in)."""
    from backend.accounts.models import User
    from backend.content.services import published_items
    from backend.interactions.models import InteractionKind
    from backend.interactions.services import InteractionData, record_interaction

    user = User.objects.get(username=username)
    item = published_items().order_by("pk")[(step * 7919) % 1000]
    record_interaction(user, InteractionData(item.pk, InteractionKind.LIKE))


async def run(args: argparse.Namespace) -> dict:
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

    async def prepare() -> None:
        if args.fresh_feedback:  # outside the timed part
            await sync_to_async(_feedback)(args.username, next(steps))

    for _ in range(args.warmup):
        await prepare()
        await once()
    own, services = [], []
    for _ in range(args.requests):
        await prepare()
        outside = cpu_seconds(os.getpid())
        started = time.process_time()
        await once()
        own.append((time.process_time() - started) * 1000)
        after = cpu_seconds(os.getpid())
        services.append({k: (after[k] - outside[k]) * 1000 for k in ("postgres", "redis")})
    profiler = cProfile.Profile()
    for _ in range(args.requests):
        await prepare()
        profiler.enable()
        await once()
        profiler.disable()
    await client.aclose()
    shares = phase_shares(pstats.Stats(profiler))
    whole = sum(shares.values()) or 1.0
    median = statistics.median(own)
    return {
        "scenario": scenario.name,
        "fresh_feedback": args.fresh_feedback,
        "requests": args.requests,
        "cpu_ms_p50": round(median, 2),
        "cpu_ms_p90": round(sorted(own)[int(0.9 * len(own))], 2),
        "postgres_cpu_ms_p50": round(statistics.median(s["postgres"] for s in services), 2),
        "redis_cpu_ms_p50": round(statistics.median(s["redis"] for s in services), 2),
        "phases_ms": {
            phase: round(median * seconds / whole, 2)
            for phase, seconds in sorted(shares.items(), key=lambda kv: -kv[1])
        },
    }


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
    report = asyncio.run(run(args))
    print(
        f"{report['scenario']}: CPU per request p50 {report['cpu_ms_p50']} ms, p90 "
        f"{report['cpu_ms_p90']} ms; PostgreSQL {report['postgres_cpu_ms_p50']} ms, Redis "
        f"{report['redis_cpu_ms_p50']} ms"
    )
    for phase, ms in report["phases_ms"].items():
        print(f"  {phase:<34}{ms:>8.2f} ms")
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
