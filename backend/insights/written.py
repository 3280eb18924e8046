"""Short written insights for creators, drawn from numbers already computed.

Each rule states a sentence only when the numbers behind it are large enough to mean
something (the ``MIN_*`` thresholds) and the effect is big enough to be worth saying
(the ``*_MIN_LIFT`` / ``*_MIN_CHANGE`` thresholds); otherwise it says nothing. The
figures go into the text and, unrounded, into ``WrittenInsight.figures`` so a client can
render them its own way. Pure functions: no database access.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from backend.content.models import ContentType
from backend.insights.results import ItemInsights, SimilarCreator, WrittenInsight

__all__ = [
    "audience_overlap_insight",
    "tag_ctr_insight",
    "type_dwell_insight",
    "weekly_views_insight",
    "written_insights",
]

# Impressions needed on each side (tagged items and the others) before comparing CTRs.
TAG_CTR_MIN_IMPRESSIONS = 20
TAG_CTR_MIN_LIFT = 1.5
# Views needed in the week before, so "rose 300%" is never said of 1 -> 4 views.
WEEKLY_MIN_PREVIOUS_VIEWS = 10
WEEKLY_MIN_CHANGE = 0.2
# Dwell measurements needed per content type before comparing types.
TYPE_DWELL_MIN_SAMPLES = 10
TYPE_DWELL_MIN_LIFT = 1.3
# People needed in the audience, and the share of them another creator must also reach.
OVERLAP_MIN_AUDIENCE = 10
OVERLAP_MIN_SHARE = 0.5

_TYPE_PLURALS = {
    ContentType.BLOG: "blog posts",
    ContentType.VIDEO: "videos",
    ContentType.IMAGE: "images",
    ContentType.AUDIO: "audio posts",
}


def _plural(content_type: str) -> str:
    return _TYPE_PLURALS.get(content_type, f"{content_type} posts")


def _duration(ms: float) -> str:
    seconds = ms / 1000.0
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


def tag_ctr_insight(items: Sequence[ItemInsights]) -> WrittenInsight | None:
    """ "Your posts tagged X get 2.3x the CTR of your others", for the strongest such tag."""
    total_impressions = sum(i.impressions for i in items)
    total_clicked = sum(i.clicked_impressions for i in items)
    best: tuple[float, str, float, float, int, int] | None = None
    for tag in sorted({t for i in items for t in i.tags}):
        tagged = [i for i in items if tag in i.tags]
        impressions = sum(i.impressions for i in tagged)
        clicked = sum(i.clicked_impressions for i in tagged)
        other_impressions = total_impressions - impressions
        other_clicked = total_clicked - clicked
        if impressions < TAG_CTR_MIN_IMPRESSIONS or other_impressions < TAG_CTR_MIN_IMPRESSIONS:
            continue
        ctr, other_ctr = clicked / impressions, other_clicked / other_impressions
        if other_ctr == 0:
            continue  # a ratio against zero is not a figure anyone can act on
        lift = ctr / other_ctr
        if lift >= TAG_CTR_MIN_LIFT and (best is None or lift > best[0]):
            best = (lift, tag, ctr, other_ctr, impressions, other_impressions)
    if best is None:
        return None
    lift, tag, ctr, other_ctr, impressions, other_impressions = best
    return WrittenInsight(
        kind="tag_ctr",
        text=(
            f"Your posts tagged {tag} get {lift:.1f}x the CTR of your others "
            f"({ctr:.1%} vs {other_ctr:.1%})."
        ),
        figures={
            "tag": tag,
            "lift": lift,
            "ctr": ctr,
            "other_ctr": other_ctr,
            "impressions": impressions,
            "other_impressions": other_impressions,
        },
    )


def weekly_views_insight(last_7d: int, prev_7d: int) -> WrittenInsight | None:
    """ "Views rose 40% this week" (or fell), comparing the last 7 days with the 7 before."""
    if prev_7d < WEEKLY_MIN_PREVIOUS_VIEWS:
        return None
    change = (last_7d - prev_7d) / prev_7d
    if abs(change) < WEEKLY_MIN_CHANGE:
        return None
    verb = "rose" if change > 0 else "fell"
    return WrittenInsight(
        kind="weekly_views",
        text=(
            f"Views {verb} {abs(change):.0%} this week ({last_7d} vs {prev_7d} the week before)."
        ),
        figures={"change": change, "views_last_7d": last_7d, "views_prev_7d": prev_7d},
    )


def type_dwell_insight(items: Iterable[ItemInsights]) -> WrittenInsight | None:
    """ "Videos keep people 1.8x longer than your blog posts", longest vs shortest type."""
    totals: dict[str, list[float]] = {}
    for item in items:
        if item.dwell_samples and item.dwell_ms is not None:
            acc = totals.setdefault(item.type, [0.0, 0])
            acc[0] += item.dwell_ms * item.dwell_samples
            acc[1] += item.dwell_samples
    means = {
        kind: total / samples
        for kind, (total, samples) in totals.items()
        if samples >= TYPE_DWELL_MIN_SAMPLES
    }
    if len(means) < 2:
        return None
    longest = max(sorted(means), key=lambda k: means[k])
    shortest = min(sorted(means), key=lambda k: means[k])
    if means[shortest] <= 0:
        return None
    lift = means[longest] / means[shortest]
    if lift < TYPE_DWELL_MIN_LIFT:
        return None
    return WrittenInsight(
        kind="type_dwell",
        text=(
            f"{_plural(longest).capitalize()} keep people {lift:.1f}x longer than your "
            f"{_plural(shortest)} ({_duration(means[longest])} vs "
            f"{_duration(means[shortest])} on average)."
        ),
        figures={
            "longer_type": longest,
            "shorter_type": shortest,
            "lift": lift,
            "longer_dwell_ms": means[longest],
            "shorter_dwell_ms": means[shortest],
        },
    )


def audience_overlap_insight(
    audience_size: int, overlap: Sequence[SimilarCreator]
) -> WrittenInsight | None:
    """ "Most of your audience also engages with Y", for the creator they share most with."""
    if audience_size < OVERLAP_MIN_AUDIENCE or not overlap:
        return None
    top = max(overlap, key=lambda c: (c.shared_audience or 0, -c.creator_id))
    shared = top.shared_audience or 0
    share = shared / audience_size
    if share < OVERLAP_MIN_SHARE:
        return None
    return WrittenInsight(
        kind="audience_overlap",
        text=(
            f"Most of your audience ({shared} of {audience_size}, {share:.0%}) "
            f"also engages with {top.display_name}."
        ),
        figures={
            "creator_id": top.creator_id,
            "creator": top.display_name,
            "shared_audience": shared,
            "audience_size": audience_size,
            "share": share,
        },
    )


def written_insights(
    items: Sequence[ItemInsights],
    *,
    views_last_7d: int,
    views_prev_7d: int,
    audience_size: int,
    overlap: Sequence[SimilarCreator],
) -> list[WrittenInsight]:
    """Every rule's sentence that the numbers support, in a fixed order."""
    candidates = [
        weekly_views_insight(views_last_7d, views_prev_7d),
        tag_ctr_insight(items),
        type_dwell_insight(items),
        audience_overlap_insight(audience_size, overlap),
    ]
    return [c for c in candidates if c is not None]
