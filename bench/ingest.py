"""Ingestion through the API: events per second on PostgreSQL, every batch sent twice.

Makes a fresh database beside ``--database-url`` (``<name>_ingest``), migrates it, makes
an ingest key with ``create_api_key``, starts Lupi under uvicorn on ``--port``, upserts
the platform's users and items over GraphQL, then sends ``--batches`` batches of
``--batch-size`` events with ``ingestEvents`` from ``--clients`` concurrent clients, and
sends every batch again (a retry after a lost answer). Reports events per second of each
pass and counts duplicates in the database (rows sharing an idempotency key, which must
be 0); the retry pass must write nothing.

    python -m bench.ingest --database-url postgres://postgres@127.0.0.1:5432/lupi_keys \\
        --redis-url redis://127.0.0.1:6379/2 --port 8821
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.databases import drop_postgres, fresh_postgres
from bench.load import wait_ready

ROOT = Path(__file__).resolve().parent.parent
INGEST = """mutation($events: [PlatformEventInput!]!) {
  ingestEvents(events: $events) { received written duplicates } }"""
UPSERT_USERS = (
    """mutation($users: [UserUpsertInput!]!) { upsertUsers(users: $users) { created } }"""
)
UPSERT_ITEMS = (
    """mutation($items: [ItemUpsertInput!]!) { upsertItems(items: $items) { created } }"""
)
KINDS = ["VIEW", "CLICK", "LIKE", "SAVE", "DWELL", "SKIP"]


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", "DEBUG": "0"}
    env["DATABASE_URL"] = database_url
    env["CACHE_KEY_PREFIX"] = f"lupi-ingest-bench-{os.getpid()}"
    env["LOG_LEVEL"] = "ERROR"
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _batches(args: argparse.Namespace) -> list[list[dict]]:
    """Deterministic events: batch b, event e, for user and item chosen round-robin."""
    return [
        [
            {
                "idempotencyKey": f"b{b}-e{e}",
                "userId": f"u{(b * args.batch_size + e) % args.users}",
                "itemId": f"i{(b * 7 + e * 13) % args.items}",
                "kind": KINDS[e % len(KINDS)],
                **({"value": 1500.0} if KINDS[e % len(KINDS)] == "DWELL" else {}),
            }
            for e in range(args.batch_size)
        ]
        for b in range(args.batches)
    ]


async def _post(client: httpx.AsyncClient, query: str, variables: dict) -> dict:
    response = await client.post("/graphql/", json={"query": query, "variables": variables})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"refused: {response.status_code} {body}")
    return body["data"]


async def _seed(client: httpx.AsyncClient, args: argparse.Namespace) -> None:
    users = [{"id": f"u{i}", "interestTags": [f"tag {i % 20}"]} for i in range(args.users)]
    for start in range(0, len(users), 500):
        await _post(client, UPSERT_USERS, {"users": users[start : start + 500]})
    items = [
        {
            "id": f"i{i}",
            "title": f"Item {i}",
            "text": f"About topic {i % 20} and more.",
            "tags": [f"tag {i % 20}"],
            "category": f"section {i % 5}",
            "creatorId": f"u{i % 10}",
        }
        for i in range(args.items)
    ]
    for start in range(0, len(items), 200):
        await _post(client, UPSERT_ITEMS, {"items": items[start : start + 200]})


async def _pass(client: httpx.AsyncClient, batches: list[list[dict]], clients: int) -> dict:
    """Send every batch once, ``clients`` at a time; events/s and what was written."""
    queue = list(batches)
    written = duplicates = 0

    async def worker() -> None:
        nonlocal written, duplicates
        while queue:
            batch = queue.pop()
            result = (await _post(client, INGEST, {"events": batch}))["ingestEvents"]
            written += result["written"]
            duplicates += result["duplicates"]

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    seconds = time.perf_counter() - started
    events = sum(len(b) for b in batches)
    return {
        "events": events,
        "seconds": round(seconds, 2),
        "events_per_s": round(events / seconds),
        "written": written,
        "skipped_as_duplicates": duplicates,
    }


async def _drive(base: str, key: str, args: argparse.Namespace) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        await _seed(client, args)
        batches = _batches(args)
        first = await _pass(client, batches, args.clients)
        retry = await _pass(client, batches, args.clients)
    return {"first": first, "retry": retry}


def _duplicate_rows(database_url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM interactions_interaction "
            "WHERE idempotency_key IS NOT NULL"
        ).fetchone()
    return total, total - distinct


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="A PostgreSQL server's database.")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--port", type=int, default=8821)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args(argv)
    name = args.database_url.rpartition("/")[2] + "_ingest"
    url = fresh_postgres(args.database_url, name)
    env = _env(url, args.redis_url)
    server = None
    try:
        _manage(env, "migrate", "--no-input")
        key = _manage(env, "create_api_key", "bench-ingest", "--scope", "ingest").strip()
        cmd = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
        cmd += ["--host", "127.0.0.1", "--port", str(args.port), "--no-access-log"]
        server = subprocess.Popen(cmd + ["--log-level", "warning"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{args.port}"
        wait_ready(base)
        report = asyncio.run(_drive(base, key, args))
        report["rows"], report["duplicate_rows"] = _duplicate_rows(url)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_postgres(args.database_url, name)
    for label in ("first", "retry"):
        p = report[label]
        print(
            f"{label:<6} {p['events']} events in {p['seconds']} s: {p['events_per_s']} events/s, "
            f"written {p['written']}, skipped as duplicates {p['skipped_as_duplicates']}"
        )
    print(f"rows {report['rows']}, duplicate rows {report['duplicate_rows']}")
    expected = args.batches * args.batch_size
    if report["duplicate_rows"] or report["rows"] != expected or report["retry"]["written"]:
        raise SystemExit(f"expected {expected} rows, no duplicates, and a retry writing none")
    return report


if __name__ == "__main__":
    main()
