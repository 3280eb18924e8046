"""The platform the attacks run against: a database of their own, its accounts, servers.

The database is always a fresh one (a SQLite file in the run's folder, or a PostgreSQL
database created beside ``--database-url`` and dropped afterwards), so the attacks can
change passwords, lock accounts and run commands on it without touching anyone's data.
Every server and operator process gets a cache key prefix of this run: on a shared Redis,
the run's sessions, locks and replayed responses never meet another deployment's.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.databases import drop_postgres, fresh_postgres

__all__ = ["PASSWORD", "Platform", "Server"]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "the attack suite's password 1"
# A Redis that nobody serves: an operator process "while the cache is down".
DEAD_REDIS = "redis://127.0.0.1:1/0"
START_TIMEOUT_S = 90.0
_INHERITED_OUT = {"DEBUG", "REDIS_URL", "DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE"}

_SETUP = """
import json
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from backend.accounts.models import User
from backend.content.models import Creator, Tag
call_command("migrate", verbosity=0, interactive=False)
hashed = make_password({password!r})  # one hash for every account
User.objects.bulk_create([User(username=name, password=hashed) for name in {names!r}])
creators = {{
    name: Creator.objects.create(user=User.objects.get(username=name), display_name=name).pk
    for name in {creators!r}
}}
tags = [Tag.objects.create(name=f"tag {{k}}", slug=f"tag-{{k}}").pk for k in range({tags})]
print(json.dumps({{"creators": creators, "tags": tags}}))
"""


@dataclass
class Server:
    name: str
    settings: str
    process: subprocess.Popen
    sock: socket.socket
    options: tuple[str, ...] = ()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    @property
    def secure(self) -> bool:
        return self.settings == "production"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Platform:
    folder: Path
    database_url: str = ""
    redis_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(64))
    prefix: str = field(default_factory=lambda: f"attack-{os.getpid()}-{secrets.token_hex(4)}")
    servers: list[Server] = field(default_factory=list)
    creators: dict[str, int] = field(default_factory=dict)
    tag_ids: list[int] = field(default_factory=list)
    _database_env: dict[str, str] = field(default_factory=dict)
    _postgres_name: str = ""

    @property
    def shared_cache(self) -> bool:
        """Whether every process of the run sees one cache (Redis), or each its own."""
        return bool(self.redis_url)

    # -- the database ------------------------------------------------------------------

    def create(self, accounts: list[str], creators: list[str], tags: int = 0) -> None:
        """A fresh, migrated database with ``accounts`` (password :data:`PASSWORD`), of
        which ``creators`` publish, and ``tags`` tags."""
        if self.database_url:
            self._postgres_name = f"{self.database_url.rpartition('/')[2]}_attack"
            url = fresh_postgres(self.database_url, self._postgres_name)
            self._database_env = {"DATABASE_URL": url}
        else:
            self._database_env = {"SQLITE_PATH": str(self.folder / "attack.sqlite3")}
        code = _SETUP.format(password=PASSWORD, names=accounts, creators=creators, tags=tags)
        made = json.loads(self.shell(code).strip().splitlines()[-1])
        self.creators, self.tag_ids = made["creators"], made["tags"]

    def drop(self) -> None:
        for server in self.servers:
            server.stop()
            server.sock.close()
        if self._postgres_name:
            drop_postgres(self.database_url, self._postgres_name)

    # -- processes ---------------------------------------------------------------------

    def environment(self, settings: str = "production", **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _INHERITED_OUT}
        env.update(self._database_env)
        env.update(
            ALLOWED_HOSTS="127.0.0.1",
            LOG_LEVEL="CRITICAL",
            LUPI_VAR_DIR=str(self.folder / "var"),
            PYTHONUNBUFFERED="1",
            # The debug server keeps its own entries: its sessions and locks are its own.
            CACHE_KEY_PREFIX=f"{self.prefix}-{settings}",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        # backend.production or backend.settings, with a cheap password hasher.
        env["DJANGO_SETTINGS_MODULE"] = "bench.attack.settings"
        if settings == "production":
            env.update(SECRET_KEY=self.secret, SECURE_SSL_REDIRECT="0")
        else:
            env["DEBUG"] = "1"
        env.update(self.extra_env)
        env.update(extra)
        return env

    def shell(self, code: str, *, cache_down: bool = False) -> str:
        """Run ``code`` in ``manage.py shell``: an operator's process on the same database
        (``cache_down``: one that cannot reach the cache); its output."""
        extra = {"REDIS_URL": DEAD_REDIS} if cache_down and self.redis_url else {}
        return self.manage("shell", "-v", "0", "-c", code, **extra)

    def manage(self, *args: str, **extra: str) -> str:
        """``manage.py ARGS`` with production settings on the platform; its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.environment(**extra),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self, name: str, settings: str, *options: str) -> Server:
        """uvicorn (with ``options``) on a loopback socket this process opened (no port to
        race for, and a restart keeps it)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        server = Server(name, settings, self._serve(name, settings, sock, options), sock)
        server.options = options
        self.servers.append(server)
        return server

    def restart(self, server: Server) -> None:
        """Stop the server's process and start another on the same socket: connections
        made meanwhile wait in its backlog."""
        server.stop()
        server.process = self._serve(server.name, server.settings, server.sock, server.options)

    def _serve(
        self, name: str, settings: str, sock: socket.socket, options: tuple[str, ...]
    ) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
        cmd += ["--fd", str(sock.fileno()), "--no-access-log", "--log-level", "critical"]
        # The browsers say they came over HTTPS, as a TLS proxy in front would; they connect
        # from several loopback addresses (uvicorn trusts only 127.0.0.1 by default).
        cmd += ["--forwarded-allow-ips", "127.0.0.0/8", *options]
        with open(self.folder / f"{name}.log", "ab") as log:
            return subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self.environment(settings),
                pass_fds=(sock.fileno(),),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_up(self, *servers: Server) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        for server in servers or self.servers:
            while True:
                if server.process.poll() is not None:
                    log = (self.folder / f"{server.name}.log").read_text(errors="replace")
                    raise RuntimeError(f"server {server.name} exited:\n{log}")
                try:
                    if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server {server.name} did not start")
                time.sleep(0.2)
