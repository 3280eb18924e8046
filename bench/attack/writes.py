"""Concurrent set-style writes to one account, from sessions on both workers at once.

Sixteen sessions of one account send ``setInterests`` (overlapping tag sets) or
``updatePreferences`` (colour and size together) at the same moment. A case passes
(*rejected*: the attempt to mix them failed) when the account ends in a state one of the
writers asked for, or the one it started in if every writer was refused; it is *accepted*
when it ends in a mix nobody asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from bench.attack.client import Browser
from bench.attack.platform import PASSWORD, Platform, Server
from bench.attack.verdicts import ACCEPTED, REJECTED, SERVER_ERROR, Outcome

__all__ = ["ACCOUNTS", "TAGS", "attack"]

WRITERS = 16
TAGS = WRITERS + 8
INTERESTS_ACCOUNT = "writes-interests"
PREFERENCES_ACCOUNT = "writes-preferences"
ACCOUNTS = [INTERESTS_ACCOUNT, PREFERENCES_ACCOUNT]
ADDRESS = "127.0.0.3"
SET_INTERESTS = "mutation S($t: [ID!]) { setInterests(tagIds: $t) { username } }"
SET_PREFERENCES = (
    "mutation P($c: String, $f: Int) { updatePreferences(accentColor: $c, fontSize: $f) "
    "{ username } }"
)
READ = "{ me { preferences { accentColor fontSize } interests { tags { id } } } }"


async def _sessions(username: str, servers: list[Server]) -> list[Browser]:
    browsers = []
    for k in range(WRITERS):
        server = servers[k % len(servers)]
        browser = Browser(server.base, secure=server.secure, address=ADDRESS)
        await browser.sign_in(username, PASSWORD)
        await browser.csrf()
        browsers.append(browser)
    return browsers


async def _all_at_once(browsers: list[Browser], query: str, variables: list[dict]) -> str | None:
    """Send every write together; a server error's text, or None."""
    answers = await asyncio.gather(
        *(b.post(query, v) for b, v in zip(browsers, variables, strict=True)),
        return_exceptions=True,
    )
    for answer in answers:
        if isinstance(answer, httpx.HTTPError):
            return f"no answer: {answer}"
        if isinstance(answer, BaseException):
            raise answer
        if answer.status_code >= 500:
            return f"{answer.status_code}"
    return None


def _judge(final: object, initial: object, requested: list[object], error: str | None):
    if error is not None:
        return SERVER_ERROR, error
    if final in requested or final == initial:
        return REJECTED, f"ended as writer {requested.index(final) if final in requested else '-'}"
    return ACCEPTED, f"ended in a state nobody asked for: {final}"


async def _race(
    servers: list[Server],
    account: str,
    mutation: str,
    requested: list[object],
    variables: list[dict],
    read: Callable[[Browser], Awaitable[object]],
    name: str,
) -> Outcome:
    """Every writer sends its ``mutation`` at once; the state read afterwards must be one
    writer's request (or the initial state), never a mix."""
    browsers = await _sessions(account, servers)
    try:
        initial = await read(browsers[0])
        error = await _all_at_once(browsers, mutation, variables)
        final = await read(browsers[0])
    finally:
        await asyncio.gather(*(b.client.aclose() for b in browsers))
    return Outcome("production", "writes", name, *_judge(final, initial, requested, error))


async def interests(servers: list[Server], tag_ids: list[int]) -> Outcome:
    requested = [frozenset(tag_ids[k : k + 8]) for k in range(WRITERS)]
    variables = [{"t": [str(t) for t in sorted(tags)]} for tags in requested]
    name = f"{WRITERS} setInterests at once, overlapping tag sets"
    return await _race(servers, INTERESTS_ACCOUNT, SET_INTERESTS, requested, variables, _tags, name)


async def _tags(browser: Browser) -> frozenset[int]:
    me = (await browser.post(READ)).json()["data"]["me"]
    return frozenset(int(tag["id"]) for tag in me["interests"]["tags"])


async def preferences(servers: list[Server]) -> Outcome:
    requested = [(f"#{k:02x}{k:02x}{k:02x}", 12 + k) for k in range(WRITERS)]
    variables = [{"c": colour, "f": size} for colour, size in requested]
    name = f"{WRITERS} updatePreferences at once, colour and size together"
    return await _race(
        servers, PREFERENCES_ACCOUNT, SET_PREFERENCES, requested, variables, _preferences, name
    )


async def _preferences(browser: Browser) -> tuple[str, int]:
    preferences = (await browser.post(READ)).json()["data"]["me"]["preferences"]
    return preferences["accentColor"], preferences["fontSize"]


async def attack(a: Server, b: Server, platform: Platform) -> list[Outcome]:
    return [await interests([a, b], platform.tag_ids), await preferences([a, b])]
