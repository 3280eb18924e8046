"""Set-style writes to one account under concurrency: the final state is one that a single
writer asked for. Threads on PostgreSQL (each its own connection, all released at once);
on SQLite, which serialises writers itself, the same calls one after another."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from backend.accounts import services
from backend.accounts.models import User
from tests.schema.conftest import make_category, make_tag, make_user

WRITERS = 16


def _run_all(calls: list[Callable[[], None]]) -> list[BaseException]:
    if connection.vendor != "postgresql":
        for call in calls:
            call()
        return []
    start = threading.Barrier(len(calls))
    failures: list[BaseException] = []

    def writer(call: Callable[[], None]) -> None:
        try:
            start.wait(timeout=30)
            call()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


@pytest.mark.django_db(transaction=True)
def test_concurrent_set_interests_leave_one_requested_set():
    tags = [make_tag() for _ in range(WRITERS + 8)]
    categories = [make_category() for _ in range(WRITERS + 2)]
    user = make_user()
    # Overlapping sets: a mix of two diffs would be a set nobody asked for.
    requested = [
        (
            frozenset(tag.pk for tag in tags[i : i + 8]),
            frozenset(category.pk for category in categories[i : i + 2]),
        )
        for i in range(WRITERS)
    ]

    def call(tag_ids: frozenset[int], category_ids: frozenset[int]) -> Callable[[], None]:
        # Each writer loads the account itself, as a request would.
        return lambda: services.set_interests(
            User.objects.get(pk=user.pk), tag_ids=sorted(tag_ids), category_ids=sorted(category_ids)
        )

    assert _run_all([call(*wanted) for wanted in requested]) == []
    final = (
        frozenset(user.interested_tags.values_list("pk", flat=True)),
        frozenset(user.interested_categories.values_list("pk", flat=True)),
    )
    assert final in requested


@pytest.mark.django_db(transaction=True)
def test_concurrent_preference_updates_leave_one_requested_pair():
    user = make_user()
    requested = [(f"#{i:02x}{i:02x}{i:02x}", 10 + i) for i in range(WRITERS)]

    def call(accent: str, size: int) -> Callable[[], None]:
        return lambda: services.update_preferences(
            User.objects.get(pk=user.pk), accent_color=accent, font_size=size
        )

    assert _run_all([call(*wanted) for wanted in requested]) == []
    user.refresh_from_db()
    assert (user.accent_color, user.font_size) in requested
