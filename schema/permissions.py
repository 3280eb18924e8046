"""Who may resolve a field, declared on the field with strawberry's permission classes.

``permission_classes=[SignedIn]`` refuses an anonymous viewer with ``UNAUTHENTICATED``;
``[SignedIn, Staff]`` also refuses a signed-in viewer who is not staff with ``FORBIDDEN``.
Both name the refused field the way the client asked for it (its GraphQL name), as every
other error of this API does. A resolver behind them reads its viewer with
:meth:`schema.context.LupiContext.user`.

A service of the platform calls with an API key (``backend/apikeys``), which is nobody's
session: ``SignedIn`` refuses it with ``FORBIDDEN``. The fields a key reaches say so with
:func:`key_with` (keys only) or :func:`signed_in_or_key` (a signed-in person, or a key):
each names the key's scope it needs, and refuses a key without it with ``FORBIDDEN``. A
request whose key was refused (malformed, unknown, revoked) never reaches a field: the
view answers ``UNAUTHENTICATED`` for all of it.

A rule that depends on the arguments (a creator's insights: the creator or staff) is the
service's, not a permission class's: the service is also what other callers go through.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from strawberry.permission import BasePermission

from backend.apikeys.models import Scope
from schema.context import Info
from schema.errors import forbidden, graphql_name, input_error, key_required, login_required

__all__ = ["SignedIn", "Staff", "key_with", "signed_in_or_key"]

_PERSONS_ONLY = "An API key cannot use this field: it acts as a signed-in person."


class SignedIn(BasePermission):
    """The viewer is signed in (a request with an API key is not)."""

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.api_key is not None:
            raise forbidden(info.field_name, _PERSONS_ONLY)
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


def _check_scope(info: Info, scope: str) -> None:
    key = info.context.api_key
    assert key is not None
    if not key.allows(scope):
        raise forbidden(info.field_name, f"This API key lacks the {scope} scope.")


def key_with(scope: Scope) -> type[BasePermission]:
    """A permission for fields only API keys reach: a key with ``scope``."""

    class KeyWith(BasePermission):
        async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            if info.context.api_key is None:
                raise key_required(info.field_name, scope.value)
            _check_scope(info, scope.value)
            return True

    KeyWith.__name__ = KeyWith.__qualname__ = f"KeyWith{scope.name.title().replace('_', '')}"
    return KeyWith


def signed_in_or_key(scope: Scope, acting_for: str | None = None) -> type[BasePermission]:
    """A signed-in person, or an API key with ``scope``.

    With ``acting_for`` (an argument's Python name), the argument names the platform user
    a key acts for: a key must give it, a signed-in person must not (they act for
    themselves).
    """

    class SignedInOrKey(BasePermission):
        async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            named = acting_for is not None and kwargs.get(acting_for) is not None
            if info.context.api_key is None:
                if named:
                    raise forbidden(
                        info.field_name,
                        f"`{graphql_name(acting_for)}` is for API keys with the {scope.value} "
                        "scope; a signed-in person reads their own.",
                    )
                return await SignedIn().has_permission(source, info, **kwargs)
            _check_scope(info, scope.value)
            if acting_for is not None and not named:
                raise input_error(
                    ValidationError(
                        {acting_for: ["An API key names the platform user it acts for."]}
                    )
                )
            return True

    SignedInOrKey.__name__ = SignedInOrKey.__qualname__ = (
        f"SignedInOrKeyWith{scope.name.title().replace('_', '')}"
    )
    return SignedInOrKey
