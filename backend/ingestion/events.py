"""Feedback of the whole platform, sent in batches by the platform's own services.

Each event names its user and item by the platform's ids (``external_id``) and carries an
idempotency key. A batch is all or nothing: every event is checked first, and one bad
event refuses the batch with an error per event. A batch sent again writes nothing twice:
the idempotency key is unique in the database, and rows whose key is already stored are
skipped by the insert itself (``ON CONFLICT DO NOTHING`` on PostgreSQL, ``INSERT OR
IGNORE`` on SQLite), so two copies of a batch racing each other still store one row per
event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backend.content.models import ContentItem
from backend.interactions import services as interaction_services
from backend.interactions.models import Interaction

__all__ = ["IngestReport", "PlatformEvent", "ingest_events"]

IDEMPOTENCY_KEY_MAX = Interaction._meta.get_field("idempotency_key").max_length
# Clocks of the platform's machines drift; an event further ahead than this is a mistake.
FUTURE_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class PlatformEvent:
    """One act of a platform user on an item, as the platform reports it."""

    idempotency_key: str
    user_id: str  # the platform's id of the user
    item_id: str  # the platform's id of the item
    kind: str
    value: float | None = None
    occurred_at: datetime | None = None  # None: now
    device: str = ""
    timezone: str = ""
    local_hour: int | None = None
    request_id: str = ""
    position: int | None = None


@dataclass(frozen=True)
class IngestReport:
    received: int
    written: int
    # Events whose idempotency key was already stored (a batch sent again).
    duplicates: int


def _key_errors(events: list[PlatformEvent]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    first_index: dict[str, int] = {}
    for index, event in enumerate(events):
        key = event.idempotency_key
        if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
            errors[f"[{index}].idempotency_key"] = [
                f"Give 1 to {IDEMPOTENCY_KEY_MAX} characters that name this event."
            ]
        elif key in first_index:
            errors[f"[{index}].idempotency_key"] = [
                f"Repeats the key of event {first_index[key]}; each event has its own."
            ]
        else:
            first_index[key] = index
    return errors


def _lookup(events: list[PlatformEvent]) -> tuple[dict[str, int], dict[str, ContentItem]]:
    """The platform's user and item ids, mapped to Lupi's rows (two queries)."""
    users = dict(
        get_user_model()
        .objects.filter(external_id__in={e.user_id for e in events}, is_active=True)
        .values_list("external_id", "pk")
    )
    items = {
        item.external_id: item
        for item in ContentItem.objects.filter(external_id__in={e.item_id for e in events})
    }
    return users, items


def _as_interaction(event: PlatformEvent, item_pk: int) -> interaction_services.InteractionData:
    return interaction_services.InteractionData(
        item_id=item_pk,
        kind=event.kind,
        value=event.value,
        device=event.device,
        timezone=event.timezone,
        local_hour=event.local_hour,
        request_id=event.request_id,
        position=event.position,
    )


def _event_errors(
    events: list[PlatformEvent], users: dict[str, int], items: dict[str, ContentItem], now
) -> dict[str, list[str]]:
    errors = _key_errors(events)
    for index, event in enumerate(events):
        if event.user_id not in users:
            errors[f"[{index}].user_id"] = [
                f"No platform user with id {event.user_id!r}; upsert the user first."
            ]
        if event.item_id not in items:
            errors[f"[{index}].item_id"] = [
                f"No item with id {event.item_id!r}; upsert the item first."
            ]
        if event.occurred_at is not None and event.occurred_at > now + FUTURE_SKEW:
            errors[f"[{index}].occurred_at"] = ["The time is in the future."]
        item = items.get(event.item_id)
        data = _as_interaction(event, item.pk if item else 0)
        for field, messages in interaction_services.interaction_errors(data).items():
            errors[f"[{index}].{field}"] = messages
    return errors


def _validated(events: list[PlatformEvent], max_batch: int):
    """The batch's users, items and served positions; ``ValidationError`` keyed
    ``[index].field`` for every problem found."""
    if not events:
        raise ValidationError({"": ["Send at least one event."]})
    if len(events) > max_batch:
        raise ValidationError(
            {"": [f"Send at most {max_batch} events at once; got {len(events)}."]}
        )
    users, items = _lookup(events)
    now = timezone.now()
    errors = _event_errors(events, users, items, now)
    served: dict[tuple[str, int, int], int] = {}
    if not errors:
        entries = [_as_interaction(e, items[e.item_id].pk) for e in events]
        known = {item.pk: item for item in items.values()}
        wrong, served = interaction_services.attribution_errors(
            [users[e.user_id] for e in events], entries, known, whom="this user"
        )
        errors.update(wrong)
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=interaction_services.by_index)))
    return users, items, served, now


def ingest_events(events: list[PlatformEvent], *, max_batch: int) -> IngestReport:
    """Check the whole batch, then store the events not stored before, in one
    transaction; nothing is stored when any event is refused."""
    users, items, served, now = _validated(events, max_batch)
    stored = set(
        Interaction.objects.filter(
            idempotency_key__in=[e.idempotency_key for e in events]
        ).values_list("idempotency_key", flat=True)
    )
    rows = [
        Interaction(
            user_id=users[e.user_id],
            item=items[e.item_id],
            occurred_at=e.occurred_at or now,
            idempotency_key=e.idempotency_key,
            **interaction_services.act_columns(
                _as_interaction(e, items[e.item_id].pk), users[e.user_id], served
            ),
        )
        for e in events
        if e.idempotency_key not in stored
    ]
    if rows:
        with transaction.atomic():
            # The read above only spares work; the unique key is what keeps a racing copy
            # of the batch from writing twice.
            Interaction.objects.bulk_create(rows, ignore_conflicts=True)
            interaction_services.announce_feedback([row.user_id for row in rows])
    return IngestReport(received=len(events), written=len(rows), duplicates=len(stored))
