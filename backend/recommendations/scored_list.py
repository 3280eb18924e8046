"""A model's list for one user: the eligible items, their scores with the freshness boost,
the pool that re-ranking chooses from, the re-rank, the explanations and the breakdowns.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.conf import settings

from backend.content.models import ContentItem
from backend.recommendations import bandit
from backend.recommendations.context import NO_CONTEXT, RequestContext
from backend.recommendations.explanations import (
    METHOD_FALLBACK_REASONS,
    TRENDING_TOP,
    Candidate,
    Reason,
    UserEvidence,
    explain,
    exploration_reason,
)
from backend.recommendations.profile import Profile
from backend.recommendations.ranking import (
    candidate_pool,
    fatigue_penalty,
    intra_list_diversity,
    mmr_rerank,
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
from backend.recommendations.retrieval import indexed_positions, score_spread
from backend.recommendations.rows import rows_of
from backend.recommendations.sources import SourcedList, SourcePlan, sourced_list
from backend.recommendations.trending import trending
from backend.recommendations.universe import Positions, Taste, Universe, universe_of

__all__ = ["POOL_FACTOR", "model_list", "pool_size", "still_published", "top_positions"]


# Re-ranking looks at this many of the best candidates per requested item (at least 100)...
POOL_FACTOR = 5


# ...and, when diversifying, at each category's best among this many per requested item.
CATEGORY_WINDOW_FACTOR = 50


def _eligible_mask(
    universe: Universe,
    state: ServingModel,
    filters: RecommendationFilters,
    profile: Profile,
    now: datetime,
) -> np.ndarray:
    published = universe.published
    mask = np.isfinite(published) & (published <= now.timestamp())
    if profile.blocked_tags:
        mask &= ~universe.rows_with_tags(state, profile.blocked_tags)
    # Seen and excluded ids by position: a dictionary lookup each, not a pass over all.
    for item_id in profile.seen | set(filters.exclude_ids):
        position = universe.positions.of(item_id)
        if position is not None:
            mask[position] = False
    if filters.types:
        mask &= np.isin(universe.item_type, np.array(filters.types, dtype=object))
    if filters.categories:
        mask &= np.isin(universe.category, np.array(filters.categories, dtype=np.int64))
    blocked = set(profile.blocked_creators)
    if profile.own_creator is not None:
        blocked.add(profile.own_creator)
    if blocked:
        mask &= ~np.isin(universe.creator, np.fromiter(blocked, dtype=np.int64))
    return mask


def model_list(
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    profile: Profile,
    state: ServingModel,
    taste: Taste,
    method: Method,
    now: datetime,
    sources: SourcePlan | None = None,
    context: RequestContext = NO_CONTEXT,
) -> RecommendationList:
    universe = universe_of(state)
    positions, ids, creator = universe.positions, universe.ids, universe.creator

    mask = _eligible_mask(universe, state, filters, profile, now)
    if not mask.any():
        return RecommendationList((), method, state.version, 0.0)
    # Scores at every position (the model's items, then the new ones: content only),
    # scaled to unit spread over the eligible items so the freshness boost means the same
    # for every user.
    tag_part = universe.tag_part(state, taste)
    fresh = universe.freshness(now.timestamp(), knobs.freshness_half_life_days)
    # above a catalogue size, the item index's candidates rather than every item
    width = _pool_width(first, knobs.diversity)
    rows = indexed_positions(state, universe, taste, knobs.blend, tag_part, fresh, width, mask)
    raw = universe.blended(state, taste, knobs.blend, tag_part, rows)
    spread = score_spread(raw, mask, universe, rows)
    scale = 1.0 / spread if spread > 1e-9 else 1.0
    score = raw * scale + fresh
    moment = universe.context_term(state, context)
    if moment is not None:
        score += moment
    fatigued, fatigue = _fatigue(universe, profile)
    score[fatigued] -= fatigue
    total = np.where(mask, score, -np.inf)
    # what fatigue took off, by position: a few entries, not an array over the catalogue
    fatigue_at = dict(zip(fatigued.tolist(), fatigue.tolist(), strict=True))

    pool = _pool(total, first, knobs.diversity, universe.category)
    sourced = None
    if sources is not None and sources.active:
        # The list's items come from the candidate sources; the re-rank below orders them.
        posterior = bandit.posterior(bandit.segment_of(method.value)) if sources.bandit else None
        sourced = sourced_list(
            first,
            sources,
            state,
            universe,
            taste,
            tag_part,
            mask,
            total,
            pool,
            now,
            posterior,
        )
        pool = sourced.positions
    trending_top = trending().top_ids(TRENDING_TOP)
    liked_rows = [int(r) for r in rows_of(state.item_row, profile.liked) if r >= 0]
    evidence = UserEvidence(
        liked_items=[int(state.item_ids[r]) for r in liked_rows],
        liked_vectors=state.unit_item_vectors(liked_rows) if liked_rows else None,
        followed_tags=set(profile.interest_tags),
        engaged_creators=profile.engaged_creators,
        trending_top=trending_top,
    )
    while True:
        vectors = universe.unit_vectors(state, np.array(pool, dtype=np.int64))
        picked = mmr_rerank(
            total[pool],
            first,
            diversity=knobs.diversity,
            embeddings=vectors,
            creators=creator[pool],
            categories=universe.category[pool],
        )
        chosen = [pool[j] for j in picked.order]
        candidates = [
            _candidate(state, universe, p, vectors[j], 0.0 if moment is None else moment[p])
            for j, p in zip(picked.order, chosen, strict=True)
        ]
        # The names' round trip also asks which picks are still published: the catalogue
        # in memory may lag a change made since it was read. Rarely, one is gone: pick again
        # without it.
        explained = explain(
            candidates,
            evidence,
            now,
            METHOD_FALLBACK_REASONS[method.value],
            check_live=True,
            moment=context.describe(),
        )
        live = explained.live or frozenset()
        gone = {p for p in chosen if int(ids[p]) not in live}
        if not gone:
            break
        pool = [p for p in pool if p not in gone]
    graph_part, content_part = universe.parts(state, taste, chosen, knobs.blend, tag_part)
    graph_part, popularity_part = _popularity_part(state, positions, chosen, graph_part)
    items = tuple(
        Recommendation(
            item_id=int(ids[p]),
            score=float(total[p] - penalty),
            reasons=_with_exploration(sourced, p, int(creator[p]), reasons),
            breakdown=ScoreBreakdown(
                graph=float(graph_part[i] * scale),
                content=float(content_part[i] * scale),
                popularity=float(popularity_part[i] * scale),
                freshness=float(fresh[p]),
                context=0.0 if moment is None else float(moment[p]),
                fatigue_penalty=fatigue_at.get(p, 0.0),
                diversity_penalty=float(penalty),
            ),
            source="" if sourced is None else sourced.source[p],
        )
        for i, (p, penalty, reasons) in enumerate(
            zip(chosen, picked.penalties, explained.reasons, strict=True)
        )
    )
    diversity = intra_list_diversity(vectors[picked.order]) if picked.order else 0.0
    return RecommendationList(items, method, state.version, diversity)


def _with_exploration(
    sourced: SourcedList | None, position: int, creator_id: int, reasons: list[Reason]
) -> tuple[Reason, ...]:
    """The item's reasons, led by "exploring" when it is there to explore."""
    if sourced is None or position not in sourced.explore:
        return tuple(reasons)
    return (exploration_reason(sourced.source[position], creator_id), *reasons)


def _fatigue(universe: Universe, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the items the user was shown lately without engaging, and what their
    unengaged impressions cost them (see ``ranking.fatigue_penalty``)."""
    shown = profile.unengaged_impressions
    if not shown or not settings.RECOMMENDATION_FATIGUE:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    ids = list(shown)
    positions = universe.positions.of_many(ids)
    served = positions >= 0
    counts = np.fromiter(shown.values(), dtype=np.float64, count=len(ids))
    return positions[served], fatigue_penalty(counts[served])


def _candidate(
    state: ServingModel,
    universe: Universe,
    position: int,
    vector: np.ndarray,
    context: float = 0.0,
) -> Candidate:
    """What the explanations know of the item at ``position``."""
    positions = universe.positions
    if positions.in_model(position):
        tags = tuple(state.catalogue.tags_of(position))
    else:
        tags = universe.new.tags[int(positions.new_index(position))]
    return Candidate(
        item_id=int(universe.ids[position]),
        creator_id=int(universe.creator[position]),
        tag_ids=tags,
        published=float(universe.published[position]),
        vector=vector,
        category_id=int(universe.category[position]),
        context=float(context),
    )


def pool_size(first: int) -> int:
    """How many of the best candidates a list of ``first`` items is chosen from."""
    return max(first * POOL_FACTOR, 100)


def _pool_width(first: int, diversity: float) -> int:
    """How many of the best candidates :func:`_pool` looks at."""
    size = pool_size(first)
    return size if diversity <= 0 else max(size, first * CATEGORY_WINDOW_FACTOR)


def _pool(total: np.ndarray, first: int, diversity: float, category: np.ndarray) -> list[int]:
    """The candidates re-ranking chooses from, best first: the best ``POOL_FACTOR`` per
    requested item and, when diversifying, each category's best among a wider window."""
    size = pool_size(first)
    if diversity <= 0:
        return [int(p) for p in candidate_pool(total, size)]
    pool = candidate_pool(
        total,
        size,
        categories=category,
        per_category=max(first // 2, 1),
        window=first * CATEGORY_WINDOW_FACTOR,
    )
    return [int(p) for p in pool]


def _popularity_part(
    state: ServingModel, numbering: Positions, positions: list[int], graph: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Split graph parts into taste and popularity.

    The graph score of an item carries its degree tilt ``item_scale`` (``d_i^gamma``):
    ``graph = taste * item_scale``. The popularity part is what that tilt adds beyond the
    tilt of an item of median popularity, ``graph * (1 - median / item_scale)``: positive
    for items more popular than the median, negative for niche ones, zero for items placed
    by content alone. The two parts add up to the graph part.
    """
    scale = getattr(state.model, "item_scale", None)
    if scale is None:
        return graph, np.zeros_like(graph)
    reference = state.derived.get("median_item_scale")
    if reference is None:
        warm = np.asarray(state.model.item_warm, dtype=bool)
        values = np.asarray(scale, dtype=np.float64)
        reference = float(np.median(values[warm])) if warm.any() else 1.0
        with state.new_item_lock:
            state.derived["median_item_scale"] = reference
    rows = np.asarray(positions, dtype=np.int64)
    item_scale = np.ones(len(rows), dtype=np.float64)
    known = numbering.in_model(rows)
    item_scale[known] = np.asarray(scale, dtype=np.float64)[rows[known]]
    share = np.where(item_scale > 0, 1.0 - reference / np.maximum(item_scale, 1e-12), 0.0)
    popularity = (graph * share).astype(np.float32)
    return (graph - popularity).astype(np.float32), popularity


def top_positions(values: np.ndarray, n: int) -> list[int]:
    n = min(n, len(values))
    part = np.argpartition(-values, n - 1)[:n] if n < len(values) else np.arange(len(values))
    return [int(i) for i in part[np.argsort(-values[part], kind="stable")]]


def still_published(ids: np.ndarray, pool: list[int], now: datetime) -> list[int]:
    # ``pool`` indexes ``ids``: positions, or candidate numbers for a list of candidates.
    """Drop pool entries deleted or unpublished since the catalogue was read."""
    wanted = [int(ids[i]) for i in pool]
    live = set(
        ContentItem.objects.filter(
            id__in=wanted, published_at__isnull=False, published_at__lte=now
        ).values_list("id", flat=True)
    )
    return [i for i in pool if int(ids[i]) in live]
