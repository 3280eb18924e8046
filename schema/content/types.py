"""GraphQL types of the catalogue: items, creators, tags and categories."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import strawberry
import strawberry_django
from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from strawberry import auto

from backend.content import models
from backend.content import services as content_services
from backend.content.covers import cover_url
from schema.pagination import Connection

__all__ = ["Category", "ContentItem", "ContentType", "Creator", "ItemOrder", "Tag"]

ContentType = strawberry.enum(
    Enum("ContentType", {choice.name: choice.value for choice in models.ContentType}),
    description="Kind of content: blog post, video, image or audio.",
)


@strawberry.enum(description="How a list of items is sorted.")
class ItemOrder(Enum):
    PUBLISHED_AT_DESC = "published_at_desc"
    PUBLISHED_AT_ASC = "published_at_asc"
    TITLE_ASC = "title_asc"
    TITLE_DESC = "title_desc"


@strawberry_django.type(models.Tag, description="A free label on items, e.g. `vegan`.")
class Tag:
    id: strawberry.ID
    name: auto
    slug: auto


@strawberry_django.type(
    models.Category, description="A top-level section of the catalogue, e.g. Cooking."
)
class Category:
    id: strawberry.ID
    name: auto
    slug: auto


@strawberry_django.type(
    models.Creator,
    description="Someone who publishes items. Only the public profile is shown here.",
)
class Creator:
    id: strawberry.ID
    display_name: auto
    bio: auto

    @strawberry_django.connection(
        Connection["ContentItem"],
        description="This creator's published items, newest first unless `orderBy` says so.",
    )
    def items(
        self,
        root: strawberry.Parent[models.Creator],
        order_by: ItemOrder = ItemOrder.PUBLISHED_AT_DESC,
    ) -> Iterable[models.ContentItem]:
        return content_services.published_items(creator_id=root.pk, ordering=order_by.value)


async def _image_url(root: strawberry.Parent[models.ContentItem]) -> str:
    # The item's own image, or the cover the project draws for it: never an outside one
    # the item did not name. A coroutine, not a function: strawberry-django runs a sync
    # resolver in a worker thread under ASGI, a thread hop per item of a page for a string
    # built in memory.
    return cover_url(root.pk, root.image_url)


async def _tags(root: strawberry.Parent[models.ContentItem]) -> list[models.Tag]:
    # Cards read by id carry their tags (backend.content.cards); a page's items have them
    # prefetched by the optimizer, and reading a prefetched relation makes no query, so it
    # needs no thread hop; anything else Django refuses on the event loop (before any
    # query), and it is read off the loop.
    carried = getattr(root, "card_tags", None)
    if carried is not None:
        return carried
    try:
        return list(root.tags.all())
    except SynchronousOnlyOperation:
        return await sync_to_async(list)(root.tags.all())


@strawberry_django.type(
    models.ContentItem, description="One piece of published content: a blog post, video, ..."
)
class ContentItem:
    id: strawberry.ID
    type: ContentType = strawberry_django.field(description="Kind of content.")
    title: auto
    excerpt: auto
    body: auto
    image_url: str = strawberry_django.field(
        resolver=_image_url, only=["image_url"], description="Cover image."
    )
    published_at: auto
    creator: Creator = strawberry_django.field(description="Who published it.")
    category: Category | None = strawberry_django.field(description="Section of the catalogue.")
    tags: list[Tag] = strawberry_django.field(
        resolver=_tags, prefetch_related=["tags"], description="Labels, sorted by name."
    )
