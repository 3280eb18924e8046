"""Memory of the whole server: RSS, PSS and USS of the master and every worker.

Starts Lupi under gunicorn with N uvicorn workers (as ``bench.load`` does, with the
project's gunicorn settings, ``backend/gunicorn_config.py``: the master imports the app
and torch before it forks; ``--no-preload`` without them) against a seeded database with an
active model, and waits until every worker has loaded the model (it does so before it
accepts connections): all workers idle, ``/readyz`` answers 200, and each maps the weights
file. Then it warms the request path: signs in as a demo account and sends dashboards and
similar-item lists, each on a new connection so that the kernel spreads them over the
workers, with the list cache off so each one is scored, in rounds until every worker has
spent ``--min-warm-cpu`` seconds on them. Then it reads ``/proc/PID/smaps_rollup`` of
every process:

* RSS counts every page a process maps, so pages shared between workers (the model's
  mapped weights, the libraries) are counted once per worker: summing RSS over-counts;
* PSS splits each shared page between the processes that map it: the sum over processes is
  the server's real footprint;
* USS (private pages) is what a worker costs on its own, what one more worker adds.

The model's share is read from the weights file's mappings in ``/proc/PID/smaps``. Prints a
table and the report as one JSON line (last line)::

    python -m bench.memory --database-url postgres://postgres@127.0.0.1:5432/lupi_bench \\
        --redis-url redis://127.0.0.1:6379/3 --workers 2 4 --port 8900

Linux only (``/proc``); loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench import wire
from bench.load import DASHBOARD_QUERY, ROOT, gunicorn_command, login, server_env

SIMILAR_QUERY = """query Similar($id: ID!) { similarItems(itemId: $id, first: 10) {
  method items { score item { id title } } } }"""
WEIGHTS = "weights.safetensors"
IDLE_POLLS = 3
MB = 1 << 20


@dataclass
class ProcessMemory:
    pid: int
    role: str  # "master" or "worker"
    rss: int
    pss: int
    uss: int
    model_rss: int  # of the mapped weights file
    model_pss: int
    cpu_s: float  # user + system time
    warm_cpu_s: float  # of it, spent on the warm-up requests: each worker served some


def smaps_rollup(pid: int) -> dict[str, int]:
    """The fields of ``/proc/PID/smaps_rollup``, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            out[name] = int(parts[0]) * 1024
    return out


def file_mapping(pid: int, name: str) -> tuple[int, int, str | None]:
    """(RSS, PSS, path) summed over the mappings of the file called ``name``."""
    rss = pss = 0
    path, inside = None, False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and ":" not in fields[0]:  # a mapping's header line
            inside = len(fields) >= 6 and fields[-1].endswith("/" + name)
            if inside:
                path = fields[-1]
        elif inside and fields[0] in ("Rss:", "Pss:"):
            if fields[0] == "Rss:":
                rss += int(fields[1]) * 1024
            else:
                pss += int(fields[1]) * 1024
    return rss, pss, path


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(pid: int, role: str, warm_cpu: float = 0.0) -> ProcessMemory:
    roll = smaps_rollup(pid)
    model_rss, model_pss, _ = file_mapping(pid, WEIGHTS)
    return ProcessMemory(
        pid=pid,
        role=role,
        rss=roll.get("Rss", 0),
        pss=roll.get("Pss", 0),
        uss=roll.get("Private_Clean", 0) + roll.get("Private_Dirty", 0),
        model_rss=model_rss,
        model_pss=model_pss,
        cpu_s=round(cpu_seconds(pid), 2),
        warm_cpu_s=round(warm_cpu, 2),
    )


def wait_for_workers(master: int, workers: int, base: str, timeout: float) -> list[int]:
    """The workers' pids, once all ``workers`` have finished starting: the server answers
    ``/readyz`` with 200 (a model is served), no worker used CPU for ``IDLE_POLLS`` polls in
    a row (each has finished loading; a worker accepts no connection before that), and
    where one worker maps the model's weights file, all do."""
    deadline = time.monotonic() + timeout
    idle, last = 0, None
    while time.monotonic() < deadline:
        time.sleep(1.0)
        pids = children(master)
        if len(pids) != workers:
            continue
        cpu = [cpu_seconds(pid) for pid in pids]
        idle = idle + 1 if cpu == last else 0
        last = cpu
        mapped = [file_mapping(pid, WEIGHTS)[2] is not None for pid in pids]
        if idle < IDLE_POLLS or (any(mapped) and not all(mapped)):
            continue
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return pids
        except httpx.HTTPError:
            pass
    raise SystemExit(f"{workers} workers did not all load the model within {timeout:.0f} s")


async def warm(base: str, args: argparse.Namespace) -> dict[str, int]:
    """Dashboards (page sizes varied, so no cached answer is replayed) and similar items,
    one new connection each."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as session:
        await login(session, args.username, args.password)
        cookies = dict(session.cookies)
    host, port = base.removeprefix("http://").split(":")
    headers = {"X-CSRFToken": cookies.get("csrftoken", "")}
    item_ids: list[str] = []
    counts = {"dashboard": 0, "similar": 0, "errors": 0}
    for i in range(args.requests):
        if i % 2 == 0 or not item_ids:
            kind = "dashboard"
            body = {"query": DASHBOARD_QUERY, "variables": {"first": 10 + i % 20}}
        else:
            kind = "similar"
            body = {"query": SIMILAR_QUERY, "variables": {"id": item_ids[i % len(item_ids)]}}
        request = wire.prepare(
            "POST", "/graphql/", host, body=body, cookies=cookies, headers=headers
        )
        connection = await wire.Connection.open(host, int(port))
        try:
            response = await connection.send(request)
        finally:
            await connection.close()
        payload = json.loads(response.body or b"{}")
        if response.status != 200 or "errors" in payload:
            counts["errors"] += 1
            continue
        counts[kind] += 1
        if kind == "dashboard" and len(item_ids) < 50:
            items = payload["data"]["dashboard"]["recommendations"]["items"]
            item_ids += [entry["item"]["id"] for entry in items]
    return counts


def active_artifact(database_url: str) -> Path:
    """The directory of the active model version."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT path FROM recommendations_modelversion WHERE is_active"
        ).fetchone()
    if row is None:
        raise SystemExit("no active model version: run train_gnn first")
    return Path(row[0])


def warm_every_worker(
    base: str, pids: list[int], args: argparse.Namespace
) -> tuple[dict[str, int], dict[int, float]]:
    """Rounds of :func:`warm` until every worker has spent ``--min-warm-cpu`` seconds on
    them (the kernel, not this script, picks the worker of a connection), at most
    ``--max-rounds``; the requests sent and each worker's CPU seconds on them."""
    before = {pid: cpu_seconds(pid) for pid in pids}
    total = {"dashboard": 0, "similar": 0, "errors": 0}
    for _ in range(args.max_rounds):
        for key, value in asyncio.run(warm(base, args)).items():
            total[key] += value
        spent = {pid: cpu_seconds(pid) - before[pid] for pid in pids}
        if min(spent.values()) >= args.min_warm_cpu:
            break
    return total, spent


def start_server(args: argparse.Namespace, workers: int) -> subprocess.Popen:
    """gunicorn with uvicorn workers, as ``bench.load`` starts it, and with the project's
    gunicorn settings (``backend/gunicorn_config.py``) unless ``--no-preload``."""
    # cache TTL 0: every dashboard scored, none replayed
    env = server_env(args.database_url, args.redis_url, cache_ttl=0)
    cmd = gunicorn_command(workers, args.port, preload=args.preload)
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def run(args: argparse.Namespace, workers: int) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args, workers)
    try:
        pids = wait_for_workers(server.pid, workers, base, args.timeout)
        requests, warm_cpu = warm_every_worker(base, pids, args)
        processes = [measure(server.pid, "master")]
        processes += [measure(pid, "worker", warm_cpu[pid]) for pid in pids]
    finally:
        server.terminate()
        server.wait(timeout=60)
    artifact = active_artifact(args.database_url)
    manifest = json.loads((artifact / "manifest.json").read_text())
    return {
        "workers": workers,
        "preload": args.preload,
        "items": manifest["model"]["num_items"],
        "users": manifest["model"]["num_users"],
        "dim": manifest["model"]["dim"],
        "weights_bytes": (artifact / WEIGHTS).stat().st_size,
        "requests": requests,
        "processes": [asdict(p) for p in processes],
        "total": {key: sum(getattr(p, key) for p in processes) for key in ("rss", "pss", "uss")},
    }


def print_table(runs: list[dict]) -> None:
    print(
        f"{'items':>9} {'workers':>7} {'preload':>7} {'process':<14}"
        f"{'RSS MB':>9}{'PSS MB':>9}{'USS MB':>9}{'model RSS':>11}{'model PSS':>11}"
        f"{'warm cpu s':>12}"
    )
    for result in runs:
        preload = "yes" if result["preload"] else "no"
        head = f"{result['items']:>9,} {result['workers']:>7} {preload:>7} "
        for p in result["processes"]:
            print(
                f"{head}{p['role'] + ' ' + str(p['pid']):<14}{p['rss'] / MB:>9.0f}"
                f"{p['pss'] / MB:>9.0f}{p['uss'] / MB:>9.0f}{p['model_rss'] / MB:>11.0f}"
                f"{p['model_pss'] / MB:>11.0f}{p['warm_cpu_s']:>12.2f}"
            )
        t = result["total"]
        print(f"{head}{'total':<14}{t['rss'] / MB:>9.0f}{t['pss'] / MB:>9.0f}{t['uss'] / MB:>9.0f}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="", help="Shared cache (needed for >1 worker).")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument(
        "--requests", type=int, default=120, help="Warm-up requests, half dashboards."
    )
    parser.add_argument(
        "--min-warm-cpu",
        type=float,
        default=0.5,
        help="CPU seconds each worker must spend on warm-up requests (default 0.5).",
    )
    parser.add_argument("--max-rounds", type=int, default=5, help="Warm-up rounds at most.")
    parser.add_argument("--timeout", type=float, default=180, help="Seconds to wait for a load.")
    parser.add_argument(
        "--no-preload",
        dest="preload",
        action="store_false",
        help="Without backend/gunicorn_config.py: every worker imports the app and torch itself.",
    )
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="lupi-demo")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    runs = [run(args, workers) for workers in args.workers]
    print_table(runs)
    report = {"runs": runs}
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
