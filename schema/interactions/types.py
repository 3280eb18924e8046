"""GraphQL types of feedback: interactions and "not interested" marks."""

from __future__ import annotations

from enum import Enum

import strawberry
import strawberry_django
from strawberry import auto

from backend.interactions import models
from schema.content.types import ContentItem, Creator, Tag

__all__ = [
    "Interaction",
    "InteractionContextInput",
    "InteractionInput",
    "InteractionKind",
    "NotInterested",
]

InteractionKind = strawberry.enum(
    Enum("InteractionKind", {choice.name: choice.value for choice in models.InteractionKind}),
    description=(
        "What the user did. SKIP, DISLIKE and HIDE are negative feedback: the item is "
        "never treated as a liked one and drops out of the user's recommendations."
    ),
)


@strawberry_django.type(models.Interaction, description="One thing the viewer did with an item.")
class Interaction:
    id: strawberry.ID
    kind: InteractionKind = strawberry_django.field(description="What the user did.")
    value: auto
    device: auto
    timezone: str = strawberry_django.field(
        field_name="client_timezone", description="IANA time zone of the client."
    )
    local_hour: auto
    occurred_at: auto
    request_id: str = strawberry_django.field(
        description="Request id of the served list the act followed; empty when none."
    )
    position: int | None = strawberry_django.field(
        description="0-based rank of the item in that list; null without a request id."
    )
    item: ContentItem = strawberry_django.field(description="The item acted on.")


@strawberry_django.type(
    models.NotInterested, description='A "not interested in this tag / creator" mark.'
)
class NotInterested:
    id: strawberry.ID
    tag: Tag | None = strawberry_django.field(description="The tag refused, if any.")
    creator: Creator | None = strawberry_django.field(description="The creator refused, if any.")
    created_at: auto


@strawberry.input(description="Where and when the interaction happened, as the client saw it.")
class InteractionContextInput:
    device: str = strawberry.field(
        default="", description="Device class, e.g. mobile, desktop, tv (at most 32 characters)."
    )
    timezone: str = strawberry.field(
        default="", description="IANA time zone of the client, e.g. Europe/Paris."
    )
    local_hour: int | None = strawberry.field(
        default=None, description="Hour of day on the client's clock, 0..23."
    )


@strawberry.input(description="One interaction to record for the signed-in user.")
class InteractionInput:
    item_id: strawberry.ID = strawberry.field(description="The published item acted on.")
    kind: InteractionKind = strawberry.field(description="What the user did.")
    value: float | None = strawberry.field(
        default=None, description="Strength where the kind has one, e.g. dwell milliseconds."
    )
    context: InteractionContextInput | None = strawberry.field(
        default=None, description="Device and local time of the client."
    )
    request_id: str | None = strawberry.field(
        default=None,
        description=(
            "The `requestId` of the served list the act followed (feedback from a list): "
            "the list must have shown this item to the viewer. Outcomes are credited to "
            "that list's impression."
        ),
    )
    position: int | None = strawberry.field(
        default=None,
        description=(
            "0-based rank of the item in that list (0..99); needs `requestId` and must "
            "match the rank the list showed it at."
        ),
    )
