"""Creator insights, readable only by that creator or staff."""

from __future__ import annotations

from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError

from backend.accounts.models import User
from backend.apikeys.models import Scope
from backend.content.models import Creator
from backend.insights import services as insight_services
from backend.recommendations.creators import similar_creators
from schema.context import Info
from schema.errors import forbidden, input_error
from schema.ids import parse_id
from schema.insights.types import CreatorInsights
from schema.permissions import signed_in_or_key
from schema.throttle import Throttled

__all__ = ["InsightsQuery", "insights_for"]

WINDOW_DAYS_DOC = "Days of history, 1..365, ending today (UTC)."


def _insights(viewer: User | None, creator: Creator, window_days: int) -> CreatorInsights:
    if viewer is None:  # an API key with the read-insights scope: any creator
        return insight_services.creator_insights(
            creator, window_days=window_days, similar_creators_fn=similar_creators
        )
    return insight_services.creator_insights_for(
        viewer, creator, window_days=window_days, similar_creators_fn=similar_creators
    )


async def insights_for(viewer: User | None, creator: Creator, window_days: int) -> CreatorInsights:
    """The insights ``viewer`` may read; ``None`` stands for an API key that the field's
    permission let through (the read-insights scope reaches every creator)."""
    try:
        return await sync_to_async(_insights)(viewer, creator, window_days)
    except PermissionDenied as exc:
        raise forbidden("creatorInsights", str(exc)) from exc
    except ValueError as exc:
        raise input_error(ValidationError({"window_days": [str(exc)]})) from exc


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        permission_classes=[signed_in_or_key(Scope.READ_INSIGHTS)],
        extensions=[Throttled("creatorInsights")],
        description=(
            "How a creator's items are doing. Only the creator themselves, staff, or an API "
            "key with the read-insights scope may ask; anyone else gets a FORBIDDEN error."
        ),
    )
    async def creator_insights(
        self,
        info: Info,
        creator_id: strawberry.ID,
        window_days: Annotated[int, strawberry.argument(description=WINDOW_DAYS_DOC)] = 30,
    ) -> CreatorInsights:
        viewer = None if info.context.api_key is not None else await info.context.user()
        try:
            pk = parse_id(creator_id, "creator_id")
        except ValidationError as exc:
            raise input_error(exc) from exc
        creator = await Creator.objects.filter(pk=pk).afirst()
        if creator is None:
            raise input_error(ValidationError({"creator_id": [f"No creator with id {pk}."]}))
        return await insights_for(viewer, creator, window_days)
