"""Runs the attack suite (see :mod:`bench.attack`) and prints its table."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.attack import hostile, sessions, throttles, writes
from bench.attack.platform import ROOT, Platform, Server
from bench.attack.verdicts import Outcome, Report

__all__ = ["Config", "main", "run"]

SETTINGS = ("production", "debug")


@dataclass(frozen=True)
class Config:
    database_url: str = ""
    redis_url: str = ""
    settings: tuple[str, ...] = SETTINGS
    # Seconds after which a hostile request counts as unanswered (a server error).
    bound: float = 2.0
    # Where databases, logs and artifacts go (default: a temporary folder).
    folder: Path | None = None


def run(config: Config) -> Report:
    if config.folder is not None:
        return _run_in(config, config.folder)
    with tempfile.TemporaryDirectory(prefix="lupi-attack-") as folder:
        return _run_in(config, Path(folder))


class _Clock:
    """Wall seconds per phase, into the report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.started = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.report.seconds[phase] = round(now - self.started, 1)
        self.started = now


def _run_in(config: Config, folder: Path) -> Report:
    platform = Platform(
        folder, config.database_url, config.redis_url, extra_env=dict(throttles.SETTINGS)
    )
    report = Report()
    clock = _Clock(report)
    worker: subprocess.Popen | None = None
    try:
        platform.create(
            accounts=[hostile.ATTACKER, *sessions.ACCOUNTS, *throttles.ACCOUNTS, *writes.ACCOUNTS],
            creators=[hostile.ATTACKER, *throttles.CREATORS],
            tags=writes.TAGS,
        )
        clock.lap("database")
        # The commands run beside the servers' start-up and the requests (one process).
        with open(folder / "commands.log", "ab") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "bench.attack.commands"],
                cwd=ROOT,
                env=platform.environment("production"),
                stdout=subprocess.PIPE,
                stderr=log,
            )
        servers = {name: platform.start(name, name) for name in config.settings}
        other_worker = (
            platform.start("production-b", "production") if "production" in servers else None
        )
        platform.wait_until_up()
        clock.lap("servers")
        asyncio.run(_attack_servers(report, platform, servers, other_worker, config.bound, clock))
        out, _ = worker.communicate(timeout=600)
        clock.lap("commands (after the rest)")
        if worker.returncode != 0:
            raise RuntimeError(f"the commands' run failed; see {folder / 'commands.log'}")
        for outcome in json.loads(out.decode().strip().splitlines()[-1]):
            report.add(Outcome(**outcome))
        return report
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        platform.drop()


async def _attack_servers(
    report: Report,
    platform: Platform,
    servers: dict[str, Server],
    other_worker: Server | None,
    bound: float,
    clock: _Clock,
) -> None:
    for name, server in servers.items():
        outcomes, waited = await hostile.attack(
            server.base, name, platform.creators[hostile.ATTACKER], bound
        )
        for outcome in outcomes:
            report.add(outcome)
        report.unrelated_ms[name] = waited
        clock.lap(f"requests ({name})")
    if other_worker is not None:
        a = servers["production"]
        for outcome in await sessions.attack(sessions.Workers(a, other_worker, platform)):
            report.add(outcome)
        clock.lap("sessions")
        for outcome in await throttles.attack(a, other_worker, platform):
            report.add(outcome)
        clock.lap("throttles")
        for outcome in await writes.attack(a, other_worker, platform):
            report.add(outcome)
        clock.lap("writes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Hostile input against Lupi on loopback.")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL: the run creates its database beside it."
    )
    parser.add_argument("--redis-url", default="", help="Redis (default: in-process caches).")
    parser.add_argument("--settings", choices=SETTINGS, action="append")
    parser.add_argument(
        "--slow",
        type=float,
        default=2.0,
        help="Seconds after which a request counts as unanswered.",
    )
    parser.add_argument("--folder", type=Path, default=None, help="Keep databases and logs here.")
    args = parser.parse_args(argv)
    config = Config(
        database_url=args.database_url,
        redis_url=args.redis_url,
        settings=tuple(args.settings or SETTINGS),
        bound=args.slow,
        folder=args.folder,
    )
    report = run(config)
    print(report.table())
    print(json.dumps([asdict(o) for o in report.outcomes]))
    return 1 if report.failures() else 0
