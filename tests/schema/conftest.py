"""Small factories and an HTTP helper for the GraphQL tests (no seed data needed)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

import gnn
from backend.accounts.models import User
from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.demo.generator import seed_demo
from backend.recommendations import impressions
from backend.recommendations.registry import registry
from backend.recommendations.training import run_training

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(username: str | None = None, **fields: Any) -> User:
    username = username or f"user{next(_seq)}"
    return User.objects.create_user(username=username, password=PASSWORD, **fields)


def make_creator(name: str | None = None, user: User | None = None) -> Creator:
    number = next(_seq)
    user = user or make_user(f"creator{number}")
    return Creator.objects.create(user=user, display_name=name or f"Creator {number}")


def make_tag(name: str | None = None) -> Tag:
    name = name or f"tag {next(_seq)}"
    return Tag.objects.create(name=name, slug=name.replace(" ", "-"))


def make_category(name: str | None = None) -> Category:
    name = name or f"category {next(_seq)}"
    return Category.objects.create(name=name, slug=name.replace(" ", "-"))


def make_item(
    creator: Creator,
    *,
    title: str | None = None,
    type: str = ContentType.BLOG,
    category: Category | None = None,
    tags: list[Tag] = (),
    days_ago: float = 1,
    published: bool = True,
) -> ContentItem:
    item = ContentItem.objects.create(
        creator=creator,
        title=title or f"Item {next(_seq)}",
        excerpt="A short excerpt.",
        body="The body.",
        image_url="https://example.com/cover.jpg",
        type=type,
        category=category,
        published_at=timezone.now() - timedelta(days=days_ago) if published else None,
    )
    if tags:
        item.tags.set(tags)
    return item


class GraphQL:
    """Posts operations to /graphql/ as JSON, like the SPA does."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def csrf_token(self) -> str:
        if "csrftoken" not in self.client.cookies:
            self.client.get("/graphql/", {"query": "{ __typename }"})
        return self.client.cookies["csrftoken"].value

    def post(self, query: str, variables: dict | None = None, *, csrf: bool = True):
        headers = {"HTTP_X_CSRFTOKEN": self.csrf_token()} if csrf else {}
        return self.client.post(
            "/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
            **headers,
        )

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        response = self.post(query, variables)
        assert response.status_code == 200, response.content
        return response.json()

    def login(self, user: User) -> None:
        self.client.force_login(user)


def error_messages(result: dict) -> list[str]:
    return [error["message"] for error in result.get("errors", [])]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Real hashers are slow on purpose; these tests check the API, not the hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def gql(db) -> GraphQL:
    return GraphQL(Client(enforce_csrf_checks=True))


@pytest.fixture
def catalogue(db) -> dict[str, Any]:
    """Two creators, three tags, two categories, six published items and one draft."""
    cooking, music = make_category("cooking"), make_category("music")
    vegan, jazz, quick = make_tag("vegan"), make_tag("jazz"), make_tag("quick")
    alice = make_creator("Alice")
    bob = make_creator("Bob")
    items = [
        make_item(alice, title="Lentil soup", category=cooking, tags=[vegan, quick], days_ago=1),
        make_item(alice, title="Bean stew", category=cooking, tags=[vegan], days_ago=2),
        make_item(
            alice, title="Knife skills", type=ContentType.VIDEO, category=cooking, days_ago=3
        ),
        make_item(bob, title="Blue notes", type=ContentType.AUDIO, category=music, tags=[jazz]),
        make_item(bob, title="Album art", type=ContentType.IMAGE, category=music, days_ago=5),
        make_item(bob, title="Chord charts", category=music, tags=[jazz, quick], days_ago=6),
    ]
    draft = make_item(bob, title="Unreleased", published=False)
    return {
        "categories": {"cooking": cooking, "music": music},
        "tags": {"vegan": vegan, "jazz": jazz, "quick": quick},
        "creators": {"alice": alice, "bob": bob},
        "items": items,
        "draft": draft,
    }


@pytest.fixture
def user(db) -> User:
    return make_user("reader")


@pytest.fixture
def other_user(db) -> User:
    return make_user("someone-else")


# Recent enough that the demo's items count as published and its history as lately.
NOW = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def served(db, tmp_path: Path, settings) -> dict[str, User]:
    """Seed a small platform, train and promote a model, and return the demo accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(seed=11, users=60, items=150, now=NOW)
    config = gnn.TrainConfig(emb_dim=16, rank_grid=(16, 32), seed=1)
    run_training(config, progress=False, artifact_dir=tmp_path, build_atlas=False)
    registry.reset()
    yield {
        "demo": User.objects.get(username="demo"),
        "creator": User.objects.get(username="creator"),
    }
    impressions.flush()
    registry.reset()
