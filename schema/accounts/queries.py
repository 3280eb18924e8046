"""Queries about the viewer."""

from __future__ import annotations

import strawberry

from backend.accounts.models import User
from schema.accounts.types import Me
from schema.context import Info

__all__ = ["AccountsQuery"]


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in user, or null for an anonymous visitor.")
    async def me(self, info: Info) -> Me | None:
        viewer: User | None = await info.context.viewer()
        return viewer
