"""Sessions come from the cache, are written through to the database, and survive a cache
outage (``backend/accounts/sessions.py``)."""

from __future__ import annotations

import os

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from backend.accounts import sessions
from backend.accounts.models import User

DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: every call fails at once with a connection error.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
ME = {"query": "{ me { username } }"}
IN_PROCESS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "s"}
}


@pytest.fixture(autouse=True)
def _no_outage(monkeypatch):
    monkeypatch.setattr(sessions, "_unavailable_until", 0.0)


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="on the in-process cache, sessions are read from the database (next test)",
)
def test_a_session_is_read_from_the_cache_without_a_query(db, django_assert_num_queries) -> None:
    user = User.objects.create_user("reader", password="x" * 12)
    client = Client()
    client.force_login(user)
    store = sessions.SessionStore(client.session.session_key)
    # Loaded from the cache: no query; the user row is Django's one query per request.
    with django_assert_num_queries(0):
        assert store.load()["_auth_user_id"] == str(user.pk)
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_on_the_in_process_cache_a_session_ended_by_another_process_ends_here(db, settings) -> None:
    settings.CACHES = IN_PROCESS_CACHE
    User.objects.create_user("reader", password="x" * 12)
    client = Client()
    client.force_login(User.objects.get(username="reader"))
    response = client.post("/graphql/", ME, content_type="application/json")
    assert response.json()["data"]["me"]["username"] == "reader"
    # Another server process signs the session out: it deletes the row and its own cached
    # copy; this process's memory hears nothing of it.
    Session.objects.all().delete()
    response = client.post("/graphql/", ME, content_type="application/json")
    assert response.json()["data"]["me"] is None


def test_sign_in_and_requests_work_while_the_cache_is_down(db, settings) -> None:
    user = User.objects.create_user("reader", password="x" * 12)
    settings.CACHES = DEAD_CACHE
    client = Client()
    client.force_login(user)
    response = client.post("/graphql/", ME, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["data"]["me"]["username"] == "reader"
    assert Session.objects.count() == 1
    assert sessions._unavailable_until > 0  # the outage was noticed and is being skipped


def test_a_logout_the_cache_cannot_record_fails_instead_of_leaving_the_session(
    db, settings
) -> None:
    # With the cache down, ending a session must not look done while a copy may still sit
    # in the cache: the logout raises (and can be retried), it does not pass silently.
    user = User.objects.create_user("reader", password="x" * 12)
    settings.CACHES = DEAD_CACHE
    client = Client()
    client.force_login(user)
    sessions._failed(ConnectionError("earlier outage"))  # reads are in their back-off
    with pytest.raises(Exception) as raised:
        client.logout()
    assert isinstance(raised.value, sessions._errors())


def test_the_logout_mutation_says_when_the_session_could_not_be_ended(db, settings) -> None:
    user = User.objects.create_user("reader", password="x" * 12)
    settings.CACHES = DEAD_CACHE
    client = Client()
    client.force_login(user)
    response = client.post(
        "/graphql/", {"query": "mutation { logout }"}, content_type="application/json"
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert error["message"] == "logout: The session could not be ended just now; try again."
    # Nothing was half done: still signed in, so the sign-out can be tried again.
    again = client.post("/graphql/", ME, content_type="application/json")
    assert again.json()["data"]["me"]["username"] == "reader"
