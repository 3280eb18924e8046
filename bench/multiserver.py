"""Several servers, one state: two web server processes and one task-queue worker sharing
one PostgreSQL database and one Redis.

    python -m bench.multiserver --database-url postgres://postgres@127.0.0.1:5432/lupi \\
        --redis-url redis://127.0.0.1:6379/0 --broker-url redis://127.0.0.1:6379/1 \\
        --ports 8830 8831

It makes a fresh database beside ``--database-url`` (dropped afterwards), seeds a small
demo platform, starts the worker and both servers, and checks, through the servers' HTTP
API only:

1. the worker trains and promotes a model (``train_gnn --on-worker``) and both servers
   serve it, without a restart;
2. a session made by signing in through one server is accepted by the other;
3. the same user gets the same list from both, the second one from the served-list cache
   entry the first server wrote;
4. a second version promoted by the worker reaches both servers (and how long it took).

Exit status 0 when every check holds. The cache keys get a prefix of this run's own, so
nothing another process cached is read or overwritten.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.databases import drop_postgres, fresh_postgres

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
ME = "{ me { username } }"
RECS = "{ recommendations(first: 10) { modelVersion cached items { item { id } } } }"
# Arguments no earlier request used, so the first server's answer is computed, not cached.
FRESH_RECS = RECS.replace("first: 10", "first: 7")
TRAIN = ["train_gnn", "--on-worker", "--no-progress", "--emb-dim", "16", "--seed", "1"]


@dataclass
class Fleet:
    """The processes of one run and where their logs go."""

    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def spawn(self, name: str, cmd: list[str], pass_fds: tuple[int, ...] = ()) -> None:
        with open(self.logs / f"{name}.log", "ab") as log:
            self.processes.append(
                subprocess.Popen(
                    cmd, cwd=ROOT, env=self.env, pass_fds=pass_fds, stdout=log, stderr=log
                )
            )

    def start_worker(self) -> None:
        cmd = [sys.executable, "-m", "celery", "-A", "backend", "worker", "-P", "solo"]
        cmd += ["-n", f"multiserver-{os.getpid()}@%h", "--without-mingle", "--without-gossip"]
        self.spawn("worker", [*cmd, "-l", "info"])
        _wait(lambda: " ready." in (self.logs / "worker.log").read_text(), "the worker")

    def start_server(self, port: int) -> str:
        """uvicorn on a socket bound here (port 0: any free one); its base URL."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        cmd = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
        self.spawn(
            f"server-{len(self.urls) + 1}", [*cmd, "--fd", str(sock.fileno())], (sock.fileno(),)
        )
        sock.close()
        _wait(lambda: _healthy(url), f"the server on {url}")
        self.urls.append(url)
        return url

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(probe, what: str, timeout: float = 120.0) -> float:
    """Poll ``probe`` until it holds; the seconds it took (raises after ``timeout``)."""
    start = time.monotonic()
    while not probe():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - start


def graphql(client: httpx.Client, query: str, variables: dict | None = None) -> dict:
    if "csrftoken" not in client.cookies:
        client.get("/graphql/")
    response = client.post(
        "/graphql/",
        json={"query": query, "variables": variables or {}},
        headers={"X-CSRFToken": client.cookies["csrftoken"]},
    )
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"{query}: {body['errors']}")
    return body["data"]


def served_version(url: str, cookies: httpx.Cookies) -> str:
    with httpx.Client(base_url=url, cookies=cookies, timeout=30) as client:
        return graphql(client, RECS)["recommendations"]["modelVersion"]


def promoted_version(fleet: Fleet, *extra: str) -> str:
    out = fleet.manage(*TRAIN, *extra)
    if "Promoted" not in out:
        raise RuntimeError(f"the worker did not promote its model:\n{out}")
    return out.split("version ", 1)[1].split()[0]


def check_promotion(fleet: Fleet, cookies: httpx.Cookies, version: str) -> list[float]:
    """Seconds from now (the promotion just returned) until each server serves ``version``."""
    start = time.monotonic()
    seconds = []
    for url in fleet.urls:
        _wait(lambda url=url: served_version(url, cookies) == version, f"{url} serving {version}")
        seconds.append(time.monotonic() - start)
    return seconds


def check_session(a: str, b: str) -> httpx.Cookies:
    """Sign in through ``a``; the session cookie is accepted by ``b``. The cookies."""
    with httpx.Client(base_url=a, timeout=30) as client:
        graphql(client, LOGIN, {"u": "demo", "p": "lupi-demo"})
        cookies = client.cookies
    with httpx.Client(base_url=b, cookies=cookies, timeout=30) as other:
        me = graphql(other, ME)["me"]
    if not me or me["username"] != "demo":
        raise RuntimeError(f"{b} does not accept the session made through {a}: {me}")
    return cookies


def check_lists(a: str, b: str, cookies: httpx.Cookies) -> dict:
    """The same user's list from ``a`` then ``b``: the same items, ``b``'s from the cache."""
    lists = []
    for url in (a, b):
        with httpx.Client(base_url=url, cookies=cookies, timeout=30) as client:
            lists.append(graphql(client, FRESH_RECS)["recommendations"])
    ids = [[entry["item"]["id"] for entry in served["items"]] for served in lists]
    if not ids[0] or ids[0] != ids[1]:
        raise RuntimeError(f"different lists: {ids[0]} from {a}, {ids[1]} from {b}")
    if lists[0]["cached"] or not lists[1]["cached"]:
        raise RuntimeError(f"{b} did not read the list {a} cached: {lists}")
    return {"items": len(ids[0])}


def run(args: argparse.Namespace, logs: Path) -> dict:
    """Every check in turn; their figures (raises on the first that fails)."""
    name = f"{args.database_url.rpartition('/')[2]}_multiserver"
    env = {k: v for k, v in os.environ.items() if k != "SQLITE_PATH"}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DATABASE_URL=fresh_postgres(args.database_url, name),
        REDIS_URL=args.redis_url,
        CELERY_BROKER_URL=args.broker_url,
        CELERY_TASK_DEFAULT_QUEUE=f"lupi-multiserver-{os.getpid()}",
        CACHE_KEY_PREFIX=f"lupi-multiserver-{os.getpid()}",
        LUPI_VAR_DIR=str(logs / "var"),
        PYTHONUNBUFFERED="1",
    )
    fleet = Fleet(env, logs)
    try:
        fleet.manage("migrate", "-v", "0")
        fleet.manage("seed_demo", "--users", str(args.users), "--items", str(args.items))
        fleet.start_worker()
        a, b = (fleet.start_server(port) for port in args.ports)
        first = promoted_version(fleet, "--time-budget", str(args.time_budget))
        cookies = check_session(a, b)
        figures = {"first_version": first, "first_seconds": check_promotion(fleet, cookies, first)}
        figures.update(check_lists(a, b, cookies))
        second = promoted_version(fleet, "--time-budget", str(args.time_budget), "--force")
        figures.update(
            second_version=second, second_seconds=check_promotion(fleet, cookies, second)
        )
        return figures
    finally:
        fleet.stop()
        drop_postgres(args.database_url, name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True, help="a PostgreSQL database to start from")
    ap.add_argument("--redis-url", required=True, help="the shared cache")
    ap.add_argument("--broker-url", required=True, help="the task queue's broker")
    ap.add_argument("--ports", type=int, nargs=2, default=[0, 0], metavar="PORT")
    ap.add_argument("--users", type=int, default=80)
    ap.add_argument("--items", type=int, default=160)
    ap.add_argument("--time-budget", type=float, default=10.0, help="seconds per training")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("--database-url must name a PostgreSQL database", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lupi-multiserver-") as folder:
        try:
            figures = run(args, Path(folder))
        except (RuntimeError, TimeoutError) as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            for log in sorted(Path(folder).glob("*.log")):
                print(f"--- {log.name} (last lines)\n{log.read_text()[-2000:]}", file=sys.stderr)
            return 1
    report(figures)
    return 0


def report(figures: dict) -> None:
    print(_promotion_line(1, figures["first_version"], figures["first_seconds"]))
    print("2. a session made through server 1 is accepted by server 2")
    print(f"3. same {figures['items']}-item list from both; server 2's from server 1's cache entry")
    print(_promotion_line(4, figures["second_version"], figures["second_seconds"]))
    print("all checks passed")


def _promotion_line(n: int, version: str, seconds: list[float]) -> str:
    took = " / ".join(f"{s:.2f} s" for s in seconds)
    return f"{n}. version {version} promoted by the worker; served by server 1 / 2 {took} later"


if __name__ == "__main__":
    sys.exit(main())
