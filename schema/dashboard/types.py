"""The dashboard: everything the SPA's first screen shows, in one query."""

from __future__ import annotations

from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async

from backend.accounts.models import User
from backend.content import services as content_services
from backend.insights import services as insight_services
from schema.accounts.types import Me, Preferences
from schema.context import Info
from schema.insights.queries import WINDOW_DAYS_DOC, insights_for
from schema.insights.types import ActivityEntry, CreatorInsights, UserStats
from schema.recommendations.queries import DEFAULT_FIRST, recommendations_for
from schema.recommendations.types import (
    RecommendationContext,
    RecommendationFilters,
    RecommendationKnobs,
    RecommendationList,
)
from schema.throttle import Throttled

__all__ = ["Dashboard"]

MAX_RECENT = 100


@strawberry.type(
    description=(
        "The signed-in viewer's dashboard: who they are, their preferences, what to see "
        "next, what they did lately, their counts, and, for creators, how their work does."
    )
)
class Dashboard:
    viewer: strawberry.Private[User]

    @strawberry.field(description="The viewer.")
    def me(self) -> Me:
        return self.viewer

    @strawberry.field(description="The viewer's display preferences.")
    def preferences(self) -> Preferences:
        return Preferences(accent_color=self.viewer.accent_color, font_size=self.viewer.font_size)

    @strawberry.field(
        extensions=[Throttled("recommendations")],
        description="The viewer's recommendations (see `Query.recommendations`).",
    )
    async def recommendations(
        self,
        info: Info,
        first: int = DEFAULT_FIRST,
        filters: RecommendationFilters | None = None,
        knobs: RecommendationKnobs | None = None,
        context: RecommendationContext | None = None,
    ) -> RecommendationList:
        return await recommendations_for(self.viewer, first, filters, knobs, info, context)

    @strawberry.field(description="The viewer's own latest interactions, newest first (1..100).")
    async def recent_activity(self, limit: int = 10) -> list[ActivityEntry]:
        limit = max(1, min(limit, MAX_RECENT))
        return await sync_to_async(insight_services.recent_activity)(self.viewer, limit)

    @strawberry.field(description="Counts of the viewer's own activity.")
    async def stats(self) -> UserStats:
        return await sync_to_async(insight_services.user_stats)(self.viewer)

    @strawberry.field(
        extensions=[Throttled("creatorInsights")],
        description="The viewer's creator insights; null when they do not publish.",
    )
    async def creator_insights(
        self,
        window_days: Annotated[int, strawberry.argument(description=WINDOW_DAYS_DOC)] = 30,
    ) -> CreatorInsights | None:
        creator = await content_services.aown_creator(self.viewer)
        if creator is None:
            return None
        return await insights_for(self.viewer, creator, window_days)
