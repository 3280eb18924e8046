"""API keys: made by the command or the admin, stored as a digest, shown once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from backend.accounts.models import User
from backend.apikeys import services
from backend.apikeys.models import ApiKey


def test_create_api_key_prints_the_key_once_and_stores_its_digest(db) -> None:
    out = io.StringIO()
    call_command("create_api_key", "feed", "--scope", "recommend", "--scope", "ingest", stdout=out)
    key = out.getvalue().strip()
    assert services.KEY_PATTERN.fullmatch(key)
    stored = ApiKey.objects.get(name="feed")
    assert stored.scopes == ["ingest", "recommend"]
    assert stored.digest == services.digest_of(key) and key not in str(stored.__dict__)
    assert services.authenticate(f"Bearer {key}") == stored


def test_create_api_key_refuses_unknown_scopes_and_names_taken(db) -> None:
    with pytest.raises(CommandError):
        call_command("create_api_key", "feed", "--scope", "everything")
    call_command("create_api_key", "feed", "--scope", "ingest", stdout=io.StringIO())
    with pytest.raises(CommandError, match="API key with this Name already exists."):
        call_command("create_api_key", "feed", "--scope", "ingest", stdout=io.StringIO())


def test_the_admin_makes_a_key_and_shows_it_once(db) -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/apikeys/apikey/add/",
        {"name": "insights-job", "scopes": ["read-insights"]},
        follow=True,
    )
    assert response.status_code == 200
    [shown] = [str(m) for m in response.context["messages"] if "shown only now" in str(m)]
    key = shown.rsplit(" ", 1)[-1]
    stored = ApiKey.objects.get(name="insights-job")
    assert stored.scopes == ["read-insights"] and stored.digest == services.digest_of(key)
    listing = client.get("/admin/apikeys/apikey/")
    assert key not in listing.content.decode()


def test_revoking_stops_a_key(db) -> None:
    api_key, key = services.issue_key("old", ["ingest"])
    services.revoke(api_key)
    with pytest.raises(services.KeyRefused, match="revoked"):
        services.authenticate(f"Bearer {key}")
