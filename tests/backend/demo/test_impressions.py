"""Served lists of the demo platform: every view follows an impression, CTR falls with the
position, and creator insights (through the real service) show believable figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, F, Max, Min

from backend.content.models import Creator
from backend.demo.generator import seed_demo
from backend.demo.impressions import METHODS
from backend.insights.services import CLICK_ATTRIBUTION, creator_insights
from backend.interactions.models import Impression, Interaction
from backend.recommendations.serving import Method

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def platform():
    return seed_demo(seed=9, users=120, items=400, days=120, now=NOW)


def test_methods_are_the_recommenders_own():
    assert set(METHODS) == {m.value for m in Method}


def test_every_view_follows_an_impression_of_it(platform):
    shown: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for user_id, item_id, at in Impression.objects.values_list("user_id", "item_id", "shown_at"):
        shown[(user_id, item_id)].append(at)
    views = Interaction.objects.filter(kind="view").values_list("user_id", "item_id", "occurred_at")
    assert len(views) > 1000
    for user_id, item_id, at in views:
        assert any(s <= at < s + CLICK_ATTRIBUTION for s in shown[(user_id, item_id)]), (
            user_id,
            item_id,
            at,
        )


def test_lists_are_whole_and_mostly_not_clicked(platform):
    assert platform["impressions"] == Impression.objects.count()
    lists = Impression.objects.values("request_id").annotate(
        n=Count("id"),
        users=Count("user_id", distinct=True),
        items=Count("item_id", distinct=True),
        methods=Count("method", distinct=True),
        first=Min("position"),
        last=Max("position"),
        earliest=Min("shown_at"),
        latest=Max("shown_at"),
    )
    assert len(lists) == platform["impression_lists"]
    for row in lists:
        # One reader, one method, one moment; positions 0..n-1, no item twice.
        assert row["users"] == row["methods"] == 1
        assert row["items"] == row["n"] and row["first"] == 0 and row["last"] == row["n"] - 1
        assert row["earliest"] == row["latest"]
    assert set(Impression.objects.values_list("method", flat=True)) <= set(METHODS)
    assert {"hybrid", "trending"} <= set(Impression.objects.values_list("method", flat=True))
    assert not Impression.objects.filter(shown_at__lt=F("item__published_at")).exists()
    assert not Impression.objects.filter(shown_at__gt=NOW).exists()
    assert not Impression.objects.filter(shown_at__lt=F("user__date_joined")).exists()
    views = Interaction.objects.filter(kind="view").count()
    assert Impression.objects.count() > 5 * views


def test_ctr_falls_with_the_position(platform):
    opened = {
        (u, i) for u, i in Interaction.objects.filter(kind="view").values_list("user_id", "item_id")
    }
    shown, clicked = defaultdict(int), defaultdict(int)
    for u, i, p in Impression.objects.values_list("user_id", "item_id", "position"):
        shown[p] += 1
        clicked[p] += (u, i) in opened
    ctr = [clicked[p] / shown[p] for p in range(10)]
    assert ctr[0] > ctr[3] > ctr[9]
    assert ctr[0] > 1.5 * ctr[9]


def test_creator_insights_show_real_ctr_methods_and_series(platform):
    creator = Creator.objects.get(user__username="creator")
    insights = creator_insights(creator, window_days=30, now=NOW)
    totals = insights.totals
    assert totals.views > 20
    assert totals.impressions > 3 * totals.views
    assert 0.02 < totals.ctr < 0.5
    assert totals.clicked_impressions >= totals.views * 0.9
    methods = {m.method: m for m in insights.methods}
    assert "hybrid" in methods and methods["hybrid"].ctr is not None
    assert abs(sum(m.share for m in insights.methods) - 1.0) < 1e-9
    days_with_ctr = [p for p in insights.series if p.ctr is not None]
    assert len(days_with_ctr) >= 20
    assert all(0.0 <= p.ctr <= 1.0 for p in days_with_ctr)
    assert insights.series[-1].date == NOW.date()
    assert insights.start == NOW.replace(hour=0) - timedelta(days=29)
