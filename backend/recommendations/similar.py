"""Items most like one item: the model's item embeddings, or shared tags without a model."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

import numpy as np
from django.db.models import Q
from django.utils import timezone

from backend.content.models import ContentItem
from backend.recommendations.explanations import (
    explain_similar,
)
from backend.recommendations.ranking import (
    intra_list_diversity,
    unit_rows,
)
from backend.recommendations.registry import ServingModel, registry
from backend.recommendations.request import (
    Method,
    Recommendation,
    RecommendationList,
    ScoreBreakdown,
    validate_first,
)
from backend.recommendations.scored_list import still_published, top_positions
from backend.recommendations.universe import universe_of

__all__ = ["similar_items"]

logger = logging.getLogger(__name__)


def similar_items(item: ContentItem, first: int = 10) -> RecommendationList:
    """Published items most like ``item`` (never itself), best first, each citing ``item``
    and what it shares with it (tags, creator, category).

    With a model: cosine similarity of the item embeddings (a new item is placed by the
    content tower first), method HYBRID. Without one: shared tags, then same category,
    then recency, method FALLBACK.
    """
    found = _nearest_items(item, validate_first(first))
    explained = explain_similar(item, found.item_ids)
    items = tuple(
        replace(rec, reasons=tuple(reasons))
        for rec, reasons in zip(found.items, explained, strict=True)
    )
    return replace(found, items=items)


def _nearest_items(item: ContentItem, first: int) -> RecommendationList:
    now = timezone.now()
    state = registry.current()
    if state is not None:
        try:
            return _similar_by_model(item, first, state, now)
        except Exception:
            logger.exception("model %s failed on similar items; falling back", state.version)
    return _similar_by_tags(item, first, now)


def _similar_by_model(
    item: ContentItem, first: int, state: ServingModel, now: datetime
) -> RecommendationList:
    universe = universe_of(state)
    ids, published = universe.ids, universe.published
    position = universe.positions.of(item.pk)
    if position is not None:
        target = universe.unit_vectors(state, np.array([position]))[0]
    else:  # an unpublished item: place it from its content
        target = unit_rows(_embed_one(state, item))[0]
    sims = np.concatenate([state.item_cosines(target), universe.new_unit @ target])
    mask = np.isfinite(published) & (published <= now.timestamp()) & (ids != item.pk)
    candidates = np.flatnonzero(mask)
    order = top_positions(sims[candidates], max(first * 2, 20))
    order = still_published(ids[candidates], order, now)[:first]
    items = tuple(
        Recommendation(
            item_id=int(ids[candidates[i]]),
            score=float(sims[candidates[i]]),
            breakdown=ScoreBreakdown(content=float(sims[candidates[i]])),
        )
        for i in order
    )
    chosen = universe.unit_vectors(state, candidates[order]) if order else np.zeros((0, 1))
    return RecommendationList(items, Method.HYBRID, state.version, intra_list_diversity(chosen))


def _embed_one(state: ServingModel, item: ContentItem) -> np.ndarray:
    tags = [state.tag_row[t] for t in item.tags.values_list("id", flat=True) if t in state.tag_row]
    return state.model.embed_new_items(
        item_tags=[np.array(tags, dtype=np.int64)],
        item_category=np.array([state.category_row.get(item.category_id, -1)], dtype=np.int64),
        item_type=np.array([state.type_row.get(item.type, -1)], dtype=np.int64),
        item_text=[f"{item.title}. {item.excerpt}"],
    )


def _similar_by_tags(item: ContentItem, first: int, now: datetime) -> RecommendationList:
    tag_ids = set(item.tags.values_list("id", flat=True))
    qs = ContentItem.objects.filter(published_at__isnull=False, published_at__lte=now).exclude(
        pk=item.pk
    )
    related = qs.filter(Q(tags__in=tag_ids) | Q(category_id=item.category_id)).distinct()
    rows = list(related.values_list("id", "category_id", "published_at")[:500])
    ids = [r[0] for r in rows]
    shared: dict[int, int] = {i: 0 for i in ids}
    for item_id in ContentItem.tags.through.objects.filter(
        contentitem_id__in=ids, tag_id__in=tag_ids
    ).values_list("contentitem_id", flat=True):
        shared[item_id] += 1
    denominator = max(len(tag_ids), 1)
    scored = [
        (shared[i] / denominator + (0.5 if cat == item.category_id else 0.0), pub.timestamp(), i)
        for i, cat, pub in rows
    ]
    scored.sort(reverse=True)
    items = tuple(
        Recommendation(item_id=i, score=float(s), breakdown=ScoreBreakdown(content=float(s)))
        for s, _, i in scored[:first]
    )
    return RecommendationList(items, Method.FALLBACK, "", 0.0)
