"""The one query behind the SPA's first screen."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.dashboard.types import Dashboard
from schema.permissions import SignedIn
from schema.throttle import Throttled

__all__ = ["DashboardQuery"]


@strawberry.type
class DashboardQuery:
    @strawberry.field(
        permission_classes=[SignedIn],
        extensions=[Throttled("dashboard")],
        description="The viewer's whole dashboard in one query. Requires login.",
    )
    async def dashboard(self, info: Info) -> Dashboard:
        viewer = await info.context.user()
        return Dashboard(viewer=viewer)
