"""Recommendations for a user and similar items: the service's public entry points.

A request goes: validate knobs; take the current model from the registry (one reference,
kept to the end); look the list up in the cache; otherwise read the user's history and
refusals, score every eligible item (brute force over the in-memory embeddings, items
published after training placed by the content tower), boost fresh items, re-rank for
diversity, explain each pick; log impressions; return.

How the user is placed (``method`` of the list):

* ``HYBRID``: the trained user vector, blended with a fold-in of the interactions made since
  the model was trained, so a new like moves similar items up before any retraining; a user
  unknown to the model is folded in from all their interactions;
* ``CONTENT``: no interactions yet, but declared interests: their tags and categories are
  folded in and items are ranked through the content tower;
* ``TRENDING``: nothing to go on: recently popular items;
* ``FALLBACK``: no model is active or it cannot be loaded: trending items, and a warning in
  the log. The caller never sees an exception for a model problem.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum

import numpy as np
import scipy.sparse as sp
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.content.models import ContentItem, Creator
from backend.interactions.models import Interaction, InteractionKind, NotInterested
from backend.recommendations import cache
from backend.recommendations.explanations import (
    METHOD_FALLBACK_REASONS,
    TRENDING_TOP,
    Candidate,
    Reason,
    UserEvidence,
    explain,
    explain_similar,
)
from backend.recommendations.export import KIND_WEIGHTS, TYPE_ORDER
from backend.recommendations.impressions import log_impressions
from backend.recommendations.queries import union_all
from backend.recommendations.ranking import (
    candidate_pool,
    freshness_boost,
    intra_list_diversity,
    mmr_rerank,
    unit_rows,
)
from backend.recommendations.registry import ScoringModel, ServingModel, registry
from backend.recommendations.trending import trending
from backend.recommendations.universe import Taste, Universe, universe_of

__all__ = [
    "InvalidKnob",
    "Method",
    "Recommendation",
    "RecommendationFilters",
    "RecommendationKnobs",
    "RecommendationList",
    "ScoreBreakdown",
    "recommend_for_user",
    "similar_items",
]

logger = logging.getLogger(__name__)

PAGE_SIZE_MAX = 100
HALF_LIFE_MIN_DAYS = 1.0
HALF_LIFE_MAX_DAYS = 365.0
DEFAULT_HALF_LIFE_DAYS = 30.0
# A half-life of 0 days: no freshness boost at all (an instant decay).
FRESHNESS_OFF = 0.0
DEFAULT_DIVERSITY = 0.3
# Re-ranking looks at this many of the best candidates per requested item (at least 100)...
POOL_FACTOR = 5
# ...and, when diversifying, at each category's best among this many per requested item.
CATEGORY_WINDOW_FACTOR = 50
# How strongly interactions since training pull the trained user vector: with n of them
# the fold-in gets weight n / (n + REALTIME_PRIOR).
REALTIME_PRIOR = 3.0
# Kinds whose item may be cited as "you liked".
LIKED_KINDS = frozenset({InteractionKind.LIKE, InteractionKind.SAVE})
# Positive weight on a creator's items needed to call the user engaged with them.
ENGAGED_CREATOR_WEIGHT = 4.0


class Method(StrEnum):
    HYBRID = "hybrid"
    CONTENT = "content"
    TRENDING = "trending"
    FALLBACK = "fallback"


class InvalidKnob(ValueError):
    """A per-request knob is out of bounds; ``knob`` names it."""

    def __init__(self, knob: str, message: str) -> None:
        super().__init__(f"{knob}: {message}")
        self.knob = knob


@dataclass(frozen=True)
class RecommendationFilters:
    """What may appear: item types and categories (empty = all), ids never to show."""

    types: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()
    exclude_ids: tuple[int, ...] = ()
    exclude_own: bool = False

    def normalised(self) -> RecommendationFilters:
        unknown = [t for t in self.types if t not in TYPE_ORDER]
        if unknown:
            raise InvalidKnob("types", f"unknown type {unknown[0]!r}; use one of {TYPE_ORDER}")
        return RecommendationFilters(
            types=tuple(sorted(set(self.types))),
            categories=tuple(sorted({int(c) for c in self.categories})),
            exclude_ids=tuple(sorted({int(i) for i in self.exclude_ids})),
            exclude_own=bool(self.exclude_own),
        )


@dataclass(frozen=True)
class RecommendationKnobs:
    """Per-request tuning, each bounded.

    ``blend``: share of the content score for items with interactions, 0 (graph only) to 1
    (content only); ``None`` keeps the blend the model was trained with. ``diversity``: 0
    (pure relevance) to 1 (strongest MMR and same-creator decay). ``freshness_half_life_days``:
    after this many days an item keeps half of its freshness boost (1 to 365); 0 turns the
    boost off. ``diversity=0`` with ``freshness_half_life_days=0`` serves the model's own
    ranking: re-ranking off, as the quality benchmark measures it.
    """

    blend: float | None = None
    diversity: float = DEFAULT_DIVERSITY
    freshness_half_life_days: float = DEFAULT_HALF_LIFE_DAYS

    def validated(self) -> RecommendationKnobs:
        def bounded(name: str, value: float | None, low: float, high: float) -> None:
            if value is None:
                return
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidKnob(name, f"must be a number from {low:g} to {high:g}")
            if not math.isfinite(value) or not low <= value <= high:
                raise InvalidKnob(name, f"must be from {low:g} to {high:g}, got {value!r}")

        bounded("blend", self.blend, 0.0, 1.0)
        bounded("diversity", self.diversity, 0.0, 1.0)
        half_life = self.freshness_half_life_days
        if type(half_life) not in (int, float) or half_life != FRESHNESS_OFF:
            bounded(
                "freshness_half_life_days",
                self.freshness_half_life_days,
                HALF_LIFE_MIN_DAYS,
                HALF_LIFE_MAX_DAYS,
            )
        return self


def _validate_first(first: int) -> int:
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= PAGE_SIZE_MAX:
        raise InvalidKnob("first", f"must be an integer from 1 to {PAGE_SIZE_MAX}, got {first!r}")
    return first


@dataclass(frozen=True)
class ScoreBreakdown:
    """The parts of a score, in one unit: ``score = graph + content + popularity +
    freshness - diversity_penalty``."""

    graph: float = 0.0
    content: float = 0.0
    popularity: float = 0.0
    freshness: float = 0.0
    diversity_penalty: float = 0.0


@dataclass(frozen=True)
class Recommendation:
    item_id: int
    score: float
    reasons: tuple[Reason, ...] = ()
    breakdown: ScoreBreakdown = field(default_factory=ScoreBreakdown)


@dataclass(frozen=True)
class RecommendationList:
    """One served list: its items, how it was made, and by which model version."""

    items: tuple[Recommendation, ...]
    method: Method
    model_version: str
    diversity: float
    cached: bool = False
    request_id: str = ""

    @property
    def item_ids(self) -> list[int]:
        return [rec.item_id for rec in self.items]


# -- the user's side ------------------------------------------------------------------


@dataclass
class _Profile:
    seen: set[int]
    # (item id, kind weight, unix time, creator id) of every act, oldest first
    acts: list[tuple[int, float, float, int]]
    liked: list[int]
    blocked_tags: set[int]
    blocked_creators: set[int]
    interest_tags: list[int]
    interest_categories: list[int]
    own_creator: int | None
    engaged_creators: set[int]


_REFUSED, _INTEREST_TAG, _INTEREST_CATEGORY = 0, 1, 2


def _refusals_and_interests(user: User) -> list[tuple]:
    """The user's "not interested" marks ``(0, tag, creator)`` and declared interests
    ``(1, tag, None)`` and ``(2, category, None)``, in one round trip."""
    return union_all(
        [
            (NotInterested.objects.filter(user=user), ("tag_id", "creator_id")),
            (User.interested_tags.through.objects.filter(user_id=user.pk), ("tag_id", None)),
            (
                User.interested_categories.through.objects.filter(user_id=user.pk),
                ("category_id", None),
            ),
        ]
    )


def _profile(user: User, filters: RecommendationFilters) -> _Profile:
    rows = Interaction.objects.filter(user=user).values_list(
        "item_id", "kind", "occurred_at", "item__creator_id"
    )
    acts, liked, seen = [], [], set()
    creator_weight: dict[int, float] = {}
    for item_id, kind, occurred_at, creator_id in rows.order_by("occurred_at", "id"):
        weight = KIND_WEIGHTS.get(kind, 0.0)
        acts.append((item_id, weight, occurred_at.timestamp(), creator_id))
        seen.add(item_id)
        if kind in LIKED_KINDS and item_id not in liked:
            liked.append(item_id)
        creator_weight[creator_id] = creator_weight.get(creator_id, 0.0) + weight
    blocked_tags, blocked_creators, interest_tags, interest_categories = set(), set(), [], []
    for source, first, second in _refusals_and_interests(user):
        if source == _REFUSED:
            if first is not None:
                blocked_tags.add(first)
            if second is not None:
                blocked_creators.add(second)
        elif source == _INTEREST_TAG:
            interest_tags.append(first)
        else:
            interest_categories.append(first)
    own = None
    if filters.exclude_own:
        own = Creator.objects.filter(user=user).values_list("id", flat=True).first()
    return _Profile(
        seen=seen,
        acts=acts,
        liked=liked,
        blocked_tags=blocked_tags,
        blocked_creators=blocked_creators,
        interest_tags=sorted(interest_tags),
        interest_categories=sorted(interest_categories),
        own_creator=own,
        engaged_creators={c for c, w in creator_weight.items() if w >= ENGAGED_CREATOR_WEIGHT},
    )


# -- public entry points --------------------------------------------------------------


def recommend_for_user(
    user: User,
    first: int = 20,
    filters: RecommendationFilters | None = None,
    knobs: RecommendationKnobs | None = None,
    *,
    use_cache: bool = True,
    log: bool = True,
    variant: str = "",
) -> RecommendationList:
    """The user's next ``first`` items, with reasons, a breakdown, method and model version.

    Raises :class:`InvalidKnob` for an out-of-bounds argument; never raises for a missing
    or broken model (the list then comes from trending items with ``method`` FALLBACK).
    Every returned list is logged as impressions unless ``log`` is false.
    """
    first = _validate_first(first)
    filters = (filters or RecommendationFilters()).normalised()
    knobs = (knobs or RecommendationKnobs()).validated()
    state = registry.current()
    version = state.version if state is not None else ""
    arguments = {"first": first, "filters": asdict(filters), "knobs": asdict(knobs)}
    request_id = uuid.uuid4().hex
    key = cache.list_key(user.pk, arguments, version) if use_cache else None
    hit = cache.get_list(key)
    if isinstance(hit, RecommendationList):
        result = replace(hit, cached=True, request_id=request_id)
    else:
        result = replace(_compute(user, first, filters, knobs, state), request_id=request_id)
        if result.method is not Method.FALLBACK:  # a model problem should not be kept
            cache.store_list(key, result)
    if log:
        log_impressions(
            user.pk,
            result.item_ids,
            method=result.method.value,
            model_version=result.model_version,
            request_id=request_id,
            variant=variant,
        )
    return result


def _compute(
    user: User,
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    state: ServingModel | None,
) -> RecommendationList:
    now = timezone.now()
    profile = _profile(user, filters)
    if state is None:
        logger.warning("no model to serve user %s; falling back to trending items", user.pk)
        return _trending_list(first, filters, knobs, profile, None, Method.FALLBACK, now)
    try:
        vector, history, method = _user_vector(state, profile, user.pk)
        if vector is None:
            return _trending_list(first, filters, knobs, profile, state, Method.TRENDING, now)
        taste = Taste(vector, history)
        return _model_list(first, filters, knobs, profile, state, taste, method, now)
    except DatabaseError:
        # Not a model problem: the trending fallback reads the same database, and a list
        # labelled FALLBACK would hide the outage from the caller.
        raise
    except Exception:  # a model problem must not become an error page
        logger.exception("model %s failed for user %s; falling back", state.version, user.pk)
        return _trending_list(first, filters, knobs, profile, None, Method.FALLBACK, now)


def _user_vector(
    state: ServingModel, profile: _Profile, user_id: int
) -> tuple[np.ndarray | None, sp.csr_matrix | None, Method]:
    """The user's vector and history row (the model's query for its item-item part)."""
    model = state.model
    trained = state.trained_at.timestamp() if state.trained_at else -math.inf
    known = [(state.item_row[i], w, t) for i, w, t, _ in profile.acts if i in state.item_row]
    positive = [(row, w, t) for row, w, t in known if w > 0]
    user_row = state.user_row.get(user_id)
    # The trained vector means something only for a user who had positive feedback then.
    if user_row is not None and any(t < trained for _, _, t in positive):
        vector = np.asarray(model.user_graph[user_row], dtype=np.float32)
        recent = [(row, w) for row, w, t in positive if t >= trained]
        if not recent:
            return vector, _trained_history(model, user_row), Method.HYBRID
        rows = np.array([r for r, _ in recent], dtype=np.int64)
        weights = np.array([w for _, w in recent], dtype=np.float32)
        folded = model.fold_in_user(rows, weights)
        alpha = len(recent) / (len(recent) + REALTIME_PRIOR)
        vector = (1.0 - alpha) * vector + alpha * folded
        return vector, _live_history(model, known), Method.HYBRID
    if positive:
        rows = np.array([r for r, _, _ in positive], dtype=np.int64)
        weights = np.array([w for _, w, _ in positive], dtype=np.float32)
        return model.fold_in_user(rows, weights), _live_history(model, known), Method.HYBRID
    tags = np.array([state.tag_row[t] for t in profile.interest_tags if t in state.tag_row])
    cats = np.array(
        [state.category_row[c] for c in profile.interest_categories if c in state.category_row]
    )
    if len(tags) or len(cats):
        vector = model.fold_in_user(
            tag_rows=tags.astype(np.int64) if len(tags) else None,
            category_rows=cats.astype(np.int64) if len(cats) else None,
        )
        if np.any(vector):
            return vector, None, Method.CONTENT
    return None, None, Method.TRENDING


def _trained_history(model: ScoringModel, user_row: int) -> sp.csr_matrix | None:
    """The query row the model was fitted with: what evaluation scored this user by."""
    rows = getattr(model, "user_rows", None)
    return None if rows is None else rows[[user_row]]


def _live_history(model: ScoringModel, known: list[tuple[int, float, float]]) -> sp.csr_matrix:
    """The user's current feedback as the model's query row, built as in training."""
    rows = np.array([r for r, _, _ in known], dtype=np.int64)
    weights = np.array([w for _, w, _ in known], dtype=np.float32)
    times = np.array([t for _, _, t in known], dtype=np.float64).astype(np.int64)
    return model.history_row(rows, weights, times)


def _eligible_mask(
    universe: Universe,
    state: ServingModel,
    filters: RecommendationFilters,
    profile: _Profile,
    now: datetime,
) -> np.ndarray:
    published = universe.published
    mask = np.isfinite(published) & (published <= now.timestamp())
    if profile.blocked_tags:
        mask &= ~universe.rows_with_tags(state, profile.blocked_tags)
    # Seen and excluded ids by position: a dictionary lookup each, not a pass over all.
    for item_id in profile.seen | set(filters.exclude_ids):
        position = universe.position(state, item_id)
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


def _model_list(
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    profile: _Profile,
    state: ServingModel,
    taste: Taste,
    method: Method,
    now: datetime,
) -> RecommendationList:
    cat = state.catalogue
    universe = universe_of(state)
    new = universe.new
    n_model = len(state.item_ids)
    ids, creator, published = universe.ids, universe.creator, universe.published

    mask = _eligible_mask(universe, state, filters, profile, now)
    if not mask.any():
        return RecommendationList((), method, state.version, 0.0)
    # Scores at every position (the model's items, then the new ones: content only),
    # scaled to unit spread over the eligible items so the freshness boost means the same
    # for every user.
    raw = universe.blended(state, taste, knobs.blend)
    spread = float(np.std(raw, where=mask))
    scale = 1.0 / spread if spread > 1e-9 else 1.0
    fresh = universe.freshness(now.timestamp(), knobs.freshness_half_life_days)
    total = np.where(mask, raw * scale + fresh, -np.inf)

    pool = _pool(total, first, knobs.diversity, universe.category)
    pool = _still_published(ids, pool, now)
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
    graph_part, content_part = universe.parts(state, taste, chosen, knobs.blend)
    graph_part, popularity_part = _popularity_part(state, chosen, graph_part)
    trending_top = trending().top_ids(TRENDING_TOP)
    liked_rows = [state.item_row[i] for i in profile.liked if i in state.item_row]
    evidence = UserEvidence(
        liked_items=[int(state.item_ids[r]) for r in liked_rows],
        liked_vectors=state.unit_items[liked_rows] if liked_rows else None,
        followed_tags=set(profile.interest_tags),
        engaged_creators=profile.engaged_creators,
        trending_top=trending_top,
    )

    def tags_of(position: int) -> tuple[int, ...]:
        if position < n_model:
            return tuple(cat.tags_of(position))
        return new.tags[position - n_model]

    explained = explain(
        [
            Candidate(
                item_id=int(ids[p]),
                creator_id=int(creator[p]),
                tag_ids=tags_of(int(p)),
                published=float(published[p]),
                vector=vectors[j],
            )
            for j, p in zip(picked.order, chosen, strict=True)
        ],
        evidence,
        now,
        METHOD_FALLBACK_REASONS[method.value],
    )
    items = tuple(
        Recommendation(
            item_id=int(ids[p]),
            score=float(total[p] - penalty),
            reasons=tuple(reasons),
            breakdown=ScoreBreakdown(
                graph=float(graph_part[i] * scale),
                content=float(content_part[i] * scale),
                popularity=float(popularity_part[i] * scale),
                freshness=float(fresh[p]),
                diversity_penalty=float(penalty),
            ),
        )
        for i, (p, penalty, reasons) in enumerate(
            zip(chosen, picked.penalties, explained, strict=True)
        )
    )
    diversity = intra_list_diversity(vectors[picked.order]) if picked.order else 0.0
    return RecommendationList(items, method, state.version, diversity)


def _pool(total: np.ndarray, first: int, diversity: float, category: np.ndarray) -> list[int]:
    """The candidates re-ranking chooses from, best first: the best ``POOL_FACTOR`` per
    requested item and, when diversifying, each category's best among a wider window."""
    size = max(first * POOL_FACTOR, 100)
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
    state: ServingModel, positions: list[int], graph: np.ndarray
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
    n_model = len(state.item_ids)
    rows = np.asarray(positions, dtype=np.int64)
    item_scale = np.ones(len(rows), dtype=np.float64)
    known = rows < n_model
    item_scale[known] = np.asarray(scale, dtype=np.float64)[rows[known]]
    share = np.where(item_scale > 0, 1.0 - reference / np.maximum(item_scale, 1e-12), 0.0)
    popularity = (graph * share).astype(np.float32)
    return (graph - popularity).astype(np.float32), popularity


def _top(values: np.ndarray, n: int) -> list[int]:
    n = min(n, len(values))
    part = np.argpartition(-values, n - 1)[:n] if n < len(values) else np.arange(len(values))
    return [int(i) for i in part[np.argsort(-values[part], kind="stable")]]


def _still_published(ids: np.ndarray, pool: list[int], now: datetime) -> list[int]:
    # ``pool`` indexes ``ids``: positions, or candidate numbers for a list of candidates.
    """Drop pool entries deleted or unpublished since the catalogue was read."""
    wanted = [int(ids[i]) for i in pool]
    live = set(
        ContentItem.objects.filter(
            id__in=wanted, published_at__isnull=False, published_at__lte=now
        ).values_list("id", flat=True)
    )
    return [i for i in pool if int(ids[i]) in live]


# -- trending and fallback lists ------------------------------------------------------


def _trending_list(
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    profile: _Profile,
    state: ServingModel | None,
    method: Method,
    now: datetime,
) -> RecommendationList:
    pool_size = max(first * POOL_FACTOR, 100)
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
    rows = list(
        qs.filter(id__in=[i for i, _ in ranking.items[: pool_size * 4]]).values_list(*fields)
    )
    rows.sort(key=lambda r: (-scores.get(r[0], 0.0), -r[0]))
    rows = rows[:pool_size]
    if len(rows) < pool_size:  # not enough activity: fill with the newest items
        have = [r[0] for r in rows]
        rows += list(
            qs.exclude(id__in=have)
            .order_by("-published_at", "-id")
            .values_list(*fields)[: pool_size - len(rows)]
        )
    if not rows:
        return RecommendationList((), method, state.version if state else "", 0.0)
    ids = [r[0] for r in rows]
    tag_map: dict[int, list[int]] = {i: [] for i in ids}
    for item_id, tag_id in ContentItem.tags.through.objects.filter(
        contentitem_id__in=ids
    ).values_list("contentitem_id", "tag_id"):
        tag_map[item_id].append(tag_id)
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
        for i, penalty, reasons in zip(picked.order, picked.penalties, explained, strict=True)
    )
    diversity = intra_list_diversity(vectors[picked.order]) if picked.order else 0.0
    return RecommendationList(items, method, state.version if state else "", diversity)


def _list_vectors(
    ids: list[int], tag_map: dict[int, list[int]], state: ServingModel | None
) -> np.ndarray:
    """Unit vectors to diversify a list: model embeddings, or tag sets without a model."""
    if state is not None and all(i in state.item_row for i in ids):
        return state.unit_items[[state.item_row[i] for i in ids]]
    columns = {t: c for c, t in enumerate(sorted({t for i in ids for t in tag_map[i]}))}
    matrix = np.zeros((len(ids), max(len(columns), 1)), dtype=np.float32)
    for row, item_id in enumerate(ids):
        for tag in tag_map[item_id]:
            matrix[row, columns[tag]] = 1.0
    return unit_rows(matrix)


# -- similar items --------------------------------------------------------------------


def similar_items(item: ContentItem, first: int = 10) -> RecommendationList:
    """Published items most like ``item`` (never itself), best first, each citing ``item``
    and what it shares with it (tags, creator, category).

    With a model: cosine similarity of the item embeddings (a new item is placed by the
    content tower first), method HYBRID. Without one: shared tags, then same category,
    then recency, method FALLBACK.
    """
    found = _nearest_items(item, _validate_first(first))
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
    position = universe.position(state, item.pk)
    if position is not None:
        target = universe.unit_vectors(state, np.array([position]))[0]
    else:  # an unpublished item: place it from its content
        target = unit_rows(_embed_one(state, item))[0]
    sims = np.concatenate([state.unit_items @ target, universe.new_unit @ target])
    mask = np.isfinite(published) & (published <= now.timestamp()) & (ids != item.pk)
    candidates = np.flatnonzero(mask)
    order = _top(sims[candidates], max(first * 2, 20))
    order = _still_published(ids[candidates], order, now)[:first]
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
