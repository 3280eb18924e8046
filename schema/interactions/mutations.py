"""Recording feedback: interactions one at a time or in batches, and "not interested"."""

from __future__ import annotations

from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError

from backend.interactions import services as interaction_services
from backend.recommendations import impressions
from schema import limits
from schema.context import Info
from schema.errors import input_error
from schema.ids import parse_id
from schema.interactions.types import Interaction, InteractionInput, NotInterested
from schema.permissions import SignedIn

__all__ = ["InteractionsMutation"]


def _to_data(inputs: list[InteractionInput]) -> list[interaction_services.InteractionData]:
    """Service records for each input; unreadable ids are reported by position."""
    errors: dict[str, list[str]] = {}
    entries = []
    for index, entry in enumerate(inputs):
        try:
            item_id = parse_id(entry.item_id, "item_id")
        except ValidationError as exc:
            errors[f"[{index}].item_id"] = exc.messages
            continue
        context = entry.context
        entries.append(
            interaction_services.InteractionData(
                item_id=item_id,
                kind=entry.kind.value,
                value=entry.value,
                device=context.device if context else "",
                timezone=context.timezone if context else "",
                local_hour=context.local_hour if context else None,
                request_id=entry.request_id or "",
                position=entry.position,
            )
        )
    if errors:
        raise ValidationError(errors)
    return entries


def _unknown_list(exc: ValidationError) -> bool:
    return any(key.endswith("request_id") for key in exc.message_dict)


async def _recording(write, *args, **kwargs):
    """``write(*args, **kwargs)`` on a thread; when it names a served list it cannot find,
    once more after this process's queued impressions are written: a list answered from
    the result cache is logged by the background writer, and feedback may come first."""
    try:
        return await sync_to_async(write)(*args, **kwargs)
    except ValidationError as exc:
        if not _unknown_list(exc) or impressions.writer.queue_depth() == 0:
            raise
    await sync_to_async(impressions.flush)(timeout=2.0)
    return await sync_to_async(write)(*args, **kwargs)


@strawberry.type
class InteractionsMutation:
    @strawberry.mutation(
        permission_classes=[SignedIn], description="Record one interaction of the signed-in user."
    )
    async def record_interaction(
        self,
        info: Info,
        input: Annotated[InteractionInput, strawberry.argument(description="The interaction.")],
    ) -> Interaction:
        viewer = await info.context.user()
        try:
            entries = _to_data([input])
        except ValidationError as exc:
            raise input_error(
                ValidationError({k.removeprefix("[0]."): v for k, v in exc.message_dict.items()}),
                "input",
            ) from None
        try:
            return await _recording(interaction_services.record_interaction, viewer, entries[0])
        except ValidationError as exc:
            raise input_error(exc, "input") from None

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description=(
            "Record several interactions at once (at most INTERACTION_BATCH_MAX, 100 by "
            "default). All or nothing: one bad entry and none is stored."
        ),
    )
    async def record_interactions(
        self,
        info: Info,
        inputs: Annotated[
            list[InteractionInput],
            strawberry.argument(description="The interactions, in the order they happened."),
        ],
    ) -> list[Interaction]:
        viewer = await info.context.user()
        try:
            if len(inputs) > limits.INTERACTION_BATCH_MAX:
                # Refuse an oversized batch before reading any of it.
                raise ValidationError(
                    {
                        "": [
                            f"Send at most {limits.INTERACTION_BATCH_MAX} interactions at "
                            f"once; got {len(inputs)}."
                        ]
                    }
                )
            return await _recording(
                interaction_services.record_interactions,
                viewer,
                _to_data(inputs),
                max_batch=limits.INTERACTION_BATCH_MAX,
            )
        except ValidationError as exc:
            raise input_error(exc, "inputs") from None

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description=(
            'Say "not interested" in a tag or in a creator: give exactly one of `tagId` '
            "and `creatorId`. Saying it twice keeps one mark."
        ),
    )
    async def mark_not_interested(
        self,
        info: Info,
        tag_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The tag to see less of.")
        ] = None,
        creator_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The creator to see less of.")
        ] = None,
    ) -> NotInterested:
        viewer = await info.context.user()
        try:
            return await sync_to_async(interaction_services.mark_not_interested)(
                viewer,
                tag_id=None if tag_id is None else parse_id(tag_id, "tag_id"),
                creator_id=None if creator_id is None else parse_id(creator_id, "creator_id"),
            )
        except ValidationError as exc:
            raise input_error(exc, whole="markNotInterested") from None
