"""Content services: what the catalogue shows, filtered and ordered for readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from backend.content.cards import read_cards
from backend.content.models import Category, ContentItem, Creator, Tag

if TYPE_CHECKING:  # the account model is above the catalogue; only its type is named here
    from backend.accounts.models import User

__all__ = [
    "ITEM_ORDERINGS",
    "categories",
    "creators",
    "creators_by_ids",
    "aown_creator",
    "items_by_ids",
    "own_creator",
    "published_items",
    "tag_ids_by_item",
    "tags",
]

# Every ordering ends with the primary key so that pages never overlap or skip rows.
ITEM_ORDERINGS: dict[str, tuple[str, ...]] = {
    "published_at_desc": ("-published_at", "-id"),
    "published_at_asc": ("published_at", "id"),
    "title_asc": ("title", "id"),
    "title_desc": ("-title", "-id"),
}


def published_items(
    *,
    type: str | None = None,
    category_id: int | None = None,
    tag_id: int | None = None,
    creator_id: int | None = None,
    ordering: str = "published_at_desc",
) -> QuerySet[ContentItem]:
    """Items readers may see (published, not scheduled for later), filtered and ordered."""
    qs = ContentItem.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
    if type is not None:
        qs = qs.filter(type=type)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if tag_id is not None:
        qs = qs.filter(tags__id=tag_id)
    if creator_id is not None:
        qs = qs.filter(creator_id=creator_id)
    return qs.order_by(*ITEM_ORDERINGS[ordering])


def tags() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("name")


def creators() -> QuerySet[Creator]:
    return Creator.objects.all()


def own_creator(user: User) -> Creator | None:
    """The creator profile of ``user``, or ``None``: no query when the account was loaded
    with it, as the session's account is (``backend/accounts/backends.py``)."""
    try:
        return user.creator_profile
    except Creator.DoesNotExist:
        return None


async def aown_creator(user: User) -> Creator | None:
    """:func:`own_creator` on the event loop (a query only when the profile is not loaded)."""
    if type(user).creator_profile.is_cached(user):
        return own_creator(user)
    return await Creator.objects.filter(user=user).afirst()


def items_by_ids(ids: list[int]) -> dict[int, ContentItem]:
    """Published items by id, with creator and category loaded and ``item.card_tags`` set
    (``backend.content.cards``), in one query.

    The tags are read whether or not a response shows them: aggregated in the same query,
    they cost the database a subquery per card, and no round trip."""
    return {item.pk: item for item in read_cards(published_items().filter(pk__in=ids))}


def creators_by_ids(ids: list[int]) -> dict[int, Creator]:
    return {creator.pk: creator for creator in Creator.objects.filter(pk__in=ids)}


def tag_ids_by_item(ids: list[int]) -> dict[int, list[int]]:
    """The tag ids of each of ``ids`` (an item without tags maps to an empty list), in one
    query on the through table."""
    tags: dict[int, list[int]] = {i: [] for i in ids}
    for item_id, tag_id in ContentItem.tags.through.objects.filter(
        contentitem_id__in=ids
    ).values_list("contentitem_id", "tag_id"):
        tags[item_id].append(tag_id)
    return tags
