"""Validation and database constraints of the data model."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import DEFAULT_ACCENT_COLOR, DEFAULT_FONT_SIZE, User
from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.interactions.models import Interaction, InteractionKind, NotInterested
from backend.recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def item() -> ContentItem:
    owner = User.objects.create_user("maker", password="pw-123456")
    creator = Creator.objects.create(user=owner, display_name="Maker")
    category = Category.objects.create(name="Cooking", slug="cooking")
    return ContentItem.objects.create(
        type=ContentType.BLOG, title="Bread", creator=creator, category=category
    )


def test_user_defaults() -> None:
    user = User.objects.create_user("ana", password="pw-123456")
    assert user.accent_color == DEFAULT_ACCENT_COLOR == "#1f9cee"
    assert user.font_size == DEFAULT_FONT_SIZE == 14
    assert not user.is_creator


@pytest.mark.parametrize("color", ["#1F9CEE", "#000000", "#abcdef"])
def test_valid_accent_colors(color: str) -> None:
    user = User(username="ana", accent_color=color)
    user.set_password("pw-123456")
    user.full_clean()


@pytest.mark.parametrize("color", ["1f9cee", "#1f9ce", "#1f9ceeff", "#gggggg", "red", ""])
def test_invalid_accent_colors(color: str) -> None:
    user = User(username="ana", accent_color=color, password="x")
    with pytest.raises(ValidationError) as err:
        user.full_clean()
    assert "accent_color" in err.value.message_dict


@pytest.mark.parametrize(("size", "ok"), [(9, False), (10, True), (28, True), (29, False)])
def test_font_size_bounds(size: int, ok: bool) -> None:
    user = User(username="ana", font_size=size, password="x")
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError) as err:
            user.full_clean()
        assert "font_size" in err.value.message_dict


def test_font_size_bound_holds_in_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ana", font_size=40)


def test_interests_and_creator_profile(item: ContentItem) -> None:
    user = User.objects.create_user("ben", password="pw-123456")
    tag = Tag.objects.create(name="Baking", slug="baking")
    user.interested_tags.add(tag)
    user.interested_categories.add(item.category)
    assert list(user.interested_tags.all()) == [tag]
    assert item.creator.user.is_creator


def test_content_type_choices_are_enforced_by_validation(item: ContentItem) -> None:
    item.type = "podcast-episode"
    with pytest.raises(ValidationError) as err:
        item.full_clean()
    assert "type" in err.value.message_dict


def test_not_interested_needs_exactly_one_target(item: ContentItem) -> None:
    user = User.objects.create_user("ben", password="pw-123456")
    tag = Tag.objects.create(name="Baking", slug="baking")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotInterested.objects.create(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotInterested.objects.create(user=user, tag=tag, creator=item.creator)
    NotInterested.objects.create(user=user, tag=tag)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotInterested.objects.create(user=user, tag=tag)


def test_interaction_local_hour_is_bounded(item: ContentItem) -> None:
    user = User.objects.create_user("ben", password="pw-123456")
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            user=user,
            item=item,
            kind=InteractionKind.VIEW,
            local_hour=24,
            occurred_at=timezone.now(),
        )


def test_only_one_active_model_version() -> None:
    ModelVersion.objects.create(version="a", path="a", is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.create(version="b", path="b", is_active=True)
    ModelVersion.objects.create(version="c", path="c", is_active=False)
