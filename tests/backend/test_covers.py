"""Covers drawn by the project: /covers/<id>.svg, and GraphQL's imageUrl pointing there."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.content.covers import COVER_MAX_AGE, cover_svg, cover_url
from backend.content.models import Category, ContentItem, Creator

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _item(title="Why ramen matters", type="video", published=True, image_url=""):
    user = User.objects.create(username=f"c{ContentItem.objects.count()}")
    creator = Creator.objects.create(user=user, display_name="Maya Okafor")
    category, _ = Category.objects.get_or_create(name="Cooking", slug="cooking")
    return ContentItem.objects.create(
        title=title,
        type=type,
        creator=creator,
        category=category,
        image_url=image_url,
        published_at=timezone.now() - timedelta(days=1) if published else None,
    )


def test_a_published_item_has_a_cacheable_svg_cover(client):
    item = _item()
    response = client.get(f"/covers/{item.pk}.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Cache-Control"] == f"public, max-age={COVER_MAX_AGE}"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}text").text == "WR"  # the title's initials
    # Nothing is loaded from anywhere: no links, images or font files.
    assert b"href" not in response.content and b"url(http" not in response.content
    again = client.get(f"/covers/{item.pk}.svg")
    assert again.content == response.content
    cached = client.get(f"/covers/{item.pk}.svg", HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304


def test_unknown_and_unpublished_items_have_no_cover(client):
    draft = _item(published=False)
    assert client.get(f"/covers/{draft.pk}.svg").status_code == 404
    assert client.get("/covers/999999.svg").status_code == 404
    assert client.get("/covers/abc.svg").status_code == 404


def test_covers_differ_by_type_category_and_item():
    base = cover_svg(1, "Why ramen matters", "video", "Cooking")
    assert cover_svg(1, "Why ramen matters", "video", "Cooking") == base
    assert cover_svg(1, "Why ramen matters", "audio", "Cooking") != base
    assert cover_svg(1, "Why ramen matters", "video", "Travel") != base
    assert cover_svg(2, "Why ramen matters", "video", "Cooking") != base
    for kind in ("blog", "video", "image", "audio"):
        ET.fromstring(cover_svg(3, 'Title with <markup> & "quotes"', kind, "Books"))


def test_graphql_image_url_is_the_project_cover_unless_the_item_has_its_own(client):
    drawn = _item()
    own = _item(title="Own image", image_url="https://images.example.com/own.jpg")
    assert cover_url(drawn.pk) == f"/covers/{drawn.pk}.svg"
    query = "{ items(first: 10) { edges { node { id imageUrl } } } }"
    response = client.post(
        "/graphql/", json.dumps({"query": query}), content_type="application/json"
    )
    urls = {
        e["node"]["id"]: e["node"]["imageUrl"] for e in response.json()["data"]["items"]["edges"]
    }
    assert urls == {str(drawn.pk): f"/covers/{drawn.pk}.svg", str(own.pk): own.image_url}
