"""Keeping Lupi's catalogue and accounts in step with the platform's: upserts by the
platform's own ids (``external_id`` of items and users).

A record changes what it names and keeps the rest (``None``: unchanged; an empty list
clears tags or interests). A batch is all or nothing, checked whole before anything is
written. Writes go through the ORM, so the signals that keep served lists right fire
once per changed row: a new or edited item moves the catalogue token, which every worker
reads before placing new items with the model's content tower (no retraining); a changed
interest moves that user's cache generation.

Deleting an item withdraws it (its publish time is cleared): it leaves every served list
at once (lists kept in the cache that showed it are dropped), and its past feedback stays
with the users who gave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import Truncator, slugify

from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.interactions.services import by_index
from backend.recommendations import cache as recommendation_cache

__all__ = ["ItemRecord", "UpsertReport", "UserRecord", "upsert_items", "upsert_users"]

EXTERNAL_ID = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
TITLE_MAX = ContentItem._meta.get_field("title").max_length
EXCERPT_MAX = ContentItem._meta.get_field("excerpt").max_length
NAME_MAX = 80  # tags and categories
# Accounts made for the platform's users get this username prefix: never a person's login.
USERNAME_PREFIX = "platform-"


@dataclass(frozen=True)
class ItemRecord:
    id: str
    title: str | None = None
    text: str | None = None
    type: str | None = None
    tags: list[str] | None = None
    category: str | None = None  # a name; "" clears it
    creator_id: str | None = None  # the platform's id of the creator's user
    creator_name: str | None = None
    published_at: datetime | None = None  # None: unchanged (now, for a new item)
    deleted: bool = False


@dataclass(frozen=True)
class UserRecord:
    id: str
    name: str | None = None
    interest_tags: list[str] | None = None
    interest_categories: list[str] | None = None


@dataclass(frozen=True)
class UpsertReport:
    created: int
    updated: int
    deleted: int = 0


def _batch_errors(ids: list[str], max_batch: int, what: str) -> dict[str, list[str]]:
    if not ids:
        raise ValidationError({"": [f"Send at least one {what}."]})
    if len(ids) > max_batch:
        raise ValidationError({"": [f"Send at most {max_batch} {what}s at once; got {len(ids)}."]})
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for index, external_id in enumerate(ids):
        if not EXTERNAL_ID.fullmatch(external_id):
            errors[f"[{index}].id"] = [
                "Use 1 to 64 letters, digits or . _ @ + - for the platform's id."
            ]
        elif external_id in seen:
            errors[f"[{index}].id"] = [f"Repeats the id of entry {seen[external_id]}."]
        seen.setdefault(external_id, index)
    return errors


def _name_errors(names: list[str] | None) -> list[str]:
    return [
        f"{name!r}: use 1 to {NAME_MAX} characters with a letter or digit."
        for name in names or []
        if len(name) > NAME_MAX or not slugify(name)
    ]


def _named(model: type[Model], names: list[str]) -> dict[str, Model]:
    """The tag or category of each name (matched by slug), made when missing."""
    found: dict[str, Model] = {}
    for name in names:
        slug = slugify(name)[:NAME_MAX]
        try:
            with transaction.atomic():
                found[name], _ = model.objects.get_or_create(slug=slug, defaults={"name": name})
        except IntegrityError:  # another name with this slug, or a concurrent upsert
            found[name] = model.objects.get(slug=slug)
    return found


def _item_errors(record: ItemRecord, exists: bool, creators: set[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if record.deleted:
        return errors
    if not exists and not record.title:
        errors["title"] = ["A new item needs a title."]
    if record.title is not None and not 0 < len(record.title) <= TITLE_MAX:
        errors["title"] = [f"Use 1 to {TITLE_MAX} characters."]
    if not exists and record.creator_id is None:
        errors["creator_id"] = ["A new item needs its creator's id."]
    if record.creator_id is not None and record.creator_id not in creators:
        errors["creator_id"] = [f"No platform user with id {record.creator_id!r}; upsert it first."]
    if record.type is not None and record.type not in ContentType.values:
        errors["type"] = [f"Unknown type {record.type!r}; use {', '.join(ContentType.values)}."]
    if tag_errors := _name_errors(record.tags):
        errors["tags"] = tag_errors
    if record.category and (category_errors := _name_errors([record.category])):
        errors["category"] = category_errors
    return errors


def _apply_item(item: ContentItem, record: ItemRecord, creators: dict[str, Creator], now) -> None:
    if record.title is not None:
        item.title = record.title
    if record.text is not None:
        item.body = record.text
        # The content tower reads the title and the excerpt: the text's opening.
        item.excerpt = Truncator(record.text).chars(EXCERPT_MAX)
    if record.type is not None:
        item.type = record.type
    elif item.pk is None:
        item.type = ContentType.BLOG
    if record.creator_id is not None:
        item.creator = creators[record.creator_id]
    if record.category is not None:
        item.category = (
            _named(Category, [record.category])[record.category] if record.category else None
        )
    if record.published_at is not None:
        item.published_at = record.published_at
    elif item.pk is None:
        item.published_at = now


def _creators(records: list[ItemRecord]) -> dict[str, Creator]:
    """The creator profile of each named platform user, made when the user has none."""
    wanted = {r.creator_id: r.creator_name for r in records if r.creator_id is not None}
    users = (
        get_user_model().objects.filter(external_id__in=wanted).select_related("creator_profile")
    )
    creators: dict[str, Creator] = {}
    for user in users:
        name = wanted[user.external_id]
        creator = Creator.objects.filter(user=user).first()
        if creator is None:
            creator = Creator.objects.create(
                user=user, display_name=name or user.first_name or user.external_id
            )
        elif name and creator.display_name != name:
            creator.display_name = name
            creator.save(update_fields=["display_name"])
        creators[user.external_id] = creator
    return creators


def upsert_items(records: list[ItemRecord], *, max_batch: int) -> UpsertReport:
    """Create, change or withdraw each item, all in one transaction or none of them."""
    errors = _batch_errors([r.id for r in records], max_batch, "item")
    existing = {
        i.external_id: i
        for i in ContentItem.objects.filter(external_id__in=[r.id for r in records])
    }
    known_users = set(
        get_user_model()
        .objects.filter(external_id__in={r.creator_id for r in records if r.creator_id})
        .values_list("external_id", flat=True)
    )
    for index, record in enumerate(records):
        for field, messages in _item_errors(record, record.id in existing, known_users).items():
            errors[f"[{index}].{field}"] = messages
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=by_index)))
    created = updated = 0
    withdrawn: list[int] = []
    now = timezone.now()
    with transaction.atomic():
        creators = _creators(records)
        for record in records:
            item = existing.get(record.id)
            if record.deleted:
                if item is not None and item.published_at is not None:
                    item.published_at = None
                    item.save(update_fields=["published_at", "updated_at"])
                    withdrawn.append(item.pk)
                continue
            if item is None:
                item = ContentItem(external_id=record.id)
                created += 1
            else:
                updated += 1
            _apply_item(item, record, creators, now)
            item.save()
            if record.tags is not None:
                item.tags.set(_named(Tag, record.tags).values())
        recommendation_cache.invalidate_shown(withdrawn)
    return UpsertReport(created=created, updated=updated, deleted=len(withdrawn))


def upsert_users(records: list[UserRecord], *, max_batch: int) -> UpsertReport:
    """Create or change each platform user, all in one transaction or none of them."""
    User = get_user_model()
    errors = _batch_errors([r.id for r in records], max_batch, "user")
    for index, record in enumerate(records):
        if (
            record.name is not None
            and len(record.name) > User._meta.get_field("first_name").max_length
        ):
            errors[f"[{index}].name"] = ["The name is too long."]
        for field, names in (
            ("interest_tags", record.interest_tags),
            ("interest_categories", record.interest_categories),
        ):
            if name_errors := _name_errors(names):
                errors[f"[{index}].{field}"] = name_errors
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=by_index)))
    existing = {
        u.external_id: u for u in User.objects.filter(external_id__in=[r.id for r in records])
    }
    created = updated = 0
    with transaction.atomic():
        for record in records:
            user = existing.get(record.id)
            if user is None:
                user = User(username=USERNAME_PREFIX + record.id, external_id=record.id)
                # The platform signs its people in; Lupi never does.
                user.set_unusable_password()
                created += 1
            else:
                updated += 1
            if record.name is not None:
                user.first_name = record.name
            user.save()
            if record.interest_tags is not None:
                user.interested_tags.set(_named(Tag, record.interest_tags).values())
            if record.interest_categories is not None:
                user.interested_categories.set(
                    _named(Category, record.interest_categories).values()
                )
    return UpsertReport(created=created, updated=updated)
