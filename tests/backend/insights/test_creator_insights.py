"""Creator insights against a small, hand-counted history.

The fixture is a week of activity on Cara's three items, ending at NOW. Each number
asserted below is counted by hand from the table of events in ``history``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.content.models import ContentItem, ContentType, Creator, Tag
from backend.insights.services import creator_insights
from backend.interactions.models import Impression, Interaction, InteractionKind

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
START = dt.datetime(2025, 3, 25, tzinfo=UTC)  # window_days=7 -> 25..31 March
V, C, L, D, H = (
    InteractionKind.VIEW,
    InteractionKind.CLICK,
    InteractionKind.LIKE,
    InteractionKind.DWELL,
    InteractionKind.HIDE,
)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, second, micro, tzinfo=UTC)


def act(user, item, kind, when, value=None) -> Interaction:
    return Interaction.objects.create(
        user=user, item=item, kind=kind, occurred_at=when, value=value
    )


def show(user, item, method, when, position=0) -> Impression:
    return Impression.objects.create(
        user=user, item=item, method=method, shown_at=when, position=position, request_id="r"
    )


def make_creator(name: str) -> Creator:
    user = User.objects.create_user(name.lower(), password="pw-123456")
    return Creator.objects.create(user=user, display_name=name)


@pytest.fixture
def history() -> dict:
    tags = {n: Tag.objects.create(name=n, slug=n) for n in ("baking", "food", "travel")}
    cara, olli, pia = make_creator("Cara"), make_creator("Olli"), make_creator("Pia")
    bread = ContentItem.objects.create(
        type=ContentType.BLOG, title="Bread", creator=cara, published_at=at(1)
    )
    bread.tags.set([tags["baking"], tags["food"]])
    knives = ContentItem.objects.create(
        type=ContentType.VIDEO, title="Knife skills", creator=cara, published_at=at(2)
    )
    knives.tags.set([tags["food"]])
    draft = ContentItem.objects.create(type=ContentType.IMAGE, title="Draft", creator=cara)
    trip = ContentItem.objects.create(type=ContentType.BLOG, title="Trip", creator=olli)
    trip.tags.set([tags["travel"]])
    hike = ContentItem.objects.create(type=ContentType.BLOG, title="Hike", creator=pia)

    u1, u2, u3, u4, u5, u6 = (
        User.objects.create_user(n, password="pw-123456")
        for n in ("ana", "ben", "cy", "dee", "eve", "fay")
    )
    u3.interested_tags.set([tags["travel"]])  # audience member: counts
    u4.interested_tags.set([tags["food"]])  # only hid an item: not audience
    cara.user.interested_tags.set([tags["baking"]])  # the creator herself: not audience

    # Impressions of Cara's items.
    show(u1, bread, "hybrid", at(30, 10))  # clicked: u1 views Bread 5 minutes later
    show(u2, bread, "hybrid", at(30, 11))  # not clicked: u2's view comes 24.5 h later
    show(u3, knives, "trending", at(29, 9))  # clicked: u3 clicks a minute later
    show(u1, knives, "trending", at(27, 8))  # not clicked: u1 viewed before being shown
    show(u2, bread, "content", at(20))  # before the window
    show(u1, bread, "hybrid", START)  # exactly at the window start: counted, not clicked

    # Interactions.
    act(u1, bread, V, at(30, 10, 5))
    act(u1, bread, L, at(30, 10, 6))
    act(u1, bread, D, at(30, 10, 7), 30_000)
    act(u2, bread, V, at(31, 11, 30))
    act(u2, bread, D, at(31, 11, 31), 10_000)
    act(u3, knives, C, at(29, 9, 1))
    act(u3, knives, V, at(29, 9, 2))
    act(u3, knives, L, at(29, 9, 3))
    act(u3, knives, D, at(29, 9, 4), 60_000)
    act(u1, knives, V, at(27, 7))
    act(u2, bread, V, START - dt.timedelta(microseconds=1))  # just before the window
    act(u1, bread, V, NOW + dt.timedelta(microseconds=1))  # just after "now"
    act(cara.user, bread, V, at(28, 12))  # her own view: a view, but not audience
    act(u4, bread, H, at(28, 13))  # a hide: not engagement
    # Elsewhere on the platform.
    act(u1, trip, V, at(29, 15))
    act(u2, trip, L, at(29, 16))
    act(u5, trip, V, at(29, 17))
    act(olli.user, trip, V, at(29, 18))  # Olli's own view: not his audience
    act(u3, hike, V, at(30, 1))
    act(u5, hike, V, at(30, 2))
    act(u6, hike, V, at(30, 3))
    return {
        "cara": cara,
        "olli": olli,
        "pia": pia,
        "bread": bread,
        "knives": knives,
        "draft": draft,
        "tags": tags,
    }


def test_per_item_numbers(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    by_id = {i.item_id: i for i in ins.items}
    bread, knives, draft = (
        by_id[history["bread"].pk],
        by_id[history["knives"].pk],
        by_id[history["draft"].pk],
    )
    assert (bread.views, bread.likes, bread.clicks) == (3, 1, 0)
    assert (bread.impressions, bread.clicked_impressions) == (3, 1)
    assert bread.ctr == pytest.approx(1 / 3)
    assert bread.dwell_ms == pytest.approx(20_000)
    assert bread.dwell_samples == 2
    assert bread.tags == ("baking", "food")
    assert bread.type == "blog"

    assert (knives.views, knives.likes, knives.clicks) == (2, 1, 1)
    assert (knives.impressions, knives.clicked_impressions, knives.ctr) == (2, 1, 0.5)
    assert (knives.dwell_ms, knives.dwell_samples) == (60_000, 1)

    assert (draft.views, draft.likes, draft.impressions, draft.dwell_samples) == (0, 0, 0, 0)
    assert draft.ctr is None and draft.dwell_ms is None
    # Most viewed first; the item without views is not a "top" item.
    assert [i.title for i in ins.items] == ["Bread", "Knife skills", "Draft"]
    assert [i.title for i in ins.top_items] == ["Bread", "Knife skills"]


def test_totals(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    t = ins.totals
    assert (t.items, t.views, t.likes, t.clicks) == (3, 5, 2, 1)
    assert (t.impressions, t.clicked_impressions) == (5, 2)
    assert t.ctr == pytest.approx(0.4)
    assert t.dwell_ms == pytest.approx(100_000 / 3)
    assert t.dwell_samples == 3
    assert t.audience_size == 3  # ana, ben, cy; not Cara herself, not dee who only hid
    assert (ins.start, ins.end, ins.window_days) == (START, NOW, 7)
    assert (ins.creator_id, ins.display_name) == (history["cara"].pk, "Cara")


def test_daily_series_is_zero_filled(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    got = [
        (p.date.day, p.views, p.likes, p.impressions, p.clicked_impressions, p.ctr)
        for p in ins.series
    ]
    assert got == [
        (25, 0, 0, 1, 0, 0.0),
        (26, 0, 0, 0, 0, None),
        (27, 1, 0, 1, 0, 0.0),
        (28, 1, 0, 0, 0, None),
        (29, 1, 1, 1, 1, 1.0),
        (30, 1, 1, 2, 1, 0.5),
        (31, 1, 0, 0, 0, None),
    ]
    assert all(
        isinstance(p.date, dt.date) and not isinstance(p.date, dt.datetime) for p in ins.series
    )


def test_methods_that_surfaced_the_items(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    got = [(m.method, m.impressions, m.clicked_impressions, m.ctr, m.share) for m in ins.methods]
    assert got == [
        ("hybrid", 3, 1, pytest.approx(1 / 3), pytest.approx(0.6)),
        ("trending", 2, 1, 0.5, pytest.approx(0.4)),
    ]


def test_audience_interests(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    # food: ana view+like Bread (1+3) + view Knife skills (1), ben view Bread (1),
    #       cy click+view+like Knife skills (1+1+3)                          = 11
    # travel: ana view Trip (1), ben like Trip (3), cy declared travel (2)    =  6
    # baking: ana view+like Bread (1+3), ben view Bread (1)                  =  5
    got = [(a.name, a.weight, a.share) for a in ins.audience_interests]
    assert got == [
        ("food", 11.0, pytest.approx(11 / 22)),
        ("travel", 6.0, pytest.approx(6 / 22)),
        ("baking", 5.0, pytest.approx(5 / 22)),
    ]
    assert ins.audience_interests[0].tag_id == history["tags"]["food"].pk


def test_similar_creators_by_audience_overlap(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    # Cara's audience {ana, ben, cy}; Olli's {ana, ben, eve} -> 2 / 4;
    # Pia's {cy, eve, fay} -> 1 / 5.
    got = [(c.display_name, c.score, c.shared_audience, c.source) for c in ins.similar_creators]
    assert got == [("Olli", 0.5, 2, "audience"), ("Pia", 0.2, 1, "audience")]
    assert ins.audience_overlap == ins.similar_creators


def test_similar_creators_from_an_injected_function(history) -> None:
    olli, cara = history["olli"], history["cara"]
    calls = []

    def by_embedding(creator_id: int, k: int) -> list[tuple[int, float]]:
        calls.append((creator_id, k))
        return [(cara.pk, 1.0), (olli.pk, 0.9), (999_999, 0.5)]

    ins = creator_insights(cara, window_days=7, now=NOW, similar_creators_fn=by_embedding)
    assert calls == [(cara.pk, 5)]
    # Itself and unknown creators are dropped; overlap is still reported on its own.
    got = [(c.creator_id, c.display_name, c.score, c.source) for c in ins.similar_creators]
    assert got == [(olli.pk, "Olli", 0.9, "embedding")]
    assert [c.display_name for c in ins.audience_overlap] == ["Olli", "Pia"]


@pytest.mark.parametrize("result", ["empty", "raises"])
def test_similar_creators_fall_back_to_audience_overlap(history, result) -> None:
    def by_embedding(creator_id: int, k: int) -> list[tuple[int, float]]:
        if result == "raises":
            raise RuntimeError("no model")
        return []

    ins = creator_insights(
        history["cara"], window_days=7, now=NOW, similar_creators_fn=by_embedding
    )
    assert [c.source for c in ins.similar_creators] == ["audience", "audience"]


def test_small_numbers_say_nothing(history) -> None:
    ins = creator_insights(history["cara"], window_days=7, now=NOW)
    assert ins.rising_items == []
    assert ins.written == []


def test_window_boundaries(history) -> None:
    one_day = creator_insights(history["cara"], window_days=1, now=NOW)
    assert one_day.start == dt.datetime(2025, 3, 31, tzinfo=UTC)
    assert [(p.date, p.views) for p in one_day.series] == [(dt.date(2025, 3, 31), 1)]
    assert one_day.totals.views == 1  # ben's view at 11:30; the one after "now" is not counted
    assert one_day.totals.impressions == 0
    assert one_day.totals.audience_size == 1

    # Moving "now" one microsecond past the late view brings it in.
    later = creator_insights(history["cara"], window_days=1, now=NOW + dt.timedelta(microseconds=1))
    assert later.totals.views == 2

    # Eight days reach back to 24 March: the view one microsecond before the 7-day
    # window's start is counted, and so is the impression on the 20th with 12 days.
    eight = creator_insights(history["cara"], window_days=8, now=NOW)
    assert eight.totals.views == 6
    assert len(eight.series) == 8 and eight.series[0].views == 1
    twelve = creator_insights(history["cara"], window_days=12, now=NOW)
    assert twelve.totals.impressions == 6
    assert [m.method for m in twelve.methods] == ["hybrid", "trending", "content"]


def test_default_window_is_thirty_days_ending_now(history) -> None:
    ins = creator_insights(history["cara"], now=NOW)
    assert ins.window_days == 30 and len(ins.series) == 30
    assert ins.series[-1].date == NOW.date()
    assert ins.start == dt.datetime(2025, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_window_days_are_bounded(history, days) -> None:
    with pytest.raises(ValueError, match="window_days"):
        creator_insights(history["cara"], window_days=days, now=NOW)


def test_naive_now_is_refused(history) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        creator_insights(history["cara"], now=dt.datetime(2025, 3, 31))


def test_creator_without_anything() -> None:
    ins = creator_insights(make_creator("Nobody"), window_days=3, now=NOW)
    assert ins.items == [] and ins.top_items == [] and ins.methods == []
    assert ins.audience_interests == [] and ins.similar_creators == [] and ins.written == []
    assert ins.totals.ctr is None and ins.totals.dwell_ms is None
    assert [(p.views, p.impressions, p.ctr) for p in ins.series] == [(0, 0, None)] * 3


def test_rising_items() -> None:
    creator = make_creator("Riser")
    viewer = User.objects.create_user("viewer", password="pw-123456")
    plan = {  # title: (views in the last 7 days, views in the 7 days before)
        "Steady climb": (6, 2),
        "New hit": (5, 0),
        "Too few": (4, 0),
        "Falling": (8, 10),
    }
    items = {}
    rows = []
    for title, (last, prev) in plan.items():
        item = ContentItem.objects.create(type=ContentType.BLOG, title=title, creator=creator)
        items[title] = item
        rows += [
            Interaction(user=viewer, item=item, kind=V, occurred_at=NOW - dt.timedelta(days=1))
            for _ in range(last)
        ]
        rows += [
            Interaction(user=viewer, item=item, kind=V, occurred_at=NOW - dt.timedelta(days=10))
            for _ in range(prev)
        ]
    # The edges: exactly 7 days ago belongs to the week before, exactly 14 days ago to neither.
    rows.append(
        Interaction(
            user=viewer, item=items["Too few"], kind=V, occurred_at=NOW - dt.timedelta(days=7)
        )
    )
    rows.append(
        Interaction(
            user=viewer, item=items["Too few"], kind=V, occurred_at=NOW - dt.timedelta(days=14)
        )
    )
    Interaction.objects.bulk_create(rows)

    ins = creator_insights(creator, window_days=30, now=NOW)
    got = [(r.title, r.views_last_7d, r.views_prev_7d, r.growth) for r in ins.rising_items]
    assert got == [("New hit", 5, 0, None), ("Steady climb", 6, 2, 2.0)]
    # 6+5+4+8 = 23 views this week against 2+0+1+10 = 13 the week before: +77%.
    weekly = [w for w in ins.written if w.kind == "weekly_views"]
    assert [w.text for w in weekly] == ["Views rose 77% this week (23 vs 13 the week before)."]
    assert weekly[0].figures["change"] == pytest.approx(10 / 13)


def _engaged_creator_history(*, n_users: int, shared_with_olli: int) -> dict:
    """Twenty people each shown two of Carla's items; CTR, dwell and overlap set by design."""
    carla, olli = make_creator("Carla"), make_creator("Olli")
    baking = Tag.objects.create(name="baking", slug="baking")
    cake = ContentItem.objects.create(type=ContentType.VIDEO, title="Cake", creator=carla)
    cake.tags.set([baking])
    notes = ContentItem.objects.create(type=ContentType.BLOG, title="Notes", creator=carla)
    trip = ContentItem.objects.create(type=ContentType.BLOG, title="Trip", creator=olli)
    users = User.objects.bulk_create(
        [User(username=f"reader{i}", password="x") for i in range(n_users)]
    )
    shown_at = NOW - dt.timedelta(days=2)
    opened = shown_at + dt.timedelta(minutes=1)
    impressions, acts = [], []
    for i, user in enumerate(users):
        for item in (cake, notes):
            impressions.append(
                Impression(
                    user=user,
                    item=item,
                    method="hybrid",
                    position=0,
                    request_id="r",
                    shown_at=shown_at,
                )
            )
        if i < 10:  # half of the people shown Cake open it
            acts.append(Interaction(user=user, item=cake, kind=V, occurred_at=opened))
            acts.append(
                Interaction(user=user, item=cake, kind=D, occurred_at=opened, value=120_000)
            )
        if i < 2:  # a tenth of the people shown Notes open it
            acts.append(Interaction(user=user, item=notes, kind=V, occurred_at=opened))
        if i < 10:  # ten dwell readings on Notes, a minute each
            acts.append(
                Interaction(user=user, item=notes, kind=D, occurred_at=opened, value=60_000)
            )
        if i >= 10:  # the other half engage with the blog post only by liking it
            acts.append(Interaction(user=user, item=notes, kind=L, occurred_at=opened))
        if i < shared_with_olli:
            acts.append(Interaction(user=user, item=trip, kind=V, occurred_at=opened))
    Impression.objects.bulk_create(impressions)
    Interaction.objects.bulk_create(acts)
    return {"carla": carla, "olli": olli}


def test_written_insights_when_the_numbers_support_them() -> None:
    h = _engaged_creator_history(n_users=20, shared_with_olli=12)
    ins = creator_insights(h["carla"], window_days=7, now=NOW)
    texts = {w.kind: w.text for w in ins.written}
    assert texts == {
        "tag_ctr": "Your posts tagged baking get 5.0x the CTR of your others (50.0% vs 10.0%).",
        "type_dwell": (
            "Videos keep people 2.0x longer than your blog posts (2m 00s vs 1m 00s on average)."
        ),
        "audience_overlap": "Most of your audience (12 of 20, 60%) also engages with Olli.",
    }
    figures = {w.kind: w.figures for w in ins.written}
    assert figures["tag_ctr"]["lift"] == pytest.approx(5.0)
    assert figures["tag_ctr"]["impressions"] == 20
    assert figures["type_dwell"]["longer_dwell_ms"] == 120_000
    assert figures["audience_overlap"]["share"] == pytest.approx(0.6)
    # 12 shared of 20 and 12: Jaccard 12 / 20.
    assert [(c.display_name, c.score) for c in ins.similar_creators] == [("Olli", 0.6)]


def test_written_insights_withheld_below_the_thresholds() -> None:
    # Nineteen people: 19 impressions per item, below the 20 needed to compare CTRs;
    # nine of them also read Olli: under half the audience.
    h = _engaged_creator_history(n_users=19, shared_with_olli=9)
    ins = creator_insights(h["carla"], window_days=7, now=NOW)
    assert {w.kind for w in ins.written} == {"type_dwell"}


def _creator_with_items(name: str, n_items: int) -> Creator:
    creator = make_creator(name)
    other = make_creator(f"{name}-other")
    tag = Tag.objects.create(name=f"{name}-tag", slug=f"{name}-tag")
    fan = User.objects.create_user(f"{name}-fan", password="pw-123456")
    fan.interested_tags.set([tag])
    elsewhere = ContentItem.objects.create(type=ContentType.BLOG, title="x", creator=other)
    for i in range(n_items):
        item = ContentItem.objects.create(type=ContentType.VIDEO, title=f"{i}", creator=creator)
        item.tags.set([tag])
        show(fan, item, "hybrid", NOW - dt.timedelta(days=1))
        act(fan, item, V, NOW - dt.timedelta(hours=23))
        act(fan, item, D, NOW - dt.timedelta(hours=23), 1000)
        act(fan, item, L, NOW - dt.timedelta(days=9))
    act(fan, elsewhere, V, NOW - dt.timedelta(days=1))
    return creator


@pytest.mark.parametrize("with_fn", [False, True])
def test_query_count_does_not_grow_with_items(with_fn) -> None:
    small, large = _creator_with_items("small", 1), _creator_with_items("large", 8)
    fn = (lambda cid, k: [(small.pk, 0.5), (large.pk, 0.4)]) if with_fn else None
    counts = []
    for creator in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            ins = creator_insights(creator, window_days=30, now=NOW, similar_creators_fn=fn)
        counts.append(len(ctx.captured_queries))
        assert ins.totals.impressions == ins.totals.views == len(ins.items)
        assert ins.similar_creators
    assert counts[0] == counts[1]
    assert counts[0] <= 15


def test_days_are_utc_days_whatever_the_zone_of_now(history) -> None:
    # 12:00 UTC on 31 March is already 1 April in Auckland; the window still ends on the 31st.
    auckland = NOW.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert auckland.date() == dt.date(2025, 4, 1)
    ins = creator_insights(history["cara"], window_days=7, now=auckland)
    assert (ins.start, ins.end) == (START, NOW)
    assert [p.views for p in ins.series] == [0, 0, 1, 1, 1, 1, 1]
