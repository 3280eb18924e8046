"""Permissions on creator insights, and every user's own stats and recent activity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.insights.services import (
    can_view_creator_insights,
    creator_insights_for,
    recent_activity,
    user_stats,
)
from backend.interactions.models import Interaction, InteractionKind, NotInterested

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 31, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def people() -> dict:
    cara_user = User.objects.create_user("cara", password="pw-123456")
    olli_user = User.objects.create_user("olli", password="pw-123456")
    return {
        "cara_user": cara_user,
        "cara": Creator.objects.create(user=cara_user, display_name="Cara"),
        "olli_user": olli_user,
        "olli": Creator.objects.create(user=olli_user, display_name="Olli"),
        "reader": User.objects.create_user("reader", password="pw-123456"),
        "staff": User.objects.create_user("staff", password="pw-123456", is_staff=True),
    }


def test_only_the_creator_and_staff_see_insights(people) -> None:
    cara = people["cara"]
    assert can_view_creator_insights(people["cara_user"], cara)
    assert can_view_creator_insights(people["staff"], cara)
    assert not can_view_creator_insights(people["olli_user"], cara)  # another creator
    assert not can_view_creator_insights(people["reader"], cara)  # a regular user
    assert not can_view_creator_insights(AnonymousUser(), cara)
    assert not can_view_creator_insights(None, cara)


def test_inactive_accounts_see_nothing(people) -> None:
    for key in ("cara_user", "staff"):
        people[key].is_active = False
        assert not can_view_creator_insights(people[key], people["cara"])


def test_creator_insights_for_refuses_others(people) -> None:
    cara = people["cara"]
    assert creator_insights_for(people["cara_user"], cara, now=NOW).creator_id == cara.pk
    assert creator_insights_for(people["staff"], cara, window_days=3, now=NOW).window_days == 3
    for viewer in (people["olli_user"], people["reader"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            creator_insights_for(viewer, cara, now=NOW)


@pytest.fixture
def activity(people) -> dict:
    food = Tag.objects.create(name="food", slug="food")
    music = Category.objects.create(name="Music", slug="music")
    cara_item = ContentItem.objects.create(
        type=ContentType.BLOG, title="Bread", creator=people["cara"]
    )
    cara_other = ContentItem.objects.create(
        type=ContentType.VIDEO, title="Cake", creator=people["cara"]
    )
    olli_item = ContentItem.objects.create(
        type=ContentType.AUDIO, title="Song", creator=people["olli"]
    )
    reader = people["reader"]
    reader.interested_tags.set([food])
    reader.interested_categories.set([music])
    K = InteractionKind
    plan = [
        (cara_item, K.VIEW, at(1), None),
        (cara_item, K.DWELL, at(1, 1), 4000.0),
        (cara_item, K.LIKE, at(2), None),
        (cara_other, K.VIEW, at(3), None),
        (cara_other, K.HIDE, at(3, 1), None),
        (olli_item, K.SKIP, at(4), None),
        (olli_item, K.SAVE, at(5), None),
        (olli_item, K.DWELL, at(5, 1), 1500.0),
    ]
    for item, kind, when, value in plan:
        Interaction.objects.create(
            user=reader, item=item, kind=kind, occurred_at=when, value=value, device="mobile"
        )
    NotInterested.objects.create(user=reader, tag=food)
    NotInterested.objects.create(user=reader, creator=people["olli"])
    # Someone else's activity, which must never show up in the reader's numbers.
    other = people["olli_user"]
    Interaction.objects.create(user=other, item=cara_item, kind=K.LIKE, occurred_at=at(20))
    Interaction.objects.create(user=other, item=olli_item, kind=K.SHARE, occurred_at=at(21))
    NotInterested.objects.create(user=other, tag=food)
    return {"reader": reader, "other": other, "cara_item": cara_item, "olli_item": olli_item}


def test_user_stats_count_only_the_users_own_activity(activity, django_assert_num_queries):
    with django_assert_num_queries(1):
        stats = user_stats(activity["reader"])
    assert stats.interactions == 8
    assert (stats.views, stats.clicks, stats.likes, stats.shares, stats.comments) == (2, 0, 1, 0, 0)
    assert (stats.saves, stats.dwells, stats.skips, stats.dislikes, stats.hides) == (1, 2, 1, 0, 1)
    assert stats.dwell_ms_total == 5500.0
    # Engaged (not skipped or hidden only): Bread, Cake and Song, by Cara and Olli.
    assert (stats.items_engaged, stats.creators_engaged) == (3, 2)
    assert (stats.not_interested_tags, stats.not_interested_creators) == (1, 1)
    assert (stats.interested_tags, stats.interested_categories) == (1, 1)
    assert (stats.first_activity, stats.last_activity) == (at(1), at(5, 1))


def test_user_stats_of_someone_new(people) -> None:
    stats = user_stats(people["reader"])
    assert stats.interactions == 0 and stats.dwell_ms_total == 0.0
    assert stats.items_engaged == stats.creators_engaged == 0
    assert stats.first_activity is None and stats.last_activity is None


def test_engagement_that_is_only_negative_does_not_count(people) -> None:
    item = ContentItem.objects.create(type=ContentType.BLOG, title="x", creator=people["cara"])
    Interaction.objects.create(
        user=people["reader"], item=item, kind=InteractionKind.DISLIKE, occurred_at=at(1)
    )
    stats = user_stats(people["reader"])
    assert (stats.interactions, stats.dislikes, stats.items_engaged) == (1, 1, 0)


def test_recent_activity_is_own_newest_first_with_items(activity) -> None:
    with CaptureQueriesContext(connection) as ctx:
        entries = recent_activity(activity["reader"], limit=3)
        titles = [(e.kind, e.item.title, e.item.creator.display_name) for e in entries]
    assert len(ctx.captured_queries) == 1  # the item and its creator come with the row
    assert titles == [("dwell", "Song", "Olli"), ("save", "Song", "Olli"), ("skip", "Song", "Olli")]
    assert [e.occurred_at for e in entries] == [at(5, 1), at(5), at(4)]
    assert entries[0].value == 1500.0 and entries[0].device == "mobile"

    everything = recent_activity(activity["reader"])
    assert len(everything) == 8
    assert [e.occurred_at for e in everything] == sorted(
        (e.occurred_at for e in everything), reverse=True
    )
    assert {e.interaction_id for e in everything}.isdisjoint(
        Interaction.objects.filter(user=activity["other"]).values_list("id", flat=True)
    )
    assert [e.kind for e in recent_activity(activity["other"])] == ["share", "like"]


def test_recent_activity_limits(activity) -> None:
    with pytest.raises(ValueError, match="limit"):
        recent_activity(activity["reader"], limit=0)
    item = activity["cara_item"]
    Interaction.objects.bulk_create(
        [
            Interaction(user=activity["reader"], item=item, kind="view", occurred_at=at(10))
            for _ in range(120)
        ]
    )
    assert len(recent_activity(activity["reader"], limit=1000)) == 100
