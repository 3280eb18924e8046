"""The hostile requests: malformed bodies, fragment bombs, cost and alias abuse, bad
cursors and ids, NUL and lone surrogates. Each is one POST to ``/graphql/``; a clean
answer is a JSON body with errors (see :mod:`bench.attack.verdicts`)."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass

import httpx

from bench.attack.client import Browser, operation
from bench.attack.platform import PASSWORD
from bench.attack.verdicts import Outcome, judge_answer

# The account the signed-in requests use (a creator, for the insight cases).
ATTACKER = "attacker"

TOTALS = "totals { views }"


@dataclass(frozen=True)
class Attack:
    name: str
    body: bytes
    content_type: str = "application/json"
    signed_in: bool = False


def doubling(levels: int) -> str:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {chain} fragment F{levels} on Query {{ __typename }}"


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def fragment_attacks() -> list[Attack]:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(240))
    return [
        Attack("fragments doubling 30 levels", operation(doubling(30))),
        Attack("fragments doubling 20 levels", operation(doubling(20))),
        Attack("fragments doubling 10 levels", operation(doubling(10))),
        Attack(
            "chain of 240 fragments",
            operation(f"{{ ...F0 }} {chain} fragment F240 on Query {{ __typename }}"),
        ),
        Attack("fragment cycle", operation("{ ...A } fragment A on Query { ...A }")),
        Attack(
            "fragment cycle via another",
            operation("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
        ),
        Attack("undefined fragment", operation("{ ...Nope }")),
        Attack("undefined fragment inline", operation("{ ... on Query { ...Nope } }")),
        Attack(
            "15 aliased year-long insights",
            operation(
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
            operation(
                "{ "
                + " ".join(
                    f"a{i}: recommendations(first: 100) {{ items {{ score item {{ title }} }} }}"
                    for i in range(15)
                )
                + " }"
            ),
        ),
        Attack("nested connections", operation(_nested_connections(6))),
        Attack("one field 300 times", operation("{ " + "tags { id } " * 300 + "}")),
        Attack(
            "repeats multiplied by merging",
            operation(
                "{ "
                + " ".join(["items(first: 1) { " + "edges { node { id } } " * 5 + "}"] * 5)
                + " }"
            ),
        ),
        Attack(
            "too many aliases",
            operation("{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"),
        ),
        Attack("too many tokens", operation("{ tags { " + "id " * 5000 + "} }")),
        Attack(
            "too deep",
            operation(
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
        Attack("body of 1 MB", operation("{ __typename }" + " " * 1_000_000)),
        Attack("multipart without boundary", b"--x\r\n\r\n", "multipart/form-data"),
        Attack("multipart with boundary", b"--x--\r\n", "multipart/form-data; boundary=x"),
        Attack("form body", b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        Attack("batch", b'[{"query": "{ __typename }"}]'),
        Attack("query not a string", b'{"query": 7}'),
        Attack("variables not an object", b'{"query": "{ __typename }", "variables": [1]}'),
    ]


def input_attacks(creator_id: int = 1) -> list[Attack]:
    page = "query P($c: String) { items(first: 2, after: $c) { totalCount } }"
    one = "query I($id: ID!) { item(id: $id) { id } }"
    login = 'mutation L($u: String!) { login(username: $u, password: "x") { username } }'
    device = (
        "mutation R($d: String) { recordInteraction(input: "
        '{itemId: "1", kind: LIKE, context: {device: $d}}) { id } }'
    )
    return [
        Attack(
            "cursor offset 10^22", operation(page, {"c": _cursor("arrayconnection:" + "9" * 23)})
        ),
        Attack("cursor offset 2^63", operation(page, {"c": _cursor(f"arrayconnection:{2**63}")})),
        Attack("cursor offset negative", operation(page, {"c": _cursor("arrayconnection:-10")})),
        Attack("cursor not base64", operation(page, {"c": "!!!"})),
        Attack("cursor without prefix", operation(page, {"c": _cursor("3")})),
        Attack("first negative", operation("{ items(first: -1) { totalCount } }")),
        Attack("last without before", operation("{ items(last: 3) { totalCount } }")),
        Attack("first beyond 32 bits", operation("{ items(first: 99999999999) { totalCount } }")),
        Attack("id 2^63", operation(one, {"id": str(2**63)})),
        Attack("id negative", operation(one, {"id": "-1"})),
        Attack("id of 400 digits", operation(one, {"id": "9" * 400})),
        Attack("id in Arabic digits", operation(one, {"id": "\u0661\u0662"})),
        Attack("NUL in username", operation(login, {"u": "de\x00mo"})),
        Attack("lone surrogate in username", operation(login, {"u": "de\ud800mo"})),
        Attack(
            "NUL in a string literal",
            operation('mutation { login(username: "a\\u0000", password: "x") { username } }'),
        ),
        Attack("lone surrogate in the document", operation('{ item(id: "\ud800") { id } }')),
        Attack("unknown field near a hidden one", operation("{ cacheStat { hits } }")),
        Attack("unknown argument", operation("{ items(firs: 2) { totalCount } }")),
        Attack(
            "category ids 2^63",
            operation(f'{{ recommendations(filters: {{categoryIds: ["{2**63}"]}}) {{ method }} }}'),
            signed_in=True,
        ),
        Attack("NUL in device", operation(device, {"d": "phone\x00"}), signed_in=True),
        Attack("lone surrogate in device", operation(device, {"d": "\udfff"}), signed_in=True),
        Attack(
            "window of 10^6 days",
            operation(
                f'{{ creatorInsights(creatorId: "{creator_id}", windowDays: 1000000) '
                "{ windowDays } }"
            ),
            signed_in=True,
        ),
    ]


def all_attacks(creator_id: int = 1) -> list[Attack]:
    """Every hostile request; ``creator_id`` is the signed-in attacker's own creator."""
    return fragment_attacks() + body_attacks() + input_attacks(creator_id)


async def attack(
    base: str, settings: str, creator_id: int, bound: float
) -> tuple[list[Outcome], float | None]:
    """Every hostile request against one server, then an unrelated request sent while a
    fragment bomb is answered: the outcomes, and how long the unrelated one waited (ms).

    An answer later than ``bound`` seconds counts as a server error (no answer).
    """
    secure = settings == "production"
    outcomes = []
    async with (
        Browser(base, secure=secure, timeout=bound * 4) as anonymous,
        Browser(base, secure=secure, timeout=bound * 4) as signed_in,
    ):
        await anonymous.csrf()
        await signed_in.sign_in(ATTACKER, PASSWORD)
        for hostile in all_attacks(creator_id):
            browser = signed_in if hostile.signed_in else anonymous
            started = time.perf_counter()
            try:
                response = await browser.request("POST", hostile.body, hostile.content_type)
            except httpx.HTTPError:
                response = None
            elapsed = time.perf_counter() - started
            verdict, detail = judge_answer(response, settings, elapsed, bound)
            outcomes.append(
                Outcome(settings, "requests", hostile.name, verdict, detail, elapsed * 1000)
            )
        waited = await unrelated_during_bomb(anonymous)
    return outcomes, waited


async def unrelated_during_bomb(browser: Browser) -> float | None:
    """Milliseconds an unrelated request waits while a fragment bomb is being answered."""
    bomb = asyncio.create_task(browser.request("POST", operation(doubling(30))))
    await asyncio.sleep(0)
    started = time.perf_counter()
    try:
        await browser.request("POST", operation("{ __typename }"))
    except httpx.HTTPError:
        return None
    finally:
        await asyncio.gather(bomb, return_exceptions=True)
    return (time.perf_counter() - started) * 1000
