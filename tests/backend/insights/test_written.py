"""Written insights: said when the numbers support them, with the figures, and not otherwise."""

from __future__ import annotations

import pytest

from backend.insights.results import ItemInsights, SimilarCreator
from backend.insights.written import (
    OVERLAP_MIN_AUDIENCE,
    TAG_CTR_MIN_IMPRESSIONS,
    TYPE_DWELL_MIN_SAMPLES,
    WEEKLY_MIN_PREVIOUS_VIEWS,
    audience_overlap_insight,
    tag_ctr_insight,
    type_dwell_insight,
    weekly_views_insight,
    written_insights,
)


def item(
    item_id: int,
    *,
    type: str = "blog",
    tags: tuple[str, ...] = (),
    impressions: int = 0,
    clicked: int = 0,
    dwell_ms: float | None = None,
    dwell_samples: int = 0,
) -> ItemInsights:
    return ItemInsights(
        item_id=item_id,
        title=f"item {item_id}",
        type=type,
        published_at=None,
        tags=tags,
        views=0,
        likes=0,
        clicks=0,
        impressions=impressions,
        clicked_impressions=clicked,
        ctr=clicked / impressions if impressions else None,
        dwell_ms=dwell_ms,
        dwell_samples=dwell_samples,
    )


def creator(creator_id: int, name: str, shared: int) -> SimilarCreator:
    return SimilarCreator(
        creator_id=creator_id,
        display_name=name,
        score=0.1,
        source="audience",
        shared_audience=shared,
    )


class TestTagCtr:
    def test_states_the_strongest_tag_with_its_figures(self) -> None:
        items = [
            item(1, tags=("pasta",), impressions=20, clicked=7),
            item(2, tags=("pasta", "quick"), impressions=20, clicked=5),
            item(3, impressions=40, clicked=4),
        ]
        # pasta: 12/40 = 30% vs 4/40 = 10% -> 3.0x; quick: 5/20 = 25% vs 11/60 -> 1.4x.
        got = tag_ctr_insight(items)
        assert got is not None and got.kind == "tag_ctr"
        assert (
            got.text == "Your posts tagged pasta get 3.0x the CTR of your others (30.0% vs 10.0%)."
        )
        assert got.figures["lift"] == pytest.approx(3.0)
        assert (got.figures["impressions"], got.figures["other_impressions"]) == (40, 40)

    def test_needs_enough_impressions_on_both_sides(self) -> None:
        n = TAG_CTR_MIN_IMPRESSIONS
        enough = [
            item(1, tags=("a",), impressions=n, clicked=10),
            item(2, impressions=n, clicked=1),
        ]
        assert tag_ctr_insight(enough) is not None
        few_tagged = [
            item(1, tags=("a",), impressions=n - 1, clicked=10),
            item(2, impressions=n * 10, clicked=1),
        ]
        assert tag_ctr_insight(few_tagged) is None
        few_others = [
            item(1, tags=("a",), impressions=n * 10, clicked=100),
            item(2, impressions=n - 1, clicked=1),
        ]
        assert tag_ctr_insight(few_others) is None

    def test_needs_a_real_difference(self) -> None:
        close = [
            item(1, tags=("a",), impressions=100, clicked=14),
            item(2, impressions=100, clicked=10),
        ]
        assert tag_ctr_insight(close) is None  # 1.4x is under the 1.5x bar
        worse = [
            item(1, tags=("a",), impressions=100, clicked=1),
            item(2, impressions=100, clicked=10),
        ]
        assert tag_ctr_insight(worse) is None
        no_clicks_elsewhere = [
            item(1, tags=("a",), impressions=100, clicked=10),
            item(2, impressions=100, clicked=0),
        ]
        assert tag_ctr_insight(no_clicks_elsewhere) is None

    def test_a_tag_on_every_item_has_nothing_to_compare_with(self) -> None:
        items = [item(1, tags=("a",), impressions=100, clicked=50)]
        assert tag_ctr_insight(items) is None


class TestWeeklyViews:
    def test_rise_and_fall(self) -> None:
        rose = weekly_views_insight(140, 100)
        assert rose is not None
        assert rose.text == "Views rose 40% this week (140 vs 100 the week before)."
        assert rose.figures == {
            "change": pytest.approx(0.4),
            "views_last_7d": 140,
            "views_prev_7d": 100,
        }
        fell = weekly_views_insight(75, 100)
        assert fell is not None
        assert fell.text == "Views fell 25% this week (75 vs 100 the week before)."

    def test_needs_volume_and_a_change_worth_saying(self) -> None:
        n = WEEKLY_MIN_PREVIOUS_VIEWS
        assert weekly_views_insight(n * 3, n) is not None
        assert weekly_views_insight(n * 3, n - 1) is None  # "rose 200%" from 9 views: no
        assert weekly_views_insight(119, 100) is None  # +19%
        assert weekly_views_insight(120, 100) is not None  # +20%
        assert weekly_views_insight(100, 100) is None


class TestTypeDwell:
    def test_longest_against_shortest_type(self) -> None:
        items = [
            item(1, type="video", dwell_ms=120_000, dwell_samples=10),
            item(2, type="video", dwell_ms=60_000, dwell_samples=10),
            item(3, type="blog", dwell_ms=50_000, dwell_samples=12),
            item(4, type="image", dwell_ms=70_000, dwell_samples=10),
        ]
        # video: 1.8M / 20 = 90 s; blog: 50 s; image: 70 s.
        got = type_dwell_insight(items)
        assert got is not None
        assert got.text == (
            "Videos keep people 1.8x longer than your blog posts (1m 30s vs 50.0 s on average)."
        )
        assert (got.figures["longer_type"], got.figures["shorter_type"]) == ("video", "blog")
        assert got.figures["lift"] == pytest.approx(1.8)

    def test_needs_samples_per_type_and_a_real_difference(self) -> None:
        n = TYPE_DWELL_MIN_SAMPLES
        thin = [
            item(1, type="video", dwell_ms=120_000, dwell_samples=n - 1),
            item(2, type="blog", dwell_ms=10_000, dwell_samples=100),
        ]
        assert type_dwell_insight(thin) is None
        close = [
            item(1, type="video", dwell_ms=12_900, dwell_samples=n),
            item(2, type="blog", dwell_ms=10_000, dwell_samples=n),
        ]
        assert type_dwell_insight(close) is None  # 1.29x
        one_type = [item(1, type="video", dwell_ms=1_000, dwell_samples=100)]
        assert type_dwell_insight(one_type) is None


class TestAudienceOverlap:
    def test_most_of_the_audience(self) -> None:
        got = audience_overlap_insight(20, [creator(7, "Olli", 9), creator(8, "Pia", 15)])
        assert got is not None
        assert got.text == "Most of your audience (15 of 20, 75%) also engages with Pia."
        assert got.figures["creator_id"] == 8

    def test_needs_an_audience_and_a_majority(self) -> None:
        n = OVERLAP_MIN_AUDIENCE
        assert audience_overlap_insight(n, [creator(1, "Olli", n // 2)]) is not None
        assert audience_overlap_insight(n - 1, [creator(1, "Olli", n - 1)]) is None
        assert audience_overlap_insight(20, [creator(1, "Olli", 9)]) is None
        assert audience_overlap_insight(20, []) is None


def test_written_insights_keeps_a_fixed_order_and_drops_the_unsupported() -> None:
    items = [
        item(
            1,
            type="video",
            tags=("a",),
            impressions=50,
            clicked=25,
            dwell_ms=90_000,
            dwell_samples=10,
        ),
        item(2, type="blog", impressions=50, clicked=5, dwell_ms=30_000, dwell_samples=10),
    ]
    got = written_insights(
        items, views_last_7d=50, views_prev_7d=20, audience_size=20, overlap=[creator(1, "O", 2)]
    )
    assert [w.kind for w in got] == ["weekly_views", "tag_ctr", "type_dwell"]
    assert written_insights([], views_last_7d=0, views_prev_7d=0, audience_size=0, overlap=[]) == []
