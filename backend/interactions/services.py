"""Feedback services: recording what people do with items and what they refuse.

Writes are all-or-nothing: a batch is validated in full before anything is stored, and
stored with one ``bulk_create`` inside a transaction.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import User
from backend.content import services as content_services
from backend.content.models import Creator, Tag
from backend.interactions.models import Impression, Interaction, InteractionKind, NotInterested
from backend.interactions.signals import feedback_recorded

__all__ = [
    "AttributedOutcome",
    "InteractionData",
    "act_columns",
    "announce_feedback",
    "attributed_outcomes",
    "attribution_errors",
    "by_index",
    "interaction_errors",
    "interactions_of",
    "mark_not_interested",
    "record_interaction",
    "record_interactions",
    "served_positions",
]

DEVICE_MAX_LENGTH = Interaction._meta.get_field("device").max_length
# A served list's request id: ``uuid4().hex`` (``serving.recommend_for_user``).
REQUEST_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
# Positions in a served list, which holds at most this many items.
LIST_SIZE_MAX = 100
TIMEZONE_MAX_LENGTH = Interaction._meta.get_field("client_timezone").max_length


@dataclass(frozen=True)
class InteractionData:
    """One interaction as a client reports it, before validation."""

    item_id: int
    kind: str
    value: float | None = None
    device: str = ""
    timezone: str = ""
    local_hour: int | None = None
    # The served list the act followed (its ``request_id``) and the item's rank in it.
    request_id: str = ""
    position: int | None = None


def interaction_errors(data: InteractionData) -> dict[str, list[str]]:
    """What is wrong with one interaction by itself (its item and list not looked up)."""
    errors: dict[str, list[str]] = {}
    if data.kind not in InteractionKind.values:
        errors["kind"] = [f"Unknown interaction kind {data.kind!r}."]
    if data.value is not None and (not math.isfinite(data.value) or data.value < 0):
        errors["value"] = ["Enter a finite number of zero or more."]
    if len(data.device) > DEVICE_MAX_LENGTH:
        errors["context.device"] = [f"Use at most {DEVICE_MAX_LENGTH} characters."]
    if data.timezone:
        valid = len(data.timezone) <= TIMEZONE_MAX_LENGTH
        if valid:
            try:
                zoneinfo.ZoneInfo(data.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                valid = False
        if not valid:
            errors["context.timezone"] = [
                f"Unknown time zone {data.timezone!r}; use an IANA name such as Europe/Paris."
            ]
    if data.local_hour is not None and not 0 <= data.local_hour <= 23:
        errors["context.local_hour"] = ["Enter an hour from 0 to 23."]
    if data.request_id and not REQUEST_ID_PATTERN.fullmatch(data.request_id):
        errors["request_id"] = [
            "Not a served list's request id: expected 32 lowercase hexadecimal characters."
        ]
    if data.position is not None:
        if not 0 <= data.position < LIST_SIZE_MAX:
            errors["position"] = [f"Enter a position from 0 to {LIST_SIZE_MAX - 1}."]
        elif not data.request_id:
            errors["position"] = ["Give the request id of the list the position is in."]
    return errors


def served_positions(request_ids: set[str]) -> dict[tuple[str, int, int], int]:
    """The position of each (request id, user id, item id) the served lists ``request_ids``
    showed, in one query."""
    if not request_ids:
        return {}
    return {
        (request_id, user_id, item_id): position
        for request_id, user_id, item_id, position in Impression.objects.filter(
            request_id__in=request_ids
        ).values_list("request_id", "user_id", "item_id", "position")
    }


def attribution_errors(
    user_ids: list[int],
    entries: list[InteractionData],
    known: dict[int, object],
    whom: str = "you",
) -> tuple[dict[str, list[str]], dict[tuple[str, int, int], int]]:
    """Check that each entry's request id served its user (``user_ids``, by position) its
    item, in one query for the batch; return the errors, keyed ``[index].field``, and the
    served position of each (request id, user id, item id)."""
    served = served_positions({data.request_id for data in entries if data.request_id})
    errors: dict[str, list[str]] = {}
    for index, (user_id, data) in enumerate(zip(user_ids, entries, strict=True)):
        if not data.request_id or data.item_id not in known:
            continue
        position = served.get((data.request_id, user_id, data.item_id))
        if position is None:
            errors[f"[{index}].request_id"] = [
                f"No list served to {whom} with request id {data.request_id} showed "
                f"item {data.item_id}."
            ]
        elif data.position is not None and data.position != position:
            errors[f"[{index}].position"] = [
                f"Item {data.item_id} was at position {position} of that list, not {data.position}."
            ]
    return errors, served


def record_interactions(
    user: User, entries: list[InteractionData], *, max_batch: int | None = None
) -> list[Interaction]:
    """Validate every entry, then store them all in one transaction, or none of them.

    Error keys are ``[index].field`` so the caller can point at the offending entry. An
    entry with a ``request_id`` must follow an impression of that list showing the same
    item to this user (its stored position is the impression's); the impression must be
    written first, which it is when the list is returned, or within the background
    writer's linger (``backend/recommendations/impressions.py``) when that is on.
    """
    limit = settings.INTERACTION_BATCH_MAX if max_batch is None else max_batch
    if not entries:
        raise ValidationError({"": ["Send at least one interaction."]})
    if len(entries) > limit:
        raise ValidationError(
            {"": [f"Send at most {limit} interactions at once; got {len(entries)}."]}
        )
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(entries):
        for field, messages in interaction_errors(data).items():
            errors[f"[{index}].{field}"] = messages
    known = content_services.items_by_ids(list({data.item_id for data in entries}))
    for index, data in enumerate(entries):
        if data.item_id not in known:
            errors[f"[{index}].item_id"] = [f"No published item with id {data.item_id}."]
    served: dict[tuple[str, int, int], int] = {}
    if not errors:
        wrong, served = attribution_errors([user.pk] * len(entries), entries, known)
        errors.update(wrong)
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=by_index)))
    now = timezone.now()
    rows = [
        Interaction(
            user=user,
            item=known[data.item_id],
            occurred_at=now,
            **act_columns(data, user.pk, served),
        )
        for data in entries
    ]
    with transaction.atomic():
        created = Interaction.objects.bulk_create(rows)
        announce_feedback([user.pk])
    return created


def act_columns(
    data: InteractionData, user_id: int, served: dict[tuple[str, int, int], int]
) -> dict[str, Any]:
    """The columns of ``data``'s row as it was reported, with its position in the served
    list its request id names (``served``, from :func:`attribution_errors`)."""
    return {
        "kind": data.kind,
        "value": data.value,
        "device": data.device,
        "client_timezone": data.timezone,
        "local_hour": data.local_hour,
        "request_id": data.request_id,
        "position": served.get((data.request_id, user_id, data.item_id))
        if data.request_id
        else None,
    }


def by_index(entry: tuple[str, list[str]]) -> tuple[int, str]:
    key = entry[0]
    index = int(key[1 : key.index("]")]) if key.startswith("[") else -1
    return index, key


def record_interaction(user: User, data: InteractionData) -> Interaction:
    """Store one interaction; errors are keyed by field name."""
    try:
        return record_interactions(user, [data], max_batch=1)[0]
    except ValidationError as exc:
        raise ValidationError(
            {key.removeprefix("[0]."): messages for key, messages in exc.message_dict.items()}
        ) from None


def announce_feedback(user_ids: list[int]) -> None:
    """Tell listeners (the recommendation cache) about each user's new feedback, once per
    write: ``bulk_create`` sends no ORM signal. The cache's receiver bumps the user's
    generation now and again after the commit (``cache.invalidate_user``)."""
    for user_id in dict.fromkeys(user_ids):
        feedback_recorded.send(sender=Interaction, user_id=user_id)


def mark_not_interested(
    user: User, *, tag_id: int | None = None, creator_id: int | None = None
) -> NotInterested:
    """Record "not interested in this tag / creator"; exactly one target, idempotent."""
    if (tag_id is None) == (creator_id is None):
        raise ValidationError({"": ["Give exactly one target: a tag or a creator, not both."]})
    if tag_id is not None:
        tag = Tag.objects.filter(pk=tag_id).first()
        if tag is None:
            raise ValidationError({"tag_id": [f"No tag with id {tag_id}."]})
        target = {"tag": tag}
    else:
        creator = Creator.objects.filter(pk=creator_id).first()
        if creator is None:
            raise ValidationError({"creator_id": [f"No creator with id {creator_id}."]})
        target = {"creator": creator}
    try:
        # A new entry's post_save reaches the cache (cache.connect_signals); an existing one
        # changes nothing to announce.
        entry, _ = NotInterested.objects.get_or_create(user=user, **target)
    except IntegrityError:
        # A concurrent request stored the same entry first: it is there, which is the goal.
        entry = NotInterested.objects.get(user=user, **target)
    return entry


def interactions_of(user: User | AnonymousUser) -> QuerySet[Interaction]:
    """The user's own interactions, newest first; nothing for an anonymous visitor."""
    if not user.is_authenticated:
        return Interaction.objects.none()
    return Interaction.objects.filter(user=user).order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class AttributedOutcome:
    """An act that followed an impression, joined to it by request id, user and item."""

    interaction_id: int
    kind: str
    value: float | None
    occurred_at: datetime
    impression_id: int
    request_id: str
    user_id: int
    item_id: int
    position: int
    method: str
    variant: str
    shown_at: datetime


def attributed_outcomes(outcomes: QuerySet[Interaction]) -> list[AttributedOutcome]:
    """Each of ``outcomes`` that carries a request id, with the impression it followed.

    The join is by the served list's request id (and the same user and item), never by
    closeness in time: an item shown in several lists is credited to the one acted on.
    Outcomes without a request id are left out. Two queries, whatever the number.
    """
    acts = list(
        outcomes.exclude(request_id="")
        .order_by("occurred_at", "id")
        .values_list("id", "kind", "value", "occurred_at", "request_id", "user_id", "item_id")
    )
    if not acts:
        return []
    shown = {
        (request_id, user_id, item_id): (pk, position, method, variant, shown_at)
        for pk, request_id, user_id, item_id, position, method, variant, shown_at in (
            Impression.objects.filter(
                request_id__in=outcomes.exclude(request_id="").values("request_id")
            ).values_list(
                "id",
                "request_id",
                "user_id",
                "item_id",
                "position",
                "method",
                "variant",
                "shown_at",
            )
        )
    }
    joined = []
    for pk, kind, value, occurred_at, request_id, user_id, item_id in acts:
        impression = shown.get((request_id, user_id, item_id))
        if impression is None:
            continue
        impression_id, position, method, variant, shown_at = impression
        joined.append(
            AttributedOutcome(
                interaction_id=pk,
                kind=kind,
                value=value,
                occurred_at=occurred_at,
                impression_id=impression_id,
                request_id=request_id,
                user_id=user_id,
                item_id=item_id,
                position=position,
                method=method,
                variant=variant,
                shown_at=shown_at,
            )
        )
    return joined
