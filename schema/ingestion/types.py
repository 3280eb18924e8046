"""GraphQL types of ingestion: what a platform sends with an API key (ingest scope)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.content.types import ContentType
from schema.interactions.types import InteractionContextInput, InteractionKind

__all__ = [
    "IngestResult",
    "ItemUpsertInput",
    "PlatformEventInput",
    "UpsertResult",
    "UserUpsertInput",
]


@strawberry.input(description="One act of a platform user on an item, named by the platform's ids.")
class PlatformEventInput:
    idempotency_key: str = strawberry.field(
        description="The platform's id of this event (1..128 characters): an event whose key "
        "is already stored is skipped, so a batch may be sent again safely."
    )
    user_id: str = strawberry.field(description="The platform's id of the user.")
    item_id: str = strawberry.field(description="The platform's id of the item.")
    kind: InteractionKind = strawberry.field(description="What the user did.")
    value: float | None = strawberry.field(
        default=None, description="Strength where the kind has one, e.g. dwell milliseconds."
    )
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened (ISO 8601 with offset); default: now."
    )
    context: InteractionContextInput | None = strawberry.field(
        default=None, description="Device and local time of the client."
    )
    request_id: str | None = strawberry.field(
        default=None,
        description="The `requestId` of the served list the act followed; the list must have "
        "shown the item to this user.",
    )
    position: int | None = strawberry.field(
        default=None, description="0-based rank of the item in that list; needs `requestId`."
    )


@strawberry.input(
    description="An item of the platform, by its id: fields left out keep their value."
)
class ItemUpsertInput:
    id: str = strawberry.field(
        description="The platform's id of the item (1..64 letters, digits or . _ @ + -)."
    )
    title: str | None = strawberry.field(default=None, description="Headline; needed when new.")
    text: str | None = strawberry.field(
        default=None, description="Full text or description; its opening is the excerpt."
    )
    type: ContentType | None = strawberry.field(default=None, description="Default: BLOG.")
    tags: list[str] | None = strawberry.field(
        default=None, description="Tag names (made when new); [] clears them."
    )
    category: str | None = strawberry.field(
        default=None, description="Category name (made when new); empty clears it."
    )
    creator_id: str | None = strawberry.field(
        default=None, description="The platform's id of the creator's user; needed when new."
    )
    creator_name: str | None = strawberry.field(
        default=None, description="The creator's display name."
    )
    published_at: datetime | None = strawberry.field(
        default=None, description="When it went (or goes) public; default for a new item: now."
    )
    deleted: bool = strawberry.field(
        default=False,
        description="Withdraw the item: it leaves every list at once; its feedback stays.",
    )


@strawberry.input(
    description="A user of the platform, by its id: fields left out keep their value."
)
class UserUpsertInput:
    id: str = strawberry.field(
        description="The platform's id of the user (1..64 letters, digits or . _ @ + -)."
    )
    name: str | None = strawberry.field(default=None, description="Display name.")
    interest_tags: list[str] | None = strawberry.field(
        default=None, description="Tag names the user declared an interest in; [] clears them."
    )
    interest_categories: list[str] | None = strawberry.field(
        default=None, description="Category names the user declared an interest in."
    )


@strawberry.type(description="What an ingested batch of events did.")
class IngestResult:
    received: int = strawberry.field(description="Events in the batch.")
    written: int = strawberry.field(description="Events stored now.")
    duplicates: int = strawberry.field(
        description="Events skipped: their idempotency key was stored by an earlier call."
    )


@strawberry.type(description="What an upsert batch did.")
class UpsertResult:
    created: int
    updated: int
    deleted: int = strawberry.field(description="Items withdrawn (always 0 for users).")
