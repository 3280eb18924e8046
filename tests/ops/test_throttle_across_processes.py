"""The throttles live in the shared cache: failures counted by one server process lock the
account for every other process on the same Redis."""

from __future__ import annotations

import os

import pytest

from backend import throttle
from tests.live import LiveServer

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the in-process cache is one process's own"
)


def test_failures_on_one_process_lock_the_account_everywhere(tmp_path, settings) -> None:
    server = LiveServer(tmp_path, name="throttle", env={"LOGIN_FAILURES_PER_ACCOUNT": "3"})
    try:
        server.manage("migrate", "-v", "0")
        server.shell(
            "from backend.accounts.models import User; "
            "User.objects.create_user('shared-target', password='the right one 1')"
        )
        server.start()
        browser = server.client()
        for _ in range(3):
            body = browser.login("shared-target", "wrong guess").json()
            assert body["errors"][0]["message"] == "password: Wrong username or password."
        body = browser.login("shared-target", "the right one 1").json()
        assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    finally:
        server.drop()
    # This process (another "worker" on the same Redis) sees the lock, from any address.
    with pytest.raises(throttle.LoginLocked) as locked:
        throttle.check_login("shared-target", "192.0.2.44")
    assert 0 < locked.value.retry_after <= settings.LOGIN_LOCKOUT_SECONDS
