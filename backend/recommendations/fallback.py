"""Lists without the model: trending items (nothing known of the user) and the fallback
when no model can serve, re-ranked and explained like the model's.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from backend.content.models import ContentItem
from backend.content.services import tag_ids_by_item
from backend.recommendations.explanations import (
    METHOD_FALLBACK_REASONS,
    TRENDING_TOP,
    Candidate,
    UserEvidence,
    explain,
)
from backend.recommendations.profile import Profile
from backend.recommendations.ranking import (
    freshness_boost,
    intra_list_diversity,
    mmr_rerank,
    unit_rows,
)
from backend.recommendations.registry import ServingModel
from backend.recommendations.request import (
    Method,
    Recommendation,
    RecommendationFilters,
    RecommendationKnobs,
    RecommendationList,
    ScoreBreakdown,
)
from backend.recommendations.scored_list import pool_size
from backend.recommendations.trending import trending

__all__ = ["trending_list"]


def trending_list(
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    profile: Profile,
    state: ServingModel | None,
    method: Method,
    now: datetime,
) -> RecommendationList:
    size = pool_size(first)
    qs = ContentItem.objects.filter(published_at__isnull=False, published_at__lte=now)
    if profile.seen or filters.exclude_ids:
        qs = qs.exclude(id__in=profile.seen | set(filters.exclude_ids))
    if filters.types:
        qs = qs.filter(type__in=filters.types)
    if filters.categories:
        qs = qs.filter(category_id__in=filters.categories)
    blocked_creators = set(profile.blocked_creators)
    if profile.own_creator is not None:
        blocked_creators.add(profile.own_creator)
    if blocked_creators:
        qs = qs.exclude(creator_id__in=blocked_creators)
    if profile.blocked_tags:
        qs = qs.exclude(tags__in=profile.blocked_tags)
    ranking = trending()
    scores = ranking.scores()
    fields = ("id", "creator_id", "published_at", "category_id")
    rows = list(qs.filter(id__in=[i for i, _ in ranking.items[: size * 4]]).values_list(*fields))
    rows.sort(key=lambda r: (-scores.get(r[0], 0.0), -r[0]))
    rows = rows[:size]
    if len(rows) < size:  # not enough activity: fill with the newest items
        have = [r[0] for r in rows]
        rows += list(
            qs.exclude(id__in=have)
            .order_by("-published_at", "-id")
            .values_list(*fields)[: size - len(rows)]
        )
    if not rows:
        return RecommendationList((), method, state.version if state else "", 0.0)
    ids = [r[0] for r in rows]
    tag_map = tag_ids_by_item(ids)
    top = max(scores.values(), default=0.0)
    popularity = np.array(
        [3.0 * math.log1p(scores.get(i, 0.0)) / math.log1p(top) if top > 0 else 0.0 for i in ids]
    )
    published = np.array([r[2].timestamp() for r in rows])
    fresh = freshness_boost((now.timestamp() - published) / 86400.0, knobs.freshness_half_life_days)
    total = popularity + fresh
    vectors = _list_vectors(ids, tag_map, state)
    creators = np.array([r[1] for r in rows], dtype=np.int64)
    categories = np.array([-1 if r[3] is None else r[3] for r in rows], dtype=np.int64)
    picked = mmr_rerank(
        total,
        first,
        diversity=knobs.diversity,
        embeddings=vectors,
        creators=creators,
        categories=categories,
    )
    evidence = UserEvidence(
        followed_tags=set(profile.interest_tags),
        engaged_creators=profile.engaged_creators,
        trending_top=ranking.top_ids(TRENDING_TOP),
    )
    explained = explain(
        [
            Candidate(ids[i], int(creators[i]), tuple(tag_map[ids[i]]), float(published[i]))
            for i in picked.order
        ],
        evidence,
        now,
        METHOD_FALLBACK_REASONS[method.value],
    )
    items = tuple(
        Recommendation(
            item_id=ids[i],
            score=float(total[i] - penalty),
            reasons=tuple(reasons),
            breakdown=ScoreBreakdown(
                popularity=float(popularity[i]),
                freshness=float(fresh[i]),
                diversity_penalty=float(penalty),
            ),
        )
        for i, penalty, reasons in zip(
            picked.order, picked.penalties, explained.reasons, strict=True
        )
    )
    diversity = intra_list_diversity(vectors[picked.order]) if picked.order else 0.0
    return RecommendationList(items, method, state.version if state else "", diversity)


def _list_vectors(
    ids: list[int], tag_map: dict[int, list[int]], state: ServingModel | None
) -> np.ndarray:
    """Unit vectors to diversify a list: model embeddings, or tag sets without a model."""
    if state is not None and all(i in state.item_row for i in ids):
        return state.unit_item_vectors([state.item_row[i] for i in ids])
    columns = {t: c for c, t in enumerate(sorted({t for i in ids for t in tag_map[i]}))}
    matrix = np.zeros((len(ids), max(len(columns), 1)), dtype=np.float32)
    for row, item_id in enumerate(ids):
        for tag in tag_map[item_id]:
            matrix[row, columns[tag]] = 1.0
    return unit_rows(matrix)
