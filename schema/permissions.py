"""Who may resolve a field, declared on the field with strawberry's permission classes.

``permission_classes=[SignedIn]`` refuses an anonymous viewer with ``UNAUTHENTICATED``;
``[SignedIn, Staff]`` also refuses a signed-in viewer who is not staff with ``FORBIDDEN``.
Both name the refused field the way the client asked for it (its GraphQL name), as every
other error of this API does. A resolver behind them reads its viewer with
:meth:`schema.context.LupiContext.user`.

A rule that depends on the arguments (a creator's insights: the creator or staff) is the
service's, not a permission class's: the service is also what other callers go through.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info
from schema.errors import forbidden, login_required

__all__ = ["SignedIn", "Staff"]


class SignedIn(BasePermission):
    """The viewer is signed in."""

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if await info.context.viewer() is None:
            # raised here rather than by on_unauthorized, which does not know the field
            raise login_required(info.field_name)
        return True


class Staff(BasePermission):
    """The viewer is staff (put after :class:`SignedIn`)."""

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = await info.context.viewer()
        if viewer is None or not viewer.is_staff:
            raise forbidden(info.field_name, "Only staff may read this.")
        return True
