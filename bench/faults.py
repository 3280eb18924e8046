"""Faults under load: what Lupi answers while Redis or PostgreSQL restarts, when model
artifacts go bad, and while a model trains, and how long it takes to recover.

    python -m bench.faults --database-url postgres://postgres@127.0.0.1:5432/lupi \
        --redis-url redis://127.0.0.1:6379/0 \
        --restart-redis 'redis-cli -p 6379 shutdown nosave; sleep 2; redis-server …' \
        --restart-postgres 'pg_ctl -D … -m fast -w restart' [--clients 4] [--after 15]

Creates a database of its own beside ``--database-url`` (dropped afterwards), seeds a small
demo platform and trains a model, serves it with production settings (uvicorn, two
workers, on that database and the Redis), and drives it with ``--clients`` signed-in
clients that loop over four requests: the dashboard (replayed from its kept result when
cached), a fresh recommendation list (scored by the model), a catalogue page and a
recorded interaction (a write). /readyz is polled throughout. The faults, in order:

* ``redis``: the ``--restart-redis`` command (skipped without one);
* ``postgres``: the ``--restart-postgres`` command (skipped without one);
* ``training``: ``train_gnn --force`` while serving; the new version is promoted;
* ``corrupt-promotion``: a copy of the active artifact with a byte flipped, promoted;
* ``corrupt-active``: the active version's files damaged on disk while it is served;
* ``restart-on-corrupt``: the server restarted with the active version's files damaged;
* ``rollback``: ``gnn_rollback`` to the version before (whose files are sound).

Each fault row: requests from the fault's start until ``--after`` seconds after its end,
and what they were: answered normally, GraphQL errors (by code), lists served without the
model (TRENDING/FALLBACK), 5xx, no answer; /readyz states seen; and the recovery time:
from the end of the fault until the last abnormal answer (0: none after the end). The
restart commands are the operator's: the benchmark only runs them.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.attack.client import Browser
from bench.attack.platform import Platform, Server

DEMO_USER, DEMO_PASSWORD = "demo", "lupi-demo"
DASHBOARD = (
    "query D { dashboard { me { username } recommendations(first: 10) "
    "{ method modelVersion items { item { id } } } stats { interactions } } }"
)
FRESH_LIST = (
    "query R($d: Float!) { recommendations(first: 10, knobs: {diversity: $d}) "
    "{ method modelVersion items { item { id } } } }"
)
CATALOGUE = "query C { items(first: 20) { edges { node { id title } } } }"
RECORD = "mutation W($id: ID!) { recordInteraction(input: {itemId: $id, kind: VIEW}) { id } }"
MODEL_METHODS = {"HYBRID", "CONTENT"}
REQUEST_TIMEOUT_S = 10.0
STEADY_S = 3.0


@dataclass(frozen=True)
class Sample:
    t: float  # seconds on the run's clock
    kind: str
    outcome: str  # ok, fallback, 5xx, no answer, error <CODE>
    ms: float
    version: str = ""


@dataclass
class Load:
    """Clients looping over the request mix until stopped; every answer is a sample."""

    server: Server
    clients: int
    item_ids: list[int]
    started: float = field(default_factory=time.perf_counter)
    samples: list[Sample] = field(default_factory=list)
    ready: list[tuple[float, int]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def now(self) -> float:
        return time.perf_counter() - self.started

    async def run(self) -> None:
        await asyncio.gather(*(self._client(k) for k in range(self.clients)), self._readiness())

    async def _client(self, k: int) -> None:
        rng = random.Random(k)
        browser = Browser(self.server.base, secure=True, timeout=REQUEST_TIMEOUT_S)
        while not self.stop.is_set():  # sign in again whenever the session is lost
            try:
                await browser.sign_in(DEMO_USER, DEMO_PASSWORD)
                break
            except (RuntimeError, httpx.HTTPError, ValueError):
                await asyncio.sleep(0.2)
        while not self.stop.is_set():
            for kind, query, variables in (
                ("dashboard", DASHBOARD, None),
                ("fresh list", FRESH_LIST, {"d": round(rng.random(), 6)}),
                ("catalogue", CATALOGUE, None),
                ("write", RECORD, {"id": str(rng.choice(self.item_ids))}),
            ):
                self.samples.append(await self._ask(browser, kind, query, variables))
        await browser.client.aclose()

    async def _ask(self, browser: Browser, kind: str, query: str, variables) -> Sample:
        asked = time.perf_counter()
        outcome, version = await self._answer(browser, query, variables)
        return Sample(self.now(), kind, outcome, (time.perf_counter() - asked) * 1000, version)

    async def _answer(self, browser: Browser, query: str, variables) -> tuple[str, str]:
        try:
            response = await browser.post(query, variables)
        except httpx.HTTPError:
            return "no answer", ""
        if response.status_code >= 500:
            return "5xx", ""
        try:
            body = response.json()
        except ValueError:
            return f"{response.status_code} not JSON", ""
        if body.get("errors"):
            return f"error {(body['errors'][0].get('extensions') or {}).get('code', '?')}", ""
        data = body.get("data") or {}
        listing = data.get("recommendations") or (data.get("dashboard") or {}).get(
            "recommendations"
        )
        if listing is None:
            return "ok", ""
        served = "ok" if listing["method"] in MODEL_METHODS else "fallback"
        return served, listing["modelVersion"]

    async def _readiness(self) -> None:
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
            while not self.stop.is_set():
                try:
                    status = (await client.get(f"{self.server.base}/readyz")).status_code
                except httpx.HTTPError:
                    status = 0
                self.ready.append((self.now(), status))
                await asyncio.sleep(0.25)


@dataclass
class Row:
    fault: str
    start: float
    seconds: float  # how long the fault itself lasted
    requests: int
    counts: dict[str, int]
    readyz: list[str]
    recovery_s: float | None  # None: not recovered within the window
    versions: list[str]
    latency_during: str
    abnormal: dict[str, int]  # "kind: outcome" of every answer that was not normal
    new_version_s: float | None  # first answer from a version not served before, from the end

    def line(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        recovery = "not within the window" if self.recovery_s is None else f"{self.recovery_s:.1f}"
        return (
            f"{self.fault:<20}{self.seconds:>8.1f}{self.requests:>9}  {recovery:>10}  "
            f"{counts}; readyz {' > '.join(self.readyz)}; "
            f"versions {' > '.join(v[-12:] for v in self.versions)}; during: {self.latency_during}"
            + (
                ""
                if self.new_version_s is None
                else f"; new version from {self.new_version_s:+.1f} s"
            )
            + "".join(f"\n{'':<22}{k}: {v}" for k, v in sorted(self.abnormal.items()))
        )


def latency(samples: list[Sample]) -> str:
    ms = sorted(s.ms for s in samples)
    if not ms:
        return "-"
    return f"p50 {ms[len(ms) // 2]:.0f} ms, p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.0f} ms"


def summarise(load: Load, fault: str, start: float, end: float, after: float) -> Row:
    window = [s for s in load.samples if start <= s.t <= end + after]
    counts = collections.Counter(s.outcome for s in window)
    last_bad = max((s.t for s in window if s.outcome != "ok"), default=None)
    # Recovered: the window's last STEADY_S seconds hold answers, all of them normal.
    steady = [s for s in window if s.t > end + after - STEADY_S]
    if not steady or (last_bad is not None and last_bad > end + after - STEADY_S):
        recovery = None
    else:
        recovery = 0.0 if last_bad is None or last_bad <= end else last_bad - end
    states: list[str] = []
    for t, status in load.ready:
        if start - 0.3 <= t <= end + after and (not states or states[-1] != str(status)):
            states.append(str(status))
    versions: list[str] = []
    for s in window:
        if s.version and (not versions or versions[-1] != s.version):
            versions.append(s.version)
    during = [s for s in window if s.t <= end]
    abnormal = collections.Counter(f"{s.kind}: {s.outcome}" for s in window if s.outcome != "ok")
    new = [s.t for s in window if s.version and s.version != versions[0]]
    return Row(
        fault,
        start,
        end - start,
        len(window),
        dict(counts),
        states,
        recovery,
        versions,
        latency(during),
        dict(abnormal),
        (min(new) - end) if new else None,
    )


def damage(folder: Path) -> None:
    """Flip a byte in the middle of every file of a version but its manifest (whatever the
    format, the manifest's checksums must catch it)."""
    for file in sorted(folder.iterdir()):
        if file.is_file() and file.name != "manifest.json" and file.stat().st_size > 0:
            data = bytearray(file.read_bytes())
            data[len(data) // 2] ^= 0xFF
            file.write_bytes(bytes(data))


ACTIVE_PATH = (
    "from backend.recommendations.models import ModelVersion\n"
    "print(ModelVersion.objects.get(is_active=True).path)"
)
PROMOTE_COPY = """
import shutil
from backend.recommendations.models import ModelVersion
active = ModelVersion.objects.get(is_active=True)
copy = shutil.copytree(active.path, active.path + "-damaged")
print(copy)
"""
PROMOTE = """
from backend.recommendations.models import ModelVersion
from backend.recommendations.services import PromotionError, promote
candidate = ModelVersion.objects.create(
    version="damaged-copy", path={path!r}, metrics={{"recall@20": 1.0}})
try:
    promote(candidate, force=True)
    print("promoted")
except PromotionError as exc:
    print(f"refused: {{exc}}")
"""


class Faults:
    def __init__(self, platform: Platform, server: Server, args: argparse.Namespace) -> None:
        self.platform, self.server, self.args = platform, server, args
        self.notes: list[str] = []

    async def shell(self, command: str) -> None:
        process = await asyncio.create_subprocess_shell(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        await process.wait()

    async def manage(self, *args: str) -> str:
        return await asyncio.to_thread(self.platform.manage, *args)

    async def redis(self) -> None:
        await self.shell(self.args.restart_redis)

    async def postgres(self) -> None:
        await self.shell(self.args.restart_postgres)

    async def training(self) -> None:
        out = await self.manage("train_gnn", "--force", "--no-progress", *self.args.train)
        self.notes.append("training: " + out.strip().splitlines()[-1])

    async def corrupt_promotion(self) -> None:
        copy = (await self.manage("shell", "-v", "0", "-c", PROMOTE_COPY)).strip()
        damage(Path(copy))
        out = await self.manage("shell", "-v", "0", "-c", PROMOTE.format(path=copy))
        self.notes.append("corrupt-promotion: " + out.strip())

    async def corrupt_active(self) -> None:
        active = (await self.manage("shell", "-v", "0", "-c", ACTIVE_PATH)).strip()
        damage(Path(active))
        self.notes.append(f"corrupt-active: damaged {Path(active).name}")

    async def restart_on_corrupt(self) -> None:
        await asyncio.to_thread(self.platform.restart, self.server)
        await asyncio.to_thread(self.platform.wait_until_up, self.server)

    async def rollback(self) -> None:
        out = await self.manage("gnn_rollback")
        self.notes.append("rollback: " + out.strip())


ORDER = [
    "redis",
    "postgres",
    "training",
    "corrupt-promotion",
    "corrupt-active",
    "restart-on-corrupt",
    "rollback",
]


async def drive(platform: Platform, server: Server, args: argparse.Namespace, items: list[int]):
    load = Load(server, args.clients, items)
    faults = Faults(platform, server, args)
    running = asyncio.create_task(load.run())
    rows = []
    await asyncio.sleep(args.warmup)
    for name in args.fault or ORDER:
        if name == "redis" and not args.restart_redis:
            continue
        if name == "postgres" and not args.restart_postgres:
            continue
        start = load.now()
        await getattr(faults, name.replace("-", "_"))()
        end = load.now()
        await asyncio.sleep(args.after)
        rows.append(summarise(load, name, start, end, args.after))
    load.stop.set()
    await running
    async with httpx.AsyncClient(timeout=30) as client:
        scraped = (await client.get(f"{server.base}/metrics")).text
    return rows, faults.notes, load, scraped


def prepare(args: argparse.Namespace, folder: Path) -> tuple[Platform, Server, list[int]]:
    platform = Platform(folder, args.database_url, args.redis_url)
    # One account drives the load: per-viewer field rates would measure the throttle.
    platform.extra_env.update(GRAPHQL_FIELD_RATES="", WEB_CONCURRENCY=str(args.workers))
    # The workers' metrics, summed by whichever worker answers the scrape.
    (folder / "prometheus").mkdir(exist_ok=True)
    platform.extra_env["PROMETHEUS_MULTIPROC_DIR"] = str(folder / "prometheus")
    platform.create(accounts=[], creators=[])
    sizes = ["--users", str(args.users), "--items", str(args.items), "--now", "2025-06-01"]
    platform.manage("seed_demo", *sizes)
    platform.manage("train_gnn", "--no-progress", *args.train)
    ids = platform.shell(
        "from backend.content.models import ContentItem\n"
        "print(list(ContentItem.objects.filter(published_at__isnull=False)"
        ".values_list('id', flat=True)[:200]))"
    )
    server = platform.start("faults", "production", "--workers", str(args.workers))
    platform.wait_until_up(server)
    return platform, server, json.loads(ids.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Faults under load.")
    parser.add_argument("--database-url", required=True, help="PostgreSQL (a db beside it).")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--restart-redis", default="", help="Shell command restarting Redis.")
    parser.add_argument("--restart-postgres", default="", help="… restarting PostgreSQL.")
    parser.add_argument("--fault", choices=ORDER, action="append")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--after", type=float, default=15.0, help="Seconds watched after.")
    parser.add_argument("--train", default="--time-budget 120", help="train_gnn's options.")
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args(argv)
    args.train = shlex.split(args.train)
    with tempfile.TemporaryDirectory(prefix="lupi-faults-") as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        platform, server, items = prepare(args, folder)
        try:
            rows, notes, load, scraped = asyncio.run(drive(platform, server, args, items))
        finally:
            platform.drop()
    first = rows[0].start if rows else load.now()
    before = [s for s in load.samples if s.t < first]
    counted = dict(collections.Counter(s.outcome for s in before))
    print(f"before the faults: {len(before)} requests, {counted}, {latency(before)}")
    print(f"{'fault':<20}{'fault s':>8}{'requests':>9}  {'recovery s':>10}  what was answered")
    for row in rows:
        print(row.line())
    for note in notes:
        print(f"  {note}")
    print("/metrics after the run (lupi_ series, histogram buckets left out):")
    for line in scraped.splitlines():
        if line.startswith("lupi_") and "_bucket{" not in line and "_created" not in line:
            print(f"  {line}")
    print(json.dumps([row.__dict__ for row in rows]))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
