"""Creator insights and per-user dashboard numbers, computed from feedback in the database.

Definitions (all times UTC):

* **Window.** ``window_days`` whole UTC days ending with the day of ``now``: from
  midnight at the start of day ``today - (window_days - 1)`` up to and including
  ``now``. The daily series has exactly ``window_days`` points, zero-filled.
* **Views, likes, clicks.** Interactions of kind ``view``, ``like``, ``click`` whose
  ``occurred_at`` lies in the window.
* **Impressions.** Impression rows whose ``shown_at`` lies in the window.
* **CTR.** ``clicked impressions / impressions``. An impression is *clicked* when the
  same user opened the same item (an interaction of kind ``click`` or ``view``) at or
  after ``shown_at`` and less than ``CLICK_ATTRIBUTION`` (24 h) later, and no later than
  ``now``. Views that no impression led to (search, a shared link) therefore never
  inflate CTR, which stays in ``[0, 1]``; it is ``None`` where there were no impressions.
  The series and the method breakdown count an impression on the day, and under the
  method, it was shown.
* **Dwell.** Mean ``value`` (milliseconds) of ``dwell`` interactions that carry one.
* **Audience.** Distinct users with an engaging interaction (``ENGAGED_KINDS``) on the
  creator's items in the window, the creator's own account excluded.
* **Audience interests.** For each tag: the ``ENGAGEMENT_WEIGHTS``-weighted count of the
  audience's engaging interactions in the window on any item (anyone's) carrying the
  tag, plus ``DECLARED_INTEREST_WEIGHT`` for each audience member who declared the tag
  as an interest; ``share`` is the tag's weight over the sum of all tags' weights.
* **Rising items.** Views in the last 7 x 24 h before ``now`` against the 7 x 24 h
  before that (independent of the window); an item rises when it has at least
  ``RISING_MIN_VIEWS`` recent views and more than in the week before, ranked by the
  smoothed ratio ``(last + 1) / (prev + 1)``.
* **Audience overlap.** Jaccard index of two creators' audiences over the same window.

Every aggregate runs in the database; the number of queries does not depend on the
number of items, interactions or impressions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import fields

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from backend.accounts.models import User
from backend.content.models import ContentItem, Creator
from backend.insights.results import (
    ActivityEntry,
    AudienceInterest,
    CreatorInsights,
    DailyPoint,
    InsightTotals,
    ItemInsights,
    MethodBreakdown,
    RisingItem,
    SimilarCreator,
    UserStats,
)
from backend.insights.written import written_insights
from backend.interactions.models import Impression, Interaction, InteractionKind, NotInterested

__all__ = [
    "CLICK_ATTRIBUTION",
    "SimilarCreatorsFn",
    "can_view_creator_insights",
    "creator_insights",
    "creator_insights_for",
    "recent_activity",
    "user_stats",
]

logger = logging.getLogger(__name__)

UTC = dt.UTC
MAX_WINDOW_DAYS = 365
CLICK_ATTRIBUTION = dt.timedelta(hours=24)
CLICK_KINDS = (InteractionKind.CLICK, InteractionKind.VIEW)
# "Engaging" is anything that shows interest; skips, dislikes and hides do not.
ENGAGED_KINDS = (
    InteractionKind.VIEW,
    InteractionKind.CLICK,
    InteractionKind.LIKE,
    InteractionKind.SHARE,
    InteractionKind.COMMENT,
    InteractionKind.SAVE,
    InteractionKind.DWELL,
)
# How much each act says about a person's interest in an item's tags. Dwell is left out:
# it accompanies a view that is already counted.
ENGAGEMENT_WEIGHTS: dict[str, float] = {
    InteractionKind.VIEW: 1.0,
    InteractionKind.CLICK: 1.0,
    InteractionKind.LIKE: 3.0,
    InteractionKind.COMMENT: 3.0,
    InteractionKind.SAVE: 3.0,
    InteractionKind.SHARE: 4.0,
}
DECLARED_INTEREST_WEIGHT = 2.0
TOP_ITEMS = 5
RISING_ITEMS = 5
RISING_MIN_VIEWS = 5
AUDIENCE_INTERESTS = 10
SIMILAR_CREATORS = 5
# Candidate creators scored for audience overlap, most shared people first.
OVERLAP_CANDIDATES = 200
MAX_RECENT_ACTIVITY = 100

SimilarCreatorsFn = Callable[[int, int], list[tuple[int, float]]]
"""``(creator_id, k) -> [(creator_id, score), ...]``, best first: e.g. from embeddings."""


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _window(window_days: int, now: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    if not isinstance(window_days, int) or not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days must be an integer in 1..{MAX_WINDOW_DAYS}.")
    end = timezone.now() if now is None else now
    if timezone.is_naive(end):
        raise ValueError("now must be timezone-aware.")
    end = end.astimezone(UTC)
    first_day = end.date() - dt.timedelta(days=window_days - 1)
    return dt.datetime.combine(first_day, dt.time.min, tzinfo=UTC), end


def _clicked(now: dt.datetime) -> Exists:
    """Whether the impression (the outer row) led its user to open the item."""
    return Exists(
        Interaction.objects.filter(
            user_id=OuterRef("user_id"),
            item_id=OuterRef("item_id"),
            kind__in=CLICK_KINDS,
            occurred_at__gte=OuterRef("shown_at"),
            occurred_at__lt=OuterRef("shown_at") + Value(CLICK_ATTRIBUTION),
            occurred_at__lte=now,
        )
    )


def _engagement(start: dt.datetime, end: dt.datetime) -> QuerySet[Interaction]:
    """Engaging interactions in the window, creators' acts on their own items excluded."""
    return (
        Interaction.objects.filter(
            kind__in=ENGAGED_KINDS, occurred_at__gte=start, occurred_at__lte=end
        )
        .exclude(user_id=F("item__creator__user_id"))
        .order_by()
    )


def can_view_creator_insights(viewer: User | None, creator: Creator) -> bool:
    """Only the creator's own account, or staff, may read a creator's insights."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if not viewer.is_active:
        return False
    return bool(viewer.is_staff) or viewer.pk == creator.user_id


def creator_insights_for(viewer: User | None, creator: Creator, **kwargs) -> CreatorInsights:
    """:func:`creator_insights` for ``viewer``; raises ``PermissionDenied`` for anyone else."""
    if not can_view_creator_insights(viewer, creator):
        raise PermissionDenied("Only the creator and staff may read these insights.")
    return creator_insights(creator, **kwargs)


def creator_insights(
    creator: Creator,
    *,
    window_days: int = 30,
    now: dt.datetime | None = None,
    similar_creators_fn: SimilarCreatorsFn | None = None,
) -> CreatorInsights:
    """How the creator's items did over the last ``window_days`` days (see module doc)."""
    start, end = _window(window_days, now)
    in_window = Q(occurred_at__gte=start, occurred_at__lte=end)
    shown_in_window = Q(shown_at__gte=start, shown_at__lte=end)
    clicked = _clicked(end)

    # Items and their tags (2 queries).
    item_rows = list(
        ContentItem.objects.filter(creator=creator)
        .order_by("id")
        .values("id", "title", "type", "published_at")
    )
    # By item id, not by a join on the creator: with millions of impressions in the window
    # the planner would otherwise scan them all instead of walking the (item, time) index.
    item_ids = [row["id"] for row in item_rows]
    interactions = Interaction.objects.filter(in_window, item_id__in=item_ids).order_by()
    impressions = Impression.objects.filter(shown_in_window, item_id__in=item_ids).order_by()
    tags_by_item: dict[int, list[str]] = defaultdict(list)
    for row in (
        ContentItem.tags.through.objects.filter(contentitem__creator=creator)
        .order_by("tag__name")
        .values_list("contentitem_id", "tag__name")
    ):
        tags_by_item[row[0]].append(row[1])

    # Per-item interaction and impression aggregates (2 queries).
    acts = {
        row["item_id"]: row
        for row in interactions.values("item_id").annotate(
            views=Count("id", filter=Q(kind=InteractionKind.VIEW)),
            likes=Count("id", filter=Q(kind=InteractionKind.LIKE)),
            clicks=Count("id", filter=Q(kind=InteractionKind.CLICK)),
            dwell_total=Sum("value", filter=Q(kind=InteractionKind.DWELL)),
            dwell_samples=Count("value", filter=Q(kind=InteractionKind.DWELL)),
        )
    }
    shown = {
        row["item_id"]: row
        for row in impressions.values("item_id").annotate(
            impressions=Count("id"), clicked=Count("id", filter=clicked)
        )
    }

    items: list[ItemInsights] = []
    for row in item_rows:
        a = acts.get(row["id"], {})
        s = shown.get(row["id"], {})
        samples = a.get("dwell_samples", 0)
        n_impressions = s.get("impressions", 0)
        n_clicked = s.get("clicked", 0)
        items.append(
            ItemInsights(
                item_id=row["id"],
                title=row["title"],
                type=row["type"],
                published_at=row["published_at"],
                tags=tuple(tags_by_item.get(row["id"], ())),
                views=a.get("views", 0),
                likes=a.get("likes", 0),
                clicks=a.get("clicks", 0),
                impressions=n_impressions,
                clicked_impressions=n_clicked,
                ctr=_rate(n_clicked, n_impressions),
                dwell_ms=(a["dwell_total"] / samples) if samples else None,
                dwell_samples=samples,
            )
        )

    # Daily series (2 queries), zero-filled in Python.
    by_day_acts = {
        row["day"]: row
        for row in interactions.annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values("day")
        .annotate(
            views=Count("id", filter=Q(kind=InteractionKind.VIEW)),
            likes=Count("id", filter=Q(kind=InteractionKind.LIKE)),
        )
    }
    by_day_shown = {
        row["day"]: row
        for row in impressions.annotate(day=TruncDate("shown_at", tzinfo=UTC))
        .values("day")
        .annotate(impressions=Count("id"), clicked=Count("id", filter=clicked))
    }
    series = []
    for offset in range(window_days):
        day = start.date() + dt.timedelta(days=offset)
        a = by_day_acts.get(day, {})
        s = by_day_shown.get(day, {})
        series.append(
            DailyPoint(
                date=day,
                views=a.get("views", 0),
                likes=a.get("likes", 0),
                impressions=s.get("impressions", 0),
                clicked_impressions=s.get("clicked", 0),
                ctr=_rate(s.get("clicked", 0), s.get("impressions", 0)),
            )
        )

    # Recommendation methods (1 query).
    method_rows = list(
        impressions.values("method")
        .annotate(impressions=Count("id"), clicked=Count("id", filter=clicked))
        .order_by("-impressions", "method")
    )
    all_impressions = sum(r["impressions"] for r in method_rows)
    methods = [
        MethodBreakdown(
            method=r["method"],
            impressions=r["impressions"],
            clicked_impressions=r["clicked"],
            ctr=_rate(r["clicked"], r["impressions"]),
            share=r["impressions"] / all_impressions,
        )
        for r in method_rows
    ]

    # Rising items and the weekly change (1 query).
    week_ago, two_weeks_ago = end - dt.timedelta(days=7), end - dt.timedelta(days=14)
    weekly = {
        row["item_id"]: (row["last"], row["prev"])
        for row in Interaction.objects.filter(
            item__creator=creator,
            kind=InteractionKind.VIEW,
            occurred_at__gt=two_weeks_ago,
            occurred_at__lte=end,
        )
        .order_by()
        .values("item_id")
        .annotate(
            last=Count("id", filter=Q(occurred_at__gt=week_ago)),
            prev=Count("id", filter=Q(occurred_at__lte=week_ago)),
        )
    }
    titles = {row["id"]: row["title"] for row in item_rows}
    rising = sorted(
        (
            RisingItem(
                item_id=item_id,
                title=titles.get(item_id, ""),
                views_last_7d=last,
                views_prev_7d=prev,
                growth=(last - prev) / prev if prev else None,
            )
            for item_id, (last, prev) in weekly.items()
            if last >= RISING_MIN_VIEWS and last > prev
        ),
        key=lambda r: (-(r.views_last_7d + 1) / (r.views_prev_7d + 1), -r.views_last_7d, r.item_id),
    )[:RISING_ITEMS]
    views_last_7d = sum(last for last, _ in weekly.values())
    views_prev_7d = sum(prev for _, prev in weekly.values())

    # Audience, its interests and its overlap with other creators (3 to 5 queries).
    audience = _engagement(start, end).filter(item__creator=creator)
    audience_users = audience.values("user_id")
    audience_size = audience.aggregate(n=Count("user_id", distinct=True))["n"]
    interests = _audience_interests(audience_users, start, end) if audience_size else []
    overlap = _audience_overlap(creator, audience_users, audience_size, start, end)

    similar: list[SimilarCreator] = []
    if similar_creators_fn is not None:
        similar = _similar_by_embedding(creator, similar_creators_fn)
    if not similar:
        similar = overlap

    totals_samples = sum(i.dwell_samples for i in items)
    totals_impressions = sum(i.impressions for i in items)
    totals_clicked = sum(i.clicked_impressions for i in items)
    totals = InsightTotals(
        items=len(items),
        views=sum(i.views for i in items),
        likes=sum(i.likes for i in items),
        clicks=sum(i.clicks for i in items),
        impressions=totals_impressions,
        clicked_impressions=totals_clicked,
        ctr=_rate(totals_clicked, totals_impressions),
        dwell_ms=(
            sum(a["dwell_total"] or 0.0 for a in acts.values()) / totals_samples
            if totals_samples
            else None
        ),
        dwell_samples=totals_samples,
        audience_size=audience_size,
    )
    top_items = sorted(
        (i for i in items if i.views),
        key=lambda i: (-i.views, -i.likes, i.item_id),
    )[:TOP_ITEMS]
    written = written_insights(
        items,
        views_last_7d=views_last_7d,
        views_prev_7d=views_prev_7d,
        audience_size=audience_size,
        overlap=overlap,
    )
    return CreatorInsights(
        creator_id=creator.pk,
        display_name=creator.display_name,
        window_days=window_days,
        start=start,
        end=end,
        totals=totals,
        items=sorted(items, key=lambda i: (-i.views, -i.impressions, i.item_id)),
        series=series,
        audience_interests=interests,
        methods=methods,
        top_items=top_items,
        rising_items=rising,
        similar_creators=similar,
        audience_overlap=overlap,
        written=written,
    )


def _audience_interests(
    audience_users: QuerySet, start: dt.datetime, end: dt.datetime
) -> list[AudienceInterest]:
    weight = Sum(
        Case(
            *(When(kind=kind, then=Value(w)) for kind, w in ENGAGEMENT_WEIGHTS.items()),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    weights: dict[int, float] = defaultdict(float)
    names: dict[int, str] = {}
    for row in (
        Interaction.objects.filter(
            user_id__in=audience_users,
            kind__in=list(ENGAGEMENT_WEIGHTS),
            occurred_at__gte=start,
            occurred_at__lte=end,
        )
        .order_by()
        .values("item__tags", "item__tags__name")
        .annotate(weight=weight)
    ):
        if row["item__tags"] is not None:
            weights[row["item__tags"]] += row["weight"]
            names[row["item__tags"]] = row["item__tags__name"]
    for row in (
        User.interested_tags.through.objects.filter(user_id__in=audience_users)
        .order_by()
        .values("tag_id", "tag__name")
        .annotate(people=Count("user_id", distinct=True))
    ):
        weights[row["tag_id"]] += DECLARED_INTEREST_WEIGHT * row["people"]
        names[row["tag_id"]] = row["tag__name"]
    total = sum(weights.values())
    if not total:
        return []
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], names[kv[0]]))
    return [
        AudienceInterest(tag_id=tag_id, name=names[tag_id], weight=w, share=w / total)
        for tag_id, w in ranked[:AUDIENCE_INTERESTS]
        if w > 0
    ]


def _audience_overlap(
    creator: Creator,
    audience_users: QuerySet,
    audience_size: int,
    start: dt.datetime,
    end: dt.datetime,
) -> list[SimilarCreator]:
    """Other creators ranked by the Jaccard index of their audience and this one's."""
    if not audience_size:
        return []
    shared_rows = list(
        _engagement(start, end)
        .filter(user_id__in=audience_users)
        .exclude(item__creator=creator)
        .values("item__creator_id", "item__creator__display_name")
        .annotate(shared=Count("user_id", distinct=True))
        .order_by("-shared", "item__creator_id")[:OVERLAP_CANDIDATES]
    )
    if not shared_rows:
        return []
    sizes = dict(
        _engagement(start, end)
        .filter(item__creator_id__in=[r["item__creator_id"] for r in shared_rows])
        .values("item__creator_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("item__creator_id", "n")
    )
    scored = []
    for row in shared_rows:
        other = row["item__creator_id"]
        union = audience_size + sizes.get(other, row["shared"]) - row["shared"]
        scored.append(
            SimilarCreator(
                creator_id=other,
                display_name=row["item__creator__display_name"],
                score=row["shared"] / union,
                source="audience",
                shared_audience=row["shared"],
            )
        )
    scored.sort(key=lambda c: (-c.score, -(c.shared_audience or 0), c.creator_id))
    return scored[:SIMILAR_CREATORS]


def _similar_by_embedding(creator: Creator, fn: SimilarCreatorsFn) -> list[SimilarCreator]:
    try:
        pairs = list(fn(creator.pk, SIMILAR_CREATORS))
    except Exception:  # a broken model must not take the dashboard down
        logger.warning("similar_creators_fn failed for creator %s", creator.pk, exc_info=True)
        return []
    pairs = [(int(cid), float(score)) for cid, score in pairs if int(cid) != creator.pk]
    names = dict(
        Creator.objects.filter(pk__in=[cid for cid, _ in pairs]).values_list("id", "display_name")
    )
    return [
        SimilarCreator(creator_id=cid, display_name=names[cid], score=score, source="embedding")
        for cid, score in pairs[:SIMILAR_CREATORS]
        if cid in names
    ]


def user_stats(user: User) -> UserStats:
    """Counts of the user's own activity over all time, in one query: the user's row with
    their interactions counted over a join, the other counts as scalar subqueries (which do
    not multiply the joined rows)."""
    acts = "interactions"
    kind = {k: Q(interactions__kind=k) for k in InteractionKind.values}
    engaged = Q(interactions__kind__in=ENGAGED_KINDS)
    counts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            n_interactions=Count(acts),
            n_views=Count(acts, filter=kind[InteractionKind.VIEW]),
            n_clicks=Count(acts, filter=kind[InteractionKind.CLICK]),
            n_likes=Count(acts, filter=kind[InteractionKind.LIKE]),
            n_shares=Count(acts, filter=kind[InteractionKind.SHARE]),
            n_comments=Count(acts, filter=kind[InteractionKind.COMMENT]),
            n_saves=Count(acts, filter=kind[InteractionKind.SAVE]),
            n_dwells=Count(acts, filter=kind[InteractionKind.DWELL]),
            n_skips=Count(acts, filter=kind[InteractionKind.SKIP]),
            n_dislikes=Count(acts, filter=kind[InteractionKind.DISLIKE]),
            n_hides=Count(acts, filter=kind[InteractionKind.HIDE]),
            n_dwell_ms_total=Sum("interactions__value", filter=kind[InteractionKind.DWELL]),
            n_items_engaged=Count("interactions__item_id", distinct=True, filter=engaged),
            n_creators_engaged=Count(
                "interactions__item__creator_id", distinct=True, filter=engaged
            ),
            n_first_activity=Min("interactions__occurred_at"),
            n_last_activity=Max("interactions__occurred_at"),
            n_not_interested_tags=_count_of(NotInterested.objects.filter(tag__isnull=False)),
            n_not_interested_creators=_count_of(
                NotInterested.objects.filter(creator__isnull=False)
            ),
            n_interested_tags=_count_of(User.interested_tags.through.objects.all()),
            n_interested_categories=_count_of(User.interested_categories.through.objects.all()),
        )
        .values(*(f"n_{name}" for name in _STATS_FIELDS))
        .get()
    )
    stats = {name: counts[f"n_{name}"] for name in _STATS_FIELDS}
    stats["dwell_ms_total"] = float(stats["dwell_ms_total"] or 0.0)
    return UserStats(**stats)


# Every field of UserStats, each annotated as ``n_<field>`` (a bare name could clash with a
# relation of User, e.g. ``interactions``).
_STATS_FIELDS = tuple(f.name for f in fields(UserStats))


def _count_of(rows: QuerySet) -> Coalesce:
    """The number of ``rows`` of the outer query's user, as a scalar subquery."""
    mine = rows.filter(user_id=OuterRef("pk")).order_by().values("user_id")
    return Coalesce(Subquery(mine.annotate(n=Count("pk")).values("n")[:1]), 0)


def recent_activity(user: User, limit: int = 20) -> list[ActivityEntry]:
    """The user's own interactions, newest first, each with its item (1 query)."""
    if limit < 1:
        raise ValueError("limit must be at least 1.")
    rows = (
        Interaction.objects.filter(user=user)
        .select_related("item", "item__creator")
        .order_by("-occurred_at", "-id")[: min(limit, MAX_RECENT_ACTIVITY)]
    )
    return [
        ActivityEntry(
            interaction_id=row.pk,
            kind=row.kind,
            occurred_at=row.occurred_at,
            value=row.value,
            device=row.device,
            item=row.item,
        )
        for row in rows
    ]
