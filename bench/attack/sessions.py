"""Sessions that should have ended, tried against two workers of one deployment.

Worker A and worker B are two production-settings server processes on one database and
one cache (on the in-process cache each has its own, as several workers without Redis
would). A case passes (*rejected*) when the stale session is treated as signed out: the
dashboard answers ``UNAUTHENTICATED`` and is not replayed from a kept result; it is a
*leak* when the account's dashboard is answered. Every case first makes sure the server has
the dashboard to replay, so a replay would show.

* a logout on one worker, then the session on the other, and replayed on the first;
* a session id planted before sign-in, and the key from before signing in as another
  account (keys rotate: the old one must be dead);
* forged and malformed session cookies;
* a password change, deactivation or deletion made by another process (an operator's
  shell, the admin, another worker), and, with a shared cache, the same made by a process
  that cannot reach the cache: every session of the account ends.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.attack.client import LOGOUT, Browser
from bench.attack.platform import PASSWORD, Platform, Server
from bench.attack.verdicts import ACCEPTED, LEAK, REJECTED, SERVER_ERROR, Outcome, error_text

__all__ = ["ACCOUNTS", "attack"]

DASHBOARD = "query Dash { dashboard { me { username } stats { interactions } } }"
# The sessions' own loopback address: no other case's failed sign-ins count against it.
ADDRESS = "127.0.0.2"
CHANGES = {
    "password change": (
        "u = User.objects.get(username={name!r}); u.set_password('a new password 2'); u.save()"
    ),
    # A queryset update sends no signal: nothing but the database hears of it.
    "deactivation": "User.objects.filter(username={name!r}).update(is_active=False)",
    "deletion": "User.objects.get(username={name!r}).delete()",
}
LOGOUT_ACCOUNT = "session-logout"
PLANTED_ACCOUNT = "session-planted"
SECOND_ACCOUNT = "session-second"
WORST_FIRST = (LEAK, SERVER_ERROR, ACCEPTED, REJECTED)


def _changed_account(change: str, cache_down: bool) -> str:
    return f"session-{change.split()[0]}-{'down' if cache_down else 'up'}"


ACCOUNTS = [LOGOUT_ACCOUNT, PLANTED_ACCOUNT, SECOND_ACCOUNT] + [
    _changed_account(change, down) for change in CHANGES for down in (False, True)
]


@dataclass
class Workers:
    a: Server
    b: Server
    platform: Platform

    def browser(self, server: Server | None = None) -> Browser:
        server = server or self.a
        return Browser(server.base, secure=server.secure, address=ADDRESS)

    def replaying(self, cookies: dict[str, str], server: Server | None = None) -> Browser:
        """A browser that sends ``cookies``: a stolen or kept copy of a session."""
        browser = self.browser(server)
        browser.cookies = dict(cookies)
        return browser


def judge_signed_out(response: httpx.Response, username: str) -> tuple[str, str]:
    """Whether a stale session's dashboard request was treated as signed out."""
    if response.status_code >= 500:
        return SERVER_ERROR, str(response.status_code)
    try:
        body = response.json()
    except ValueError:
        return SERVER_ERROR, f"{response.status_code} not JSON"
    replayed = response.headers.get("x-lupi-cache") == "hit"
    if (body.get("data") or {}).get("dashboard") or replayed:
        return LEAK, f"answered {username}'s dashboard" + (" (replayed)" if replayed else "")
    if not body.get("errors"):
        return ACCEPTED, response.text[:80]
    code = (body["errors"][0].get("extensions") or {}).get("code")
    return (REJECTED if code == "UNAUTHENTICATED" else ACCEPTED), error_text(body)


def worst(verdicts: list[tuple[str, str]]) -> tuple[str, str]:
    return min(verdicts, key=lambda v: WORST_FIRST.index(v[0]))


async def _signed_out(browser: Browser, username: str) -> tuple[str, str]:
    """Ask twice: a session that ended must stay ended."""
    first = judge_signed_out(await browser.post(DASHBOARD), username)
    again = judge_signed_out(await browser.post(DASHBOARD), username)
    return worst([first, again])


async def _replayable_dashboard(browser: Browser, username: str) -> None:
    """Read the dashboard until the server replays it (the second time), so a stale replay
    would show; an error when it does not (the case could not be set up)."""
    for attempt in range(2):
        response = await browser.post(DASHBOARD)
        body = response.json()
        me = ((body.get("data") or {}).get("dashboard") or {}).get("me") or {}
        if me.get("username") != username:
            raise RuntimeError(f"{username}'s dashboard before the attack: {response.text[:200]}")
        if attempt == 1 and response.headers.get("x-lupi-cache") != "hit":
            raise RuntimeError(f"the server did not replay {username}'s repeated dashboard")


async def logout_elsewhere(workers: Workers) -> list[Outcome]:
    name = LOGOUT_ACCOUNT
    async with workers.browser() as on_a:
        await on_a.sign_in(name, PASSWORD)
        await _replayable_dashboard(on_a, name)
        async with workers.replaying(on_a.cookies, workers.b) as on_b:
            await _replayable_dashboard(on_b, name)
            kept = dict(on_b.cookies)
            answer = (await on_b.post(LOGOUT)).json()
            if (answer.get("data") or {}).get("logout") is not True:
                raise RuntimeError(f"logout failed: {answer}")
        elsewhere = await _signed_out(on_a, name)
        async with workers.replaying(kept, workers.b) as replay:
            same = await _signed_out(replay, name)
    return [
        _outcome("a logout on worker B, then the session on worker A", elsewhere),
        _outcome("a logged-out session replayed on the worker that ended it", same),
    ]


async def planted_and_rotated(workers: Workers) -> list[Outcome]:
    name = PLANTED_ACCOUNT
    planted = secrets.token_hex(16)  # a well-formed key the attacker chose
    async with workers.browser() as victim:
        await victim.csrf()
        victim.cookies["sessionid"] = planted
        await victim.sign_in(name, PASSWORD)
        first = victim.session_key
        if first == planted:
            fixation = (LEAK, "sign-in kept the planted session id")
        else:
            async with workers.replaying({"sessionid": planted}) as attacker:
                fixation = await _signed_out(attacker, name)
        await _replayable_dashboard(victim, name)
        # Signing in as someone else on the same browser (a shared machine): Django keeps
        # the key when the same account signs in again, but not across accounts.
        await victim.sign_in(SECOND_ACCOUNT, PASSWORD)
        if victim.session_key == first:
            rotated = (LEAK, "signing in as another account kept the session key")
        else:
            async with workers.replaying({"sessionid": first or ""}) as attacker:
                rotated = await _signed_out(attacker, name)
    return [
        _outcome("a session id planted before sign-in", fixation),
        _outcome("the session key from before signing in as another account", rotated),
    ]


FORGED = {
    "a forged session key": lambda: secrets.token_hex(16),
    "a session cookie of 4 kB": lambda: "a" * 4096,
    "a session cookie of path characters": lambda: "..%2F..%2Fetc%2Fpasswd",
    "an empty session cookie": lambda: '""',
}


async def forged(workers: Workers) -> list[Outcome]:
    outcomes = []
    for case, value in FORGED.items():
        async with workers.replaying({"sessionid": value()}) as browser:
            outcomes.append(_outcome(case, await _signed_out(browser, "anyone")))
    return outcomes


async def changed_elsewhere(workers: Workers) -> list[Outcome]:
    """Sign in everywhere first, change every account from operator processes (one that
    reaches the cache, one that cannot), then look at every session."""
    plans = [
        (change, down)
        for change in CHANGES
        for down in ((False, True) if workers.platform.shared_cache else (False,))
    ]
    sessions: dict[tuple[str, bool], list[Browser]] = {}
    for change, down in plans:
        name = _changed_account(change, down)
        # Two sessions of the password-changed account, one per worker: every one ends.
        servers = [workers.a, workers.b] if change == "password change" else [workers.a]
        sessions[(change, down)] = [workers.browser(server) for server in servers]
        for browser in sessions[(change, down)]:
            await browser.sign_in(name, PASSWORD)
            await _replayable_dashboard(browser, name)
    for down in (False, True):
        code = "\n".join(
            CHANGES[change].format(name=_changed_account(change, d))
            for change, d in plans
            if d == down
        )
        if code:
            await asyncio.to_thread(
                workers.platform.shell,
                "from backend.accounts.models import User\n" + code,
                cache_down=down,
            )
    outcomes = []
    for (change, down), browsers in sessions.items():
        name = _changed_account(change, down)
        verdicts = [await _signed_out(browser, name) for browser in browsers]
        for browser in browsers:
            await browser.client.aclose()
        where = " that cannot reach the cache" if down else ""
        outcomes.append(_outcome(f"a {change} made by another process{where}", worst(verdicts)))
    return outcomes


def _outcome(name: str, verdict: tuple[str, str]) -> Outcome:
    return Outcome("production", "sessions", name, *verdict)


CASES: list[Callable] = [logout_elsewhere, planted_and_rotated, forged, changed_elsewhere]


async def attack(workers: Workers) -> list[Outcome]:
    outcomes = []
    for case in CASES:
        outcomes += await case(workers)
    return outcomes
