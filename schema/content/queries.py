"""Catalogue queries: one item, pages of items, tags, categories, a creator."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError

from backend.content import models
from backend.content import services as content_services
from schema.content.types import Category, ContentItem, ContentType, Creator, ItemOrder, Tag
from schema.context import Info
from schema.errors import input_error
from schema.ids import parse_id
from schema.pagination import Connection

__all__ = ["ContentQuery"]


def _optional_id(value: strawberry.ID | None, field: str) -> int | None:
    return None if value is None else parse_id(value, field)


@strawberry.type
class ContentQuery:
    @strawberry.field(description="One published item by id, or null when there is none.")
    async def item(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The item's id.")],
    ) -> ContentItem | None:
        try:
            pk = parse_id(id, "id")
        except ValidationError as exc:
            raise input_error(exc) from None
        return await info.context.loaders.content_item_by_id.load(pk)

    @strawberry_django.connection(
        Connection[ContentItem],
        description=(
            "Published items, filtered and sorted, one page at a time. Filters combine "
            "with AND; an unknown id in a filter gives an empty page."
        ),
    )
    def items(
        self,
        type: Annotated[
            ContentType | None, strawberry.argument(description="Only items of this kind.")
        ] = None,
        category_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only items in this category.")
        ] = None,
        tag_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only items with this tag.")
        ] = None,
        creator_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only items by this creator.")
        ] = None,
        order_by: Annotated[
            ItemOrder, strawberry.argument(description="Sort order; newest first by default.")
        ] = ItemOrder.PUBLISHED_AT_DESC,
    ) -> Iterable[models.ContentItem]:
        try:
            filters = {
                "category_id": _optional_id(category_id, "categoryId"),
                "tag_id": _optional_id(tag_id, "tagId"),
                "creator_id": _optional_id(creator_id, "creatorId"),
            }
        except ValidationError as exc:
            raise input_error(exc) from None
        return content_services.published_items(
            type=None if type is None else type.value, ordering=order_by.value, **filters
        )

    @strawberry_django.field(description="Every tag, sorted by name.")
    def tags(self) -> list[Tag]:
        return content_services.tags()

    @strawberry_django.field(description="Every category, sorted by name.")
    def categories(self) -> list[Category]:
        return content_services.categories()

    @strawberry.field(description="One creator's public profile by id, or null.")
    async def creator(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The creator's id.")],
    ) -> Creator | None:
        try:
            pk = parse_id(id, "id")
        except ValidationError as exc:
            raise input_error(exc) from None
        return await info.context.loaders.creator_by_id.load(pk)
