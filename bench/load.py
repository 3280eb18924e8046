"""Loopback load generator for Lupi's API.

Starts Lupi under uvicorn with several workers (bench settings: Lupi plus plain-Django
comparison views), logs in as a demo user, then drives each scenario with N concurrent
clients for a fixed time and prints latency percentiles, requests per second and CPU
milliseconds per request (of the server's processes, PostgreSQL's and Redis's, read from
``/proc`` over the measured window: the load generator shares the cores, so wall latency
alone says little), as a table and as JSON (last line). SQL queries per request are
counted once per scenario in this process, through Django's test client on the same
database (impressions, written by a background thread, are not part of the request).

    python -m bench.load --database-url postgres://postgres@127.0.0.1:5432/lupi_bench \
        --redis-url redis://127.0.0.1:6379/3 --workers 2 --clients 8 --seconds 20 \
        --scenario items --scenario plain-items

Only loopback addresses are used; every loop is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench import wire

ROOT = Path(__file__).resolve().parent.parent

DASHBOARD_QUERY = """query Dashboard($first: Int!) { dashboard {
  me { username } preferences { accentColor fontSize }
  recommendations(first: $first) { method modelVersion diversity cached
    items { score item { id type title excerpt imageUrl creator { id displayName } }
            reasons { kind text evidenceIds }
            breakdown { graph content freshness diversityPenalty } } }
  recentActivity(limit: 10) { kind occurredAt item { title } }
  stats { interactions likes views }
  creatorInsights { totals { views likes impressions ctr } series { date views }
    topItems { title views } audienceInterests { name share } methods { method impressions }
    similarCreators { displayName score } written { text } } } }"""

ITEMS_QUERY = """query Items($first: Int!) { items(first: $first) { edges { node {
  id type title excerpt imageUrl publishedAt
  creator { id displayName } category { name } tags { name } } } } }"""


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    body: dict | None = None


def scenarios(first: int, extra: dict[str, Scenario]) -> dict[str, Scenario]:
    base = {
        "items": Scenario(
            "items", "POST", "/graphql/", {"query": ITEMS_QUERY, "variables": {"first": first}}
        ),
        "plain-items": Scenario("plain-items", "GET", f"/plain/items/?first={first}"),
        # Cached or not depends on the server's RECOMMENDATION_CACHE_TTL (--cache-ttl 0).
        "dashboard": Scenario(
            "dashboard",
            "POST",
            "/graphql/",
            {"query": DASHBOARD_QUERY, "variables": {"first": 20}},
        ),
        "plain-dashboard": Scenario("plain-dashboard", "GET", "/plain/dashboard/?first=20"),
        "plain-whoami": Scenario("plain-whoami", "GET", "/plain/whoami/"),
    }
    return {**base, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Each run keeps its cache entries under its own prefix: lists cached by an earlier run
# (with a TTL) would otherwise answer an "uncached" run's requests.
RUN_PREFIX = f"lupi-bench-{os.getpid()}-{int(time.time())}"


def server_env(database_url: str, redis_url: str, cache_ttl: int | None) -> dict[str, str]:
    """The environment of a benchmarked server: bench settings, this run's cache prefix."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    env["CACHE_KEY_PREFIX"] = RUN_PREFIX
    env["DATABASE_URL"] = database_url
    if cache_ttl is not None:
        env["RECOMMENDATION_CACHE_TTL"] = str(cache_ttl)
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def gunicorn_command(workers: int, port: int, *, preload: bool = True) -> list[str]:
    """gunicorn with uvicorn workers on ``SO_REUSEPORT``: the kernel spreads connections
    over the workers (uvicorn's own ``--workers`` share one accept queue, and keep-alive
    clients pile onto one process). ``preload``: the production settings file, which loads
    the app and torch in the master (``backend/gunicorn_config.py``)."""
    cmd = [sys.executable, "-m", "gunicorn"]
    if preload:
        cmd += ["-c", "python:backend.gunicorn_config"]
    cmd += ["backend.asgi:application"]
    cmd += ["-k", "uvicorn_worker.UvicornWorker", "--reuse-port", "-w", str(workers)]
    return cmd + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]


def start_server(args: argparse.Namespace, port: int) -> subprocess.Popen:
    env = server_env(args.database_url, args.redis_url, args.cache_ttl)
    if args.server == "gunicorn":
        cmd = gunicorn_command(args.workers, port)
    else:
        cmd = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        cmd += ["--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def wait_ready(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/graphql/", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


async def login(client: httpx.AsyncClient, username: str, password: str) -> None:
    await client.get("/graphql/")
    mutation = (
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
    )
    response = await client.post(
        "/graphql/",
        json={"query": mutation, "variables": {"u": username, "p": password}},
        headers={"X-CSRFToken": client.cookies["csrftoken"]},
    )
    if "errors" in response.json():
        raise SystemExit(f"login failed: {response.json()['errors']}")


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server (master and workers), PostgreSQL and Redis,
    exited children included (a PostgreSQL backend that ended counts in its parent)."""
    totals = {"server": 0.0, "postgres": 0.0, "redis": 0.0}

    def used(proc: psutil.Process) -> float:
        t = proc.cpu_times()
        return t.user + t.system + t.children_user + t.children_system

    master = psutil.Process(server_pid)
    for proc in [master, *master.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            totals["server"] += used(proc)
    for proc in psutil.process_iter(["name"]):
        name = proc.info["name"] or ""
        kind = "postgres" if name.startswith("postgres") else "redis" if "redis" in name else ""
        if kind:
            with contextlib.suppress(psutil.Error):
                totals[kind] += used(proc)
    return totals


async def drive(base: str, scenario: Scenario, args: argparse.Namespace, server_pid: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as session:
        await login(session, args.username, args.password)
        cookies = dict(session.cookies)
    latencies: list[float] = []
    errors = 0
    error_samples: list[str] = []

    host, port = base.removeprefix("http://").split(":")
    headers = {"X-CSRFToken": cookies.get("csrftoken", "")}
    request = wire.prepare(
        scenario.method, scenario.path, host, body=scenario.body, cookies=cookies, headers=headers
    )

    async def client_loop(stop_at: float, record: bool) -> None:
        nonlocal errors
        connection = await wire.Connection.open(host, int(port))
        try:
            while time.monotonic() < stop_at:
                start = time.perf_counter()
                response = await connection.send(request)
                elapsed = time.perf_counter() - start
                ok = response.status == 200 and b'"errors"' not in response.body[:4000]
                if not record:
                    continue
                if not ok:
                    errors += 1
                    if len(error_samples) < 3:
                        error_samples.append(f"{response.status}: {response.body[:300]!r}")
                    continue
                latencies.append(elapsed * 1000)
        finally:
            await connection.close()

    warm_until = time.monotonic() + args.warmup
    await asyncio.gather(*(client_loop(warm_until, False) for _ in range(args.clients)))
    cpu_before = cpu_seconds(server_pid)
    began = time.monotonic()
    stop_at = began + args.seconds
    await asyncio.gather(*(client_loop(stop_at, True) for _ in range(args.clients)))
    wall = time.monotonic() - began
    cpu_after = cpu_seconds(server_pid)
    served = max(1, len(latencies) + errors)
    cpu_ms = {
        f"cpu_ms_{kind}": round((cpu_after[kind] - cpu_before[kind]) * 1000 / served, 2)
        for kind in cpu_before
    }
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {
        "scenario": scenario.name,
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(pct(0.50), 2),
        "p90_ms": round(pct(0.90), 2),
        "p99_ms": round(pct(0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0,
        **cpu_ms,
        "error_samples": error_samples,
    }


def count_queries(args: argparse.Namespace, chosen: list[Scenario]) -> dict[str, int]:
    """SQL queries of one request per scenario, counted in-process on the same database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CACHE_KEY_PREFIX"] = RUN_PREFIX
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    if args.cache_ttl is not None:
        os.environ["RECOMMENDATION_CACHE_TTL"] = str(args.cache_ttl)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backend.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username=args.username))
    counts = {}
    for scenario in chosen:

        def send(scenario: Scenario = scenario) -> None:
            if scenario.method == "POST":
                client.post(scenario.path, scenario.body, content_type="application/json")
            else:
                client.get(scenario.path)

        send()  # the first request loads the model; count a steady-state one
        with CaptureQueriesContext(connection) as ctx:
            send()
        counts[scenario.name] = len(ctx.captured_queries)
    return counts


def main(argv: list[str] | None = None, extra: dict[str, Scenario] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", choices=["gunicorn", "uvicorn"], default="gunicorn")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--first", type=int, default=50, help="Page size of `items`.")
    parser.add_argument(
        "--cache-ttl", type=int, default=None, help="Server's list cache TTL; 0 = uncached."
    )
    parser.add_argument("--scenario", action="append", default=[])
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="lupi-demo")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    available = scenarios(args.first, extra or {})
    chosen = args.scenario or list(available)
    unknown = [name for name in chosen if name not in available]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {sorted(available)}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args, port)
    try:
        wait_ready(base)
        results = [asyncio.run(drive(base, available[name], args, server.pid)) for name in chosen]
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts = count_queries(args, [available[name] for name in chosen])
    for result in results:
        result["sql_queries"] = counts[result["scenario"]]
    report = {
        "server": args.server,
        "cache_ttl": args.cache_ttl,
        "workers": args.workers,
        "clients": args.clients,
        "seconds": args.seconds,
        "results": results,
    }
    print(
        f"{'scenario':<22}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'cpu srv':>9}{'cpu pg':>8}{'cpu redis':>10}  sql  errors"
    )
    for r in results:
        print(
            f"{r['scenario']:<22}{r['rps']:>9}{r['p50_ms']:>9}{r['p90_ms']:>9}{r['p99_ms']:>9}"
            f"{r['cpu_ms_server']:>9}{r['cpu_ms_postgres']:>8}{r['cpu_ms_redis']:>10}"
            f"  {r['sql_queries']}  {r['errors']}"
        )
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
