"""A password change, a deactivation or a deletion made by ANOTHER process (an operator's
shell, the admin, another worker) ends every session of the account at once, replayed
responses included: on the in-process cache, on Redis, and when the change is made while
the changing process cannot reach Redis.

The server is a real uvicorn process (``tests/live.py``); the change is made by a
``manage.py shell`` process on the same database.
"""

from __future__ import annotations

import os

import pytest

from tests.live import LiveServer

DASHBOARD = "query Dash { dashboard { me { username } stats { interactions } } }"
PASSWORD = "an old password 1"
CHANGES = {
    "password": "u = User.objects.get(username={name!r}); u.set_password('a new one 2'); u.save()",
    # A queryset update sends no signal: nothing but the database hears of it.
    "deactivation": "User.objects.filter(username={name!r}).update(is_active=False)",
    "deletion": "User.objects.get(username={name!r}).delete()",
}
CACHE_STATES = ["cache reachable", "cache down for the changing process"]
ON_REDIS = bool(os.environ.get("REDIS_URL"))


def _username(change: str, cache_state: str) -> str:
    return f"{change}-{'down' if 'down' in cache_state else 'up'}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("sessions"), name="sessions")
    try:
        live.manage("migrate", "-v", "0")
        names = [_username(c, s) for c in CHANGES for s in CACHE_STATES]
        live.shell(
            "from backend.accounts.models import User\n"
            f"for name in {names!r}: User.objects.create_user(name, password={PASSWORD!r})"
        )
        yield live.start()
    finally:
        live.drop()


def _dashboard(browser) -> tuple[dict, bool]:
    response = browser.post(DASHBOARD)
    assert response.status_code == 200, response.text
    return response.json(), response.headers.get("x-lupi-cache") == "hit"


@pytest.mark.parametrize("cache_state", CACHE_STATES)
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_from_another_process_ends_every_session_and_replay(
    server: LiveServer, change: str, cache_state: str
) -> None:
    if "down" in cache_state and not ON_REDIS:
        pytest.skip("the in-process cache cannot be down; this case is Redis's")
    name = _username(change, cache_state)
    browsers = [server.client(), server.client()]  # two sessions of one account
    for browser in browsers:
        browser.login(name, PASSWORD)
        first, _ = _dashboard(browser)
        assert first["data"]["dashboard"]["me"]["username"] == name
        _, hit = _dashboard(browser)
        assert hit, "the edge should replay the repeated dashboard before the change"
    # The changing process's cache is unreachable: its invalidations cannot land anywhere.
    dead = {"REDIS_URL": "redis://127.0.0.1:1/0"} if "down" in cache_state else {}
    server.shell(
        "from backend.accounts.models import User\n" + CHANGES[change].format(name=name), env=dead
    )
    for browser in browsers:
        body, hit = _dashboard(browser)
        assert not hit
        assert body["data"] is None or body["data"]["dashboard"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        # And it stays ended: the next request is not replayed either.
        again, hit_again = _dashboard(browser)
        assert not hit_again and again["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
