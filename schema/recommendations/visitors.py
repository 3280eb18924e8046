"""Visitors who are not signed in: their acts kept in their session, and their list.

Both fields are open to anyone (a visitor has nothing to sign in with) and rate-limited per
client address (``GRAPHQL_FIELD_RATES``), since dropping the session cookie would reset a
per-session count. The acts and the list come from ``backend.recommendations.visitors``.
"""

from __future__ import annotations

import strawberry
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError

from backend.recommendations import serving, visitors
from schema.context import Info
from schema.errors import input_error, knob_error
from schema.ids import parse_id
from schema.interactions.types import InteractionKind
from schema.recommendations.queries import _knob_error, _service_arguments
from schema.recommendations.types import (
    RecommendationContext,
    RecommendationFilters,
    RecommendationList,
    recommendation_list,
)
from schema.throttle import Throttled

__all__ = ["VisitorsMutation", "VisitorsQuery"]


@strawberry.type(description="What the visitor's session holds.")
class VisitorSession:
    acts: int = strawberry.field(description="Acts kept in the session, the newest.")
    max_acts: int = strawberry.field(description="The most it keeps (the oldest go first).")


@strawberry.type
class VisitorsQuery:
    @strawberry.field(
        extensions=[Throttled("visitorRecommendations")],
        description=(
            "Recommendations for a visitor who is not signed in, folded in from the acts "
            "recorded with `recordVisitorAct` in this session (trending items before any). "
            "Nothing is stored for the visitor but their session."
        ),
    )
    async def visitor_recommendations(
        self,
        info: Info,
        first: int = 20,
        filters: RecommendationFilters | None = None,
        context: RecommendationContext | None = None,
    ) -> RecommendationList:
        service_filters, _ = _service_arguments(filters, None)
        moment = None
        if context is not None:
            moment = serving.RequestContext(local_hour=context.local_hour, device=context.device)
        session = info.context.request.session
        acts = await sync_to_async(visitors.visitor_acts)(session)
        try:
            result = await sync_to_async(visitors.recommend_for_visitor)(
                acts, first, service_filters, moment
            )
        except serving.InvalidKnob as exc:
            raise _knob_error(exc, "" if exc.knob == "first" else "filters") from exc
        except serving.InvalidContext as exc:
            raise knob_error(exc.field, str(exc).split(": ", 1)[-1], "context") from exc
        return recommendation_list(result)


@strawberry.type
class VisitorsMutation:
    @strawberry.mutation(
        extensions=[Throttled("recordVisitorAct")],
        description=(
            "Keep one act of a visitor who is not signed in (view, click, dwell, like, save, "
            "skip or hide) in their session, for `visitorRecommendations`."
        ),
    )
    async def record_visitor_act(
        self, info: Info, item_id: strawberry.ID, kind: InteractionKind
    ) -> VisitorSession:
        session = info.context.request.session
        try:
            pk = parse_id(item_id, "item_id")
            count = await sync_to_async(visitors.record_visitor_act)(session, pk, kind.value)
        except ValidationError as exc:
            raise input_error(exc) from None
        return VisitorSession(acts=count, max_acts=settings.RECOMMENDATION_VISITOR_MAX_ACTS)
