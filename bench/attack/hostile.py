"""Hostile requests against a real Lupi server on loopback, with production and debug settings.

Starts Lupi under uvicorn (one worker) with ``backend.production`` and again with
``backend.settings`` and ``DEBUG=1``, sends every hostile input below (malformed bodies,
fragment bombs, cost and alias abuse, bad cursors and ids, NUL and lone surrogates),
checks that an unrelated request is still answered while a fragment bomb is in flight,
and prints, per server: hostile inputs tried, rejected cleanly, server errors, leaks.

    python -m bench.attack --database-url postgres://postgres@127.0.0.1:5432/lupi \
        [--redis-url redis://127.0.0.1:6379/0] [--username demo --password lupi-demo]

A response is *rejected cleanly* when it is a JSON answer with errors (HTTP 200 for a
GraphQL error, 400 or 413 for a body that is not GraphQL) within --slow seconds; a *server
error* is a 5xx, a non-JSON answer or no answer in time; a *leak* is exception text, a
file path, or (production only) a "Did you mean" hint. Exit status 1 when any server
error or leak was seen. Only loopback addresses are used; every request has a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.load import free_port, wait_ready

ROOT = Path(__file__).resolve().parent.parent

LEAK_MARKERS = (
    "Traceback",
    'File "',
    "site-packages",
    "Error(",
    "object has no attribute",
    "maximum recursion",
    "out of range",
    "Negative indexing",
    "datatype mismatch",
    "int too large",
    "cannot contain NUL",
    "codec can't",
    "expected to contain",
    "KeyError",
)
SUGGESTION = "Did you mean"
TOTALS = "totals { views }"
LOGIN = "mutation L($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"


@dataclass(frozen=True)
class Attack:
    name: str
    body: bytes
    content_type: str = "application/json"
    signed_in: bool = False


def _operation(query: str, variables: dict | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def _doubling(levels: int) -> str:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {chain} fragment F{levels} on Query {{ __typename }}"


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def fragment_attacks() -> list[Attack]:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(240))
    return [
        Attack("fragments doubling 30 levels", _operation(_doubling(30))),
        Attack("fragments doubling 20 levels", _operation(_doubling(20))),
        Attack("fragments doubling 10 levels", _operation(_doubling(10))),
        Attack(
            "chain of 240 fragments",
            _operation(f"{{ ...F0 }} {chain} fragment F240 on Query {{ __typename }}"),
        ),
        Attack("fragment cycle", _operation("{ ...A } fragment A on Query { ...A }")),
        Attack(
            "fragment cycle via another",
            _operation("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
        ),
        Attack("undefined fragment", _operation("{ ...Nope }")),
        Attack("undefined fragment inline", _operation("{ ... on Query { ...Nope } }")),
        Attack(
            "15 aliased year-long insights",
            _operation(
                "{ "
                + " ".join(
                    f'a{i}: creatorInsights(creatorId: "1", windowDays: 365) {{ {TOTALS} }}'
                    for i in range(15)
                )
                + " }"
            ),
        ),
        Attack(
            "15 aliased full-page recommendations",
            _operation(
                "{ "
                + " ".join(
                    f"a{i}: recommendations(first: 100) {{ items {{ score item {{ title }} }} }}"
                    for i in range(15)
                )
                + " }"
            ),
        ),
        Attack("nested connections", _operation(_nested_connections(6))),
        Attack("one field 300 times", _operation("{ " + "tags { id } " * 300 + "}")),
        Attack(
            "repeats multiplied by merging",
            _operation(
                "{ "
                + " ".join(["items(first: 1) { " + "edges { node { id } } " * 5 + "}"] * 5)
                + " }"
            ),
        ),
        Attack(
            "too many aliases",
            _operation("{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"),
        ),
        Attack("too many tokens", _operation("{ tags { " + "id " * 5000 + "} }")),
        Attack(
            "too deep",
            _operation(
                "{ "
                + "items { edges { node { creator { " * 4
                + "displayName"
                + " } } } }" * 4
                + " }"
            ),
        ),
    ]


def _nested_connections(levels: int) -> str:
    inner = "displayName"
    for _ in range(levels):
        inner = f"items(first: 100) {{ edges {{ node {{ creator {{ {inner} }} }} }} }}"
    return "{ " + inner + " }"


def body_attacks() -> list[Attack]:
    return [
        Attack("body null", b"null"),
        Attack("body string", b'"{ __typename }"'),
        Attack("body number", b"42"),
        Attack("body true", b"true"),
        Attack("body empty", b""),
        Attack("body not JSON", b"{query: }"),
        Attack("body invalid UTF-8", b'{"query": "\xff{ __typename }"}'),
        Attack(
            "variables nested 5000 deep",
            b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        ),
        Attack(
            "integer of 5000 digits",
            b'{"query": "{ __typename }", "variables": {"n": 1' + b"0" * 5000 + b"}}",
        ),
        Attack("body of 1 MB", _operation("{ __typename }" + " " * 1_000_000)),
        Attack("multipart without boundary", b"--x\r\n\r\n", "multipart/form-data"),
        Attack("multipart with boundary", b"--x--\r\n", "multipart/form-data; boundary=x"),
        Attack("form body", b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        Attack("batch", b'[{"query": "{ __typename }"}]'),
        Attack("query not a string", b'{"query": 7}'),
        Attack("variables not an object", b'{"query": "{ __typename }", "variables": [1]}'),
    ]


def input_attacks() -> list[Attack]:
    page = "query P($c: String) { items(first: 2, after: $c) { totalCount } }"
    one = "query I($id: ID!) { item(id: $id) { id } }"
    login = 'mutation L($u: String!) { login(username: $u, password: "x") { username } }'
    device = (
        "mutation R($d: String) { recordInteraction(input: "
        '{itemId: "1", kind: LIKE, context: {device: $d}}) { id } }'
    )
    return [
        Attack(
            "cursor offset 10^22", _operation(page, {"c": _cursor("arrayconnection:" + "9" * 23)})
        ),
        Attack("cursor offset 2^63", _operation(page, {"c": _cursor(f"arrayconnection:{2**63}")})),
        Attack("cursor offset negative", _operation(page, {"c": _cursor("arrayconnection:-10")})),
        Attack("cursor not base64", _operation(page, {"c": "!!!"})),
        Attack("cursor without prefix", _operation(page, {"c": _cursor("3")})),
        Attack("first negative", _operation("{ items(first: -1) { totalCount } }")),
        Attack("last without before", _operation("{ items(last: 3) { totalCount } }")),
        Attack("first beyond 32 bits", _operation("{ items(first: 99999999999) { totalCount } }")),
        Attack("id 2^63", _operation(one, {"id": str(2**63)})),
        Attack("id negative", _operation(one, {"id": "-1"})),
        Attack("id of 400 digits", _operation(one, {"id": "9" * 400})),
        Attack("id in Arabic digits", _operation(one, {"id": "\u0661\u0662"})),
        Attack("NUL in username", _operation(login, {"u": "de\x00mo"})),
        Attack("lone surrogate in username", _operation(login, {"u": "de\ud800mo"})),
        Attack(
            "NUL in a string literal",
            _operation('mutation { login(username: "a\\u0000", password: "x") { username } }'),
        ),
        Attack("lone surrogate in the document", _operation('{ item(id: "\ud800") { id } }')),
        Attack("unknown field near a hidden one", _operation("{ cacheStat { hits } }")),
        Attack("unknown argument", _operation("{ items(firs: 2) { totalCount } }")),
        Attack(
            "category ids 2^63",
            _operation(
                f'{{ recommendations(filters: {{categoryIds: ["{2**63}"]}}) {{ method }} }}'
            ),
            signed_in=True,
        ),
        Attack("NUL in device", _operation(device, {"d": "phone\x00"}), signed_in=True),
        Attack("lone surrogate in device", _operation(device, {"d": "\udfff"}), signed_in=True),
        Attack(
            "window of 10^6 days",
            _operation('{ creatorInsights(creatorId: "1", windowDays: 1000000) { windowDays } }'),
            signed_in=True,
        ),
    ]


@dataclass
class Tally:
    settings: str
    tried: int = 0
    rejected: int = 0
    server_errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    unrelated_ms: float | None = None


class Session:
    """Cookies kept by hand: production cookies are HTTPS-only, and the server sits behind
    no proxy here, so each request says it came over HTTPS (X-Forwarded-Proto)."""

    def __init__(self, client: httpx.AsyncClient, secure: bool) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}
        self.headers = (
            {"X-Forwarded-Proto": "https", "Origin": f"https://{client.base_url.netloc.decode()}"}
            if secure
            else {}
        )

    async def request(
        self,
        method: str,
        body: bytes = b"",
        content_type: str = "application/json",
        timeout: float = 10,
    ) -> httpx.Response:
        headers = {**self.headers, "Content-Type": content_type}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        self.client.cookies.clear()
        response = await self.client.request(
            method, "/graphql/", content=body or None, headers=headers, timeout=timeout
        )
        for cookie in response.headers.get_list("set-cookie"):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response


def classify(
    tally: Tally, attack: Attack, response: httpx.Response | None, elapsed: float, slow: float
) -> None:
    tally.tried += 1
    tally.slowest = sorted([*tally.slowest, (round(elapsed * 1000, 1), attack.name)])[-3:]
    if response is None or response.status_code >= 500 or elapsed > slow:
        tally.server_errors.append(
            f"{attack.name}: {'no answer' if response is None else response.status_code}"
            f" in {elapsed:.2f}s"
        )
        return
    text = response.text
    markers = LEAK_MARKERS + ((SUGGESTION,) if tally.settings == "production" else ())
    found = [marker for marker in markers if marker in text]
    if "INTERNAL_SERVER_ERROR" in text:
        found.append("an internal error (masked)")
    if found:
        tally.leaks.append(f"{attack.name}: {', '.join(found)}")
        return
    try:
        payload = response.json()
    except ValueError:
        tally.server_errors.append(f"{attack.name}: {response.status_code} not JSON")
        return
    if payload.get("errors"):
        tally.rejected += 1
    else:
        tally.accepted.append(f"{attack.name}: {response.status_code} {text[:80]}")


async def run_attacks(base: str, settings_name: str, args: argparse.Namespace) -> Tally:
    tally = Tally(settings_name)
    async with httpx.AsyncClient(base_url=base) as client:
        anonymous = Session(client, secure=settings_name == "production")
        await anonymous.request("GET", content_type="text/plain")
        signed_in = None
        if args.username:
            signed_in = Session(client, secure=settings_name == "production")
            await signed_in.request("GET", content_type="text/plain")
            answer = await signed_in.request(
                "POST", _operation(LOGIN, {"u": args.username, "p": args.password})
            )
            if answer.json().get("errors"):
                raise SystemExit(f"login failed: {answer.json()['errors']}")
        attacks = fragment_attacks() + body_attacks() + input_attacks()
        for attack in attacks:
            session = signed_in if attack.signed_in else anonymous
            if session is None:
                continue
            started = time.perf_counter()
            try:
                response = await session.request(
                    "POST", attack.body, attack.content_type, timeout=args.slow * 4
                )
            except httpx.HTTPError:
                response = None
            classify(tally, attack, response, time.perf_counter() - started, args.slow)
        tally.unrelated_ms = await unrelated_during_bomb(anonymous)
    return tally


async def unrelated_during_bomb(session: Session) -> float | None:
    """Milliseconds an unrelated request waits while a fragment bomb is being answered."""
    bomb = asyncio.create_task(session.request("POST", _operation(_doubling(30))))
    await asyncio.sleep(0)
    started = time.perf_counter()
    try:
        await session.request("POST", _operation("{ __typename }"))
    except httpx.HTTPError:
        return None
    finally:
        await asyncio.gather(bomb, return_exceptions=True)
    return (time.perf_counter() - started) * 1000


def server_environment(settings_name: str, args: argparse.Namespace) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "REDIS_URL"}}
    env.update(ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="CRITICAL")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if settings_name == "production":
        env.update(
            DJANGO_SETTINGS_MODULE="backend.production",
            SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
            SECURE_SSL_REDIRECT="0",
        )
    else:
        env.update(DJANGO_SETTINGS_MODULE="backend.settings", DEBUG="1")
    return env


def attack_server(settings_name: str, args: argparse.Namespace) -> Tally:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "uvicorn", "backend.asgi:application", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-access-log", "--log-level", "critical"]
    # The server's own log (it reports the bad requests it refused) is not the report.
    quiet = None if args.server_log else subprocess.DEVNULL
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=server_environment(settings_name, args), stdout=quiet, stderr=quiet
    )
    try:
        wait_ready(base)
        return asyncio.run(run_attacks(base, settings_name, args))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="A migrated database.")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--username", default="", help="An account for the signed-in cases.")
    parser.add_argument("--password", default="")
    parser.add_argument("--settings", choices=["production", "debug"], action="append")
    parser.add_argument("--server-log", action="store_true", help="Show the servers' output.")
    parser.add_argument("--slow", type=float, default=2.0, help="Seconds that count as no answer.")
    args = parser.parse_args(argv)
    tallies = [attack_server(name, args) for name in args.settings or ["production", "debug"]]
    print(
        f"{'settings':<12}{'tried':>7}{'rejected':>10}{'5xx':>6}{'leaks':>7}{'accepted':>10}"
        f"{'slowest ms':>12}{'unrelated ms':>14}"
    )
    for t in tallies:
        unrelated = "-" if t.unrelated_ms is None else f"{t.unrelated_ms:.0f}"
        slowest_ms = t.slowest[-1][0] if t.slowest else 0
        counts = f"{len(t.server_errors):>6}{len(t.leaks):>7}{len(t.accepted):>10}"
        print(
            f"{t.settings:<12}{t.tried:>7}{t.rejected:>10}{counts}{slowest_ms:>12.0f}{unrelated:>14}"
        )
        for line in t.server_errors + t.leaks + t.accepted:
            print(f"  {t.settings}: {line}")
        slowest = ", ".join(f"{name} {ms:.0f} ms" for ms, name in reversed(t.slowest))
        print(f"  {t.settings}: slowest: {slowest}")
    print(json.dumps([t.__dict__ for t in tallies]))
    return 1 if any(t.server_errors or t.leaks for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
