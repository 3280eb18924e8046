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

Each step has its module: ``request`` (knobs, filters and the served list), ``profile``
(the user's acts, refusals and interests), ``placing`` (the user's vector and history row),
``scored_list`` (eligible items, scores, the pool, the re-rank, explanations), ``fallback``
(trending lists), ``similar`` (similar items); ``universe`` lays out the items scored.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, replace
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from backend.accounts.models import User
from backend.recommendations import cache
from backend.recommendations.config import ServingChoice, Surface, serving_choice
from backend.recommendations.context import NO_CONTEXT, InvalidContext, RequestContext
from backend.recommendations.fallback import trending_list
from backend.recommendations.impressions import log_impressions
from backend.recommendations.placing import place_user
from backend.recommendations.profile import Profile, read_profile
from backend.recommendations.registry import ServingModel, registry
from backend.recommendations.request import (
    FRESHNESS_OFF,
    InvalidKnob,
    Method,
    Recommendation,
    RecommendationFilters,
    RecommendationKnobs,
    RecommendationList,
    ScoreBreakdown,
    validate_first,
)
from backend.recommendations.scored_list import model_list
from backend.recommendations.similar import similar_items
from backend.recommendations.sources import SourcePlan
from backend.recommendations.universe import Taste

__all__ = [
    "FRESHNESS_OFF",
    "InvalidContext",
    "InvalidKnob",
    "Method",
    "Recommendation",
    "RecommendationFilters",
    "RecommendationKnobs",
    "RecommendationList",
    "RequestContext",
    "ScoreBreakdown",
    "SourcePlan",
    "rank_profile",
    "recommend_for_user",
    "similar_items",
]

logger = logging.getLogger(__name__)


def recommend_for_user(
    user: User,
    first: int = 20,
    filters: RecommendationFilters | None = None,
    knobs: RecommendationKnobs | None = None,
    *,
    use_cache: bool = True,
    log: bool = True,
    surface: str = Surface.FOR_YOU,
    choice: ServingChoice | None = None,
    sources: SourcePlan | None = None,
    context: RequestContext | None = None,
) -> RecommendationList:
    """The user's next ``first`` items, with reasons, a breakdown, method and model version.

    ``context`` is the moment the list will be read in (local hour, device): the model's
    context affinities then lift the kinds of items read more at that time on that device;
    without one the ranking has no context term.

    The list is served with the user's configuration on ``surface`` (their experiment
    variant's, or the surface's default; ``choice`` gives one instead): its model version
    and its knobs, unless the caller gives ``knobs`` of its own (the viewer's explicit
    request wins; the variant is still recorded), and its source mix and bandit flag,
    unless the caller gives a ``sources`` plan (``RECOMMENDATION_BANDIT`` turns the bandit
    on where neither names one). Raises :class:`InvalidKnob` or :class:`InvalidContext` for
    an out-of-bounds argument; never raises for a missing or broken model (the list then
    comes from trending items with ``method`` FALLBACK). Every returned list is logged as
    impressions, with its variant, unless ``log`` is false.
    """
    first = validate_first(first)
    filters = (filters or RecommendationFilters()).normalised()
    choice = choice or serving_choice(user.pk, surface)
    config = choice.config
    knobs = (knobs or config.knobs).validated()
    context = (context or NO_CONTEXT).validated()
    if sources is None:
        sources = config.source_plan()
    if sources is None and settings.RECOMMENDATION_BANDIT:
        sources = SourcePlan(bandit=True)
    state = registry.serving(config.model_version)
    version = state.version if state is not None else ""
    arguments = {"first": first, "filters": asdict(filters), "knobs": asdict(knobs)}
    if config.model_version:
        arguments["model_version"] = config.model_version
    if sources is not None and sources.active:
        arguments["sources"] = asdict(sources)
    if not context.empty:  # a list without context keeps the key it always had
        arguments["context"] = context.bucket()
    request_id = uuid.uuid4().hex
    key = cache.list_key(user.pk, arguments, version) if use_cache else None
    hit = cache.get_list(key)
    if isinstance(hit, RecommendationList):
        result = replace(hit, cached=True, request_id=request_id, variant=choice.variant)
    else:
        computed = _compute(user, first, filters, knobs, state, sources, context)
        result = replace(computed, request_id=request_id, variant=choice.variant)
        if result.method is not Method.FALLBACK:  # a model problem should not be kept
            cache.store_list(key, result)
    if log:
        log_impressions(
            user.pk,
            result.item_ids,
            method=result.method.value,
            model_version=result.model_version,
            request_id=request_id,
            variant=result.variant,
            sources=result.sources if any(result.sources) else (),
        )
    return result


def _compute(
    user: User,
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    state: ServingModel | None,
    sources: SourcePlan | None,
    context: RequestContext = NO_CONTEXT,
) -> RecommendationList:
    now = timezone.now()
    profile = read_profile(user, filters, now)
    return rank_profile(
        profile, user.pk, first, filters, knobs, state, now, sources=sources, context=context
    )


def rank_profile(
    profile: Profile,
    user_id: int,
    first: int,
    filters: RecommendationFilters,
    knobs: RecommendationKnobs,
    state: ServingModel | None,
    now: datetime,
    *,
    sources: SourcePlan | None = None,
    context: RequestContext = NO_CONTEXT,
) -> RecommendationList:
    """The list for ``profile``: the model's ranking where the user can be placed (an id
    the model does not know is folded in from the profile's acts), else trending items;
    trending with ``FALLBACK`` when there is no model or it fails."""
    if state is None:
        logger.warning("no model to serve user %s; falling back to trending items", user_id)
        return trending_list(first, filters, knobs, profile, None, Method.FALLBACK, now)
    try:
        vector, history, method = place_user(state, profile, user_id)
        if vector is None:
            return trending_list(first, filters, knobs, profile, state, Method.TRENDING, now)
        taste = Taste(vector, history)
        return model_list(
            first,
            filters,
            knobs,
            profile,
            state,
            taste,
            method,
            now,
            sources=sources,
            context=context,
        )
    except DatabaseError:
        # Not a model problem: the trending fallback reads the same database, and a list
        # labelled FALLBACK would hide the outage from the caller.
        raise
    except Exception:  # a model problem must not become an error page
        logger.exception("model %s failed for user %s; falling back", state.version, user_id)
        return trending_list(first, filters, knobs, profile, None, Method.FALLBACK, now)
