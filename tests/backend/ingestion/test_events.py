"""Ingesting the platform's feedback: all or nothing, and never written twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.ingestion.catalogue import ItemRecord, UserRecord, upsert_items, upsert_users
from backend.ingestion.events import PlatformEvent, ingest_events
from backend.interactions.models import Interaction


@pytest.fixture
def platform(db) -> None:
    upsert_users([UserRecord(id=f"u{i}") for i in range(3)], max_batch=10)
    upsert_items(
        [ItemRecord(id=f"i{i}", title=f"Item {i}", creator_id="u0") for i in range(3)],
        max_batch=10,
    )


def event(key: str, user: str = "u1", item: str = "i1", **fields) -> PlatformEvent:
    return PlatformEvent(idempotency_key=key, user_id=user, item_id=item, kind="view", **fields)


def test_a_batch_sent_twice_is_written_once(platform) -> None:
    batch = [event(f"e{i}", user=f"u{i % 3}", item=f"i{i % 3}") for i in range(9)]
    first = ingest_events(batch, max_batch=10)
    again = ingest_events(batch, max_batch=10)
    assert (first.written, first.duplicates) == (9, 0)
    assert (again.received, again.written, again.duplicates) == (9, 0, 9)
    assert Interaction.objects.filter(idempotency_key__startswith="e").count() == 9


def test_the_database_refuses_a_second_row_with_the_same_key(platform) -> None:
    ingest_events([event("only")], max_batch=10)
    row = Interaction.objects.get(idempotency_key="only")
    row.pk = None
    # what a racing copy of the batch would do after its own read found nothing
    Interaction.objects.bulk_create([row], ignore_conflicts=True)
    assert Interaction.objects.filter(idempotency_key="only").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.bulk_create([row])


def test_one_bad_event_refuses_the_batch_with_an_error_per_event(platform) -> None:
    batch = [
        event("ok-1"),
        event("bad-user", user="ghost"),
        event("bad-item", item="nothing"),
        event("ok-1"),
        event("late", occurred_at=timezone.now() + timedelta(hours=1)),
        event("hour", local_hour=30),
    ]
    with pytest.raises(ValidationError) as refused:
        ingest_events(batch, max_batch=10)
    assert refused.value.message_dict == {
        "[1].user_id": ["No platform user with id 'ghost'; upsert the user first."],
        "[2].item_id": ["No item with id 'nothing'; upsert the item first."],
        "[3].idempotency_key": ["Repeats the key of event 0; each event has its own."],
        "[4].occurred_at": ["The time is in the future."],
        "[5].context.local_hour": ["Enter an hour from 0 to 23."],
    }
    assert not Interaction.objects.filter(idempotency_key="ok-1").exists()


def test_batch_size_is_bounded(platform) -> None:
    with pytest.raises(ValidationError) as refused:
        ingest_events([event(f"k{i}") for i in range(4)], max_batch=3)
    assert refused.value.messages == ["Send at most 3 events at once; got 4."]


def test_an_event_keeps_its_time_and_user(platform) -> None:
    when = timezone.now() - timedelta(days=2)
    ingest_events([event("timed", user="u2", item="i0", occurred_at=when)], max_batch=10)
    row = Interaction.objects.select_related("user", "item").get(idempotency_key="timed")
    assert (row.user.external_id, row.item.external_id, row.occurred_at) == ("u2", "i0", when)
