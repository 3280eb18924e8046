"""Ingestion: the platform's feedback, items and users, sent with an API key that has the
``ingest`` scope. Each mutation takes a batch (at most ``LUPI_INGEST_MAX_BATCH``) and is
all or nothing: one bad entry refuses the batch with a ``BAD_USER_INPUT`` error whose
``extensions.fields`` lists every problem by position (``events[3].itemId``)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError

from backend.apikeys.models import Scope
from backend.ingestion import catalogue, events
from schema import limits
from schema.context import Info
from schema.errors import input_error
from schema.ingestion.types import (
    IngestResult,
    ItemUpsertInput,
    PlatformEventInput,
    UpsertResult,
    UserUpsertInput,
)
from schema.permissions import key_with

__all__ = ["IngestionMutation"]

IngestKey = key_with(Scope.INGEST)


def _oversized(size: int, what: str) -> None:
    # Refused before any entry is read.
    if size > limits.INGEST_MAX_BATCH:
        raise ValidationError(
            {"": [f"Send at most {limits.INGEST_MAX_BATCH} {what} at once; got {size}."]}
        )


def _event(entry: PlatformEventInput) -> events.PlatformEvent:
    context = entry.context
    return events.PlatformEvent(
        idempotency_key=entry.idempotency_key,
        user_id=entry.user_id,
        item_id=entry.item_id,
        kind=entry.kind.value,
        value=entry.value,
        occurred_at=entry.occurred_at,
        device=context.device if context else "",
        timezone=context.timezone if context else "",
        local_hour=context.local_hour if context else None,
        request_id=entry.request_id or "",
        position=entry.position,
    )


def _item(entry: ItemUpsertInput) -> catalogue.ItemRecord:
    return catalogue.ItemRecord(
        id=entry.id,
        title=entry.title,
        text=entry.text,
        type=entry.type.value if entry.type is not None else None,
        tags=entry.tags,
        category=entry.category,
        creator_id=entry.creator_id,
        creator_name=entry.creator_name,
        published_at=entry.published_at,
        deleted=entry.deleted,
    )


def _user(entry: UserUpsertInput) -> catalogue.UserRecord:
    return catalogue.UserRecord(
        id=entry.id,
        name=entry.name,
        interest_tags=entry.interest_tags,
        interest_categories=entry.interest_categories,
    )


@strawberry.type
class IngestionMutation:
    @strawberry.mutation(
        permission_classes=[IngestKey],
        description="Record the platform's feedback events, for any of its users (API key "
        "with the ingest scope). All or nothing; an event whose idempotency key is stored is "
        "skipped, so a batch may be sent again.",
    )
    async def ingest_events(
        self,
        info: Info,
        events_: Annotated[
            list[PlatformEventInput],
            strawberry.argument(name="events", description="The events, oldest first."),
        ],
    ) -> IngestResult:
        try:
            _oversized(len(events_), "events")
            report = await sync_to_async(events.ingest_events)(
                [_event(e) for e in events_], max_batch=limits.INGEST_MAX_BATCH
            )
        except ValidationError as exc:
            raise input_error(exc, "events") from None
        return IngestResult(
            received=report.received, written=report.written, duplicates=report.duplicates
        )

    @strawberry.mutation(
        permission_classes=[IngestKey],
        description="Create or change the platform's items by its ids, or withdraw them "
        "(API key with the ingest scope). A new item is recommended at once, placed by its "
        "content; a withdrawn one leaves every list. All or nothing.",
    )
    async def upsert_items(
        self,
        info: Info,
        items: Annotated[list[ItemUpsertInput], strawberry.argument(description="The items.")],
    ) -> UpsertResult:
        try:
            _oversized(len(items), "items")
            report = await sync_to_async(catalogue.upsert_items)(
                [_item(i) for i in items], max_batch=limits.INGEST_MAX_BATCH
            )
        except ValidationError as exc:
            raise input_error(exc, "items") from None
        return UpsertResult(created=report.created, updated=report.updated, deleted=report.deleted)

    @strawberry.mutation(
        permission_classes=[IngestKey],
        description="Create or change the platform's users and their declared interests by "
        "its ids (API key with the ingest scope). All or nothing.",
    )
    async def upsert_users(
        self,
        info: Info,
        users: Annotated[list[UserUpsertInput], strawberry.argument(description="The users.")],
    ) -> UpsertResult:
        try:
            _oversized(len(users), "users")
            report = await sync_to_async(catalogue.upsert_users)(
                [_user(u) for u in users], max_batch=limits.INGEST_MAX_BATCH
            )
        except ValidationError as exc:
            raise input_error(exc, "users") from None
        return UpsertResult(created=report.created, updated=report.updated, deleted=0)
