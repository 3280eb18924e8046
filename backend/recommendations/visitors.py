"""Recommendations for visitors who are not signed in, from their own acts in this session.

A visitor has no account, so nothing of theirs goes into the platform's tables: their acts
(item, creator, kind, time) are kept in their Django session, the newest
``RECOMMENDATION_VISITOR_MAX_ACTS`` of them, and their list is the model's fold-in of those
acts, ranked by the same code as a signed-in reader's (``scored_list.model_list``). With no
positive act yet, or no model, it is the trending list. Visitors are outside experiments and
get the platform's default knobs; their lists are not cached (every act changes them) and
not logged as impressions (an impression belongs to an account).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import MutableMapping
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from backend.content.models import ContentItem
from backend.interactions.models import InteractionKind
from backend.recommendations.context import NO_CONTEXT, RequestContext
from backend.recommendations.profile import profile_of_acts
from backend.recommendations.registry import registry
from backend.recommendations.request import (
    RecommendationFilters,
    RecommendationKnobs,
    RecommendationList,
    validate_first,
)
from backend.recommendations.serving import rank_profile

__all__ = ["SESSION_KEY", "VISITOR_KINDS", "record_visitor_act", "recommend_for_visitor"]

SESSION_KEY = "lupi_visitor_acts"

# What a visitor can tell: the acts that need no account to mean something.
VISITOR_KINDS = frozenset(
    {
        InteractionKind.VIEW,
        InteractionKind.CLICK,
        InteractionKind.DWELL,
        InteractionKind.LIKE,
        InteractionKind.SAVE,
        InteractionKind.SKIP,
        InteractionKind.HIDE,
    }
)

# No user has this id: the fold-in then places the visitor from their acts alone.
_NO_USER = -1


def visitor_acts(session: MutableMapping[str, Any]) -> list[tuple[int, int, str, float]]:
    """The session's acts, oldest first; anything unreadable in it is dropped, not served."""
    acts = []
    for entry in session.get(SESSION_KEY) or []:
        try:
            item_id, creator_id, kind, at = entry
            acts.append((int(item_id), int(creator_id), str(kind), float(at)))
        except (TypeError, ValueError):
            continue
    return acts


def record_visitor_act(session: MutableMapping[str, Any], item_id: int, kind: str) -> int:
    """Keep ``kind`` on ``item_id`` in the visitor's session; the number of acts it now
    holds. Raises ``ValidationError`` for a kind a visitor cannot record or an item that is
    not published, and then leaves the session as it was."""
    if kind not in VISITOR_KINDS:
        allowed = ", ".join(sorted(k.value for k in VISITOR_KINDS))
        raise ValidationError({"kind": [f"A visitor can record {allowed}; not {kind!r}."]})
    creator_id = (
        ContentItem.objects.filter(pk=item_id, published_at__lte=timezone.now())
        .values_list("creator_id", flat=True)
        .first()
    )
    if creator_id is None:
        raise ValidationError({"item_id": [f"No published item with id {item_id}."]})
    cap = settings.RECOMMENDATION_VISITOR_MAX_ACTS
    acts = [*visitor_acts(session), (item_id, creator_id, str(kind), time.time())][-cap:]
    session[SESSION_KEY] = [list(act) for act in acts]
    return len(acts)


def recommend_for_visitor(
    acts: list[tuple[int, int, str, float]],
    first: int = 20,
    filters: RecommendationFilters | None = None,
    context: RequestContext | None = None,
) -> RecommendationList:
    """The visitor's next ``first`` items from their session's ``acts``: the fold-in of
    their positive acts (``HYBRID``), else trending (``TRENDING``), else, with no model or
    a broken one, trending with ``FALLBACK``. Never raises for a model problem."""
    first = validate_first(first)
    filters = (filters or RecommendationFilters()).normalised()
    context = (context or NO_CONTEXT).validated()
    knobs = RecommendationKnobs().validated()
    now = timezone.now()
    profile = profile_of_acts(sorted(acts, key=lambda act: act[3]))
    result = rank_profile(
        profile, _NO_USER, first, filters, knobs, registry.current(), now, context=context
    )
    return replace(result, request_id=uuid.uuid4().hex)
