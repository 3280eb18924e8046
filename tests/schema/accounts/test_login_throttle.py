"""Failed sign-ins lock the account and the address for a while (``backend/throttle.py``),
on whichever cache the suite runs with."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from tests.schema.conftest import PASSWORD, GraphQL, make_user

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"


def attempt(gql: GraphQL, username: str, password: str) -> dict:
    return gql(LOGIN, {"u": username, "p": password})


def from_address(address: str) -> GraphQL:
    return GraphQL(Client(enforce_csrf_checks=True, REMOTE_ADDR=address))


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 100
    settings.LOGIN_LOCKOUT_SECONDS = 900
    return settings


def test_an_account_is_locked_after_its_failures_even_for_the_right_password(
    gql: GraphQL, limits
) -> None:
    make_user("target")
    for _ in range(3):
        result = attempt(gql, "target", "wrong guess")
        assert result["errors"][0]["message"] == "password: Wrong username or password."
    locked = attempt(gql, "target", PASSWORD)
    assert locked["data"] is None
    error = locked["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 890 <= error["extensions"]["retryAfter"] <= 900
    assert error["message"] == (
        f"login: Too many failed sign-ins; try again in {error['extensions']['retryAfter']} "
        "seconds."
    )
    # From another address too: the lock is the account's. The username's case does not help.
    assert (
        from_address("10.0.0.9")(LOGIN, {"u": "TARGET", "p": PASSWORD})["errors"][0]["extensions"][
            "code"
        ]
        == "RATE_LIMITED"
    )
    # Another account is not locked.
    make_user("bystander")
    assert attempt(gql, "bystander", PASSWORD)["data"]["login"]["username"] == "bystander"


def test_a_success_clears_the_account_count(gql: GraphQL, limits) -> None:
    make_user("forgetful")
    for _ in range(2):
        attempt(gql, "forgetful", "wrong guess")
    assert attempt(gql, "forgetful", PASSWORD)["data"]["login"]["username"] == "forgetful"
    for _ in range(2):
        attempt(gql, "forgetful", "wrong guess")
    assert attempt(gql, "forgetful", PASSWORD)["data"]["login"]["username"] == "forgetful"


def test_an_address_is_locked_after_failures_across_accounts(db, settings) -> None:
    settings.LOGIN_FAILURES_PER_ACCOUNT = 100
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    make_user("real")
    sprayer = from_address("203.0.113.7")
    for name in ("alice", "bob", "carol"):  # a password spray: one guess per account
        assert "errors" in sprayer(LOGIN, {"u": name, "p": "Winter2026"})
    refused = sprayer(LOGIN, {"u": "real", "p": PASSWORD})
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    other = from_address("198.51.100.1")
    assert other(LOGIN, {"u": "real", "p": PASSWORD})["data"]["login"]["username"] == "real"


def test_the_lock_expires(gql: GraphQL, limits) -> None:
    limits.LOGIN_LOCKOUT_SECONDS = 1
    make_user("patient")
    for _ in range(3):
        attempt(gql, "patient", "wrong guess")
    assert attempt(gql, "patient", PASSWORD)["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    time.sleep(2.1)  # well past the one-second lock and count (cache expiry, not a race)
    assert attempt(gql, "patient", PASSWORD)["data"]["login"]["username"] == "patient"
