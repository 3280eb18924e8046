"""Password guessing and expensive-field floods against the throttles (backend/throttle.py).

The servers keep the production limits (``LOGIN_FAILURES_PER_ACCOUNT``,
``LOGIN_FAILURES_PER_ADDRESS``, the counts of ``GRAPHQL_FIELD_RATES``); only the field
rates' windows are made long (:data:`SETTINGS`), so that no case depends on how fast the
machine answers (the sign-in lock-out's window is 15 minutes already). A case passes
(*rejected*) when the throttle refuses with ``RATE_LIMITED`` and a time to retry; it is
*accepted* when the guess or the flood gets through (the right password signs in after
the guesses, or the field answers past its rate).
"""

from __future__ import annotations

import httpx

from bench.attack.client import Browser
from bench.attack.platform import PASSWORD, Platform, Server
from bench.attack.verdicts import ACCEPTED, REJECTED, SERVER_ERROR, Outcome, error_text

__all__ = ["ACCOUNTS", "CREATORS", "SETTINGS", "attack"]

# backend/settings.py's defaults, set here so the cases know them; the windows of the
# field rates are ten times the default minute.
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
FIELD_LIMIT = 60
SETTINGS = {
    "LOGIN_FAILURES_PER_ACCOUNT": str(ACCOUNT_LIMIT),
    "LOGIN_FAILURES_PER_ADDRESS": str(ADDRESS_LIMIT),
    "LOGIN_LOCKOUT_SECONDS": "900",
    "GRAPHQL_FIELD_RATES": (
        f"dashboard=120/600,recommendations=120/600,similarItems=240/600,"
        f"creatorInsights={FIELD_LIMIT}/600"
    ),
}
GUESSED = "throttle-guessed"  # the account whose password is guessed
BEHIND_ADDRESS = "throttle-address"  # signs in from an address that guessed at others
FLOODER = "throttle-flooder"  # a creator who floods their own insights
ACCOUNTS = [GUESSED, BEHIND_ADDRESS, FLOODER]
CREATORS = [FLOODER]
WRONG = "not the password"


def judge_throttled(response: httpx.Response) -> tuple[str, str]:
    if response.status_code >= 500:
        return SERVER_ERROR, str(response.status_code)
    try:
        body = response.json()
    except ValueError:
        return SERVER_ERROR, f"{response.status_code} not JSON"
    limited = [
        e
        for e in body.get("errors") or []
        if (e.get("extensions") or {}).get("code") == "RATE_LIMITED"
    ]
    if limited and (limited[0]["extensions"].get("retryAfter") or 0) > 0:
        return REJECTED, error_text({"errors": limited})
    if body.get("errors"):
        return ACCEPTED, "not throttled: " + error_text(body)
    return ACCEPTED, f"went through: {response.text[:80]}"


async def _guess(server: Server, address: str, username: str) -> None:
    async with Browser(server.base, secure=server.secure, address=address) as browser:
        body = (await browser.login(username, WRONG)).json()
    if not body.get("errors"):
        raise RuntimeError(f"a wrong password signed {username} in: {body}")


async def _sign_in(server: Server, address: str, username: str) -> httpx.Response:
    async with Browser(server.base, secure=server.secure, address=address) as browser:
        return await browser.login(username, PASSWORD)


async def guessed_account(a: Server, b: Server, platform: Platform) -> list[Outcome]:
    # Each guess from an address of its own: the account's count, not an address's.
    for k in range(ACCOUNT_LIMIT):
        await _guess(a, f"127.0.0.{11 + k}", GUESSED)
    outcomes = [
        _outcome(
            f"{ACCOUNT_LIMIT} wrong passwords for one account from as many addresses, "
            "then the right one",
            judge_throttled(await _sign_in(a, "127.0.0.19", GUESSED)),
        )
    ]
    if platform.shared_cache:  # on the in-process cache, each process counts its own
        outcomes.append(
            _outcome(
                "the right password on another worker after the lock-out",
                judge_throttled(await _sign_in(b, "127.0.0.20", GUESSED)),
            )
        )
    return outcomes


async def guessing_address(a: Server) -> list[Outcome]:
    address = "127.0.0.21"
    for k in range(ADDRESS_LIMIT):
        await _guess(a, address, f"nobody-{k}")
    verdict = judge_throttled(await _sign_in(a, address, BEHIND_ADDRESS))
    return [
        _outcome(
            f"{ADDRESS_LIMIT} wrong passwords for other accounts from one address, "
            "then a right one",
            verdict,
        )
    ]


async def flooded_field(a: Server, creator_id: int) -> list[Outcome]:
    aliases = 15  # GRAPHQL_MAX_ALIASES: the most one request may hold
    query = (
        "{ "
        + " ".join(
            f'a{k}: creatorInsights(creatorId: "{creator_id}", windowDays: 7) '
            "{ totals { views } }"
            for k in range(aliases)
        )
        + " }"
    )
    async with Browser(a.base, secure=a.secure, address="127.0.0.31") as browser:
        await browser.sign_in(FLOODER, PASSWORD)
        for _ in range(FIELD_LIMIT // aliases):  # up to the rate: answered
            body = (await browser.post(query)).json()
            if body.get("errors"):
                raise RuntimeError(f"insights within the rate refused: {error_text(body)}")
        verdict = judge_throttled(await browser.post(query))
    return [_outcome(f"{aliases} aliased insights a request, past the field's rate", verdict)]


def _outcome(name: str, verdict: tuple[str, str]) -> Outcome:
    return Outcome("production", "throttles", name, *verdict)


async def attack(a: Server, b: Server, platform: Platform) -> list[Outcome]:
    outcomes = await guessed_account(a, b, platform)
    outcomes += await guessing_address(a)
    outcomes += await flooded_field(a, platform.creators[FLOODER])
    return outcomes
