"""Upserting the platform's items and users by its own ids."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from backend.accounts.models import User
from backend.content.models import ContentItem
from backend.ingestion.catalogue import ItemRecord, UserRecord, upsert_items, upsert_users


@pytest.fixture
def users(db) -> None:
    upsert_users([UserRecord(id="maker", name="Maker")], max_batch=10)


def test_items_are_created_changed_and_withdrawn(users) -> None:
    first = upsert_items(
        [
            ItemRecord(
                id="a", title="Soup", text="Lentils and cumin.", tags=["Vegan"], creator_id="maker"
            )
        ],
        max_batch=10,
    )
    assert (first.created, first.updated) == (1, 0)
    item = ContentItem.objects.get(external_id="a")
    assert item.excerpt == "Lentils and cumin." and item.published_at is not None
    assert [t.slug for t in item.tags.all()] == ["vegan"]
    assert item.creator.display_name == "Maker"
    changed = upsert_items([ItemRecord(id="a", title="Stew", category="Cooking")], max_batch=10)
    assert (changed.created, changed.updated) == (0, 1)
    item.refresh_from_db()
    assert (item.title, item.category.name, item.tags.count()) == ("Stew", "Cooking", 1)
    gone = upsert_items([ItemRecord(id="a", deleted=True)], max_batch=10)
    assert gone.deleted == 1
    item.refresh_from_db()
    assert item.published_at is None


def test_a_bad_item_refuses_the_batch(users) -> None:
    with pytest.raises(ValidationError) as refused:
        upsert_items(
            [
                ItemRecord(id="b", title="Fine", creator_id="maker"),
                ItemRecord(id="c"),
                ItemRecord(id="bad id!", title="x", creator_id="maker"),
                ItemRecord(id="d", title="x", creator_id="stranger", type="podcast"),
            ],
            max_batch=10,
        )
    assert refused.value.message_dict == {
        "[1].title": ["A new item needs a title."],
        "[1].creator_id": ["A new item needs its creator's id."],
        "[2].id": ["Use 1 to 64 letters, digits or . _ @ + - for the platform's id."],
        "[3].creator_id": ["No platform user with id 'stranger'; upsert it first."],
        "[3].type": ["Unknown type 'podcast'; use blog, video, image, audio."],
    }
    assert not ContentItem.objects.filter(external_id="b").exists()


def test_users_get_interests_and_no_usable_password(db) -> None:
    report = upsert_users(
        [UserRecord(id="p1", interest_tags=["Jazz"], interest_categories=["Music"])],
        max_batch=10,
    )
    assert report.created == 1
    user = User.objects.get(external_id="p1")
    assert not user.has_usable_password()
    assert [t.name for t in user.interested_tags.all()] == ["Jazz"]
    upsert_users([UserRecord(id="p1", interest_tags=[])], max_batch=10)
    assert user.interested_tags.count() == 0 and user.interested_categories.count() == 1
