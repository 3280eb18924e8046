"""The one query behind the SPA's first screen."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.dashboard.types import Dashboard
from schema.errors import login_required
from schema.throttle import Throttled

__all__ = ["DashboardQuery"]


@strawberry.type
class DashboardQuery:
    @strawberry.field(
        extensions=[Throttled("dashboard")],
        description="The viewer's whole dashboard in one query. Requires login.",
    )
    async def dashboard(self, info: Info) -> Dashboard:
        viewer = await info.context.viewer()
        if viewer is None:
            raise login_required("dashboard")
        return Dashboard(viewer=viewer)
