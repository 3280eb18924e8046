"""Signing in and out, and the viewer's preferences and interests."""

from __future__ import annotations

from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError

from backend.accounts import services as account_services
from backend.throttle import LoginLocked
from schema.accounts.types import Me
from schema.context import Info
from schema.errors import input_error, rate_limited, unavailable
from schema.ids import parse_ids
from schema.permissions import SignedIn

__all__ = ["AccountsMutation"]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description=(
            "Sign in with a username and password and start a session (a cookie). "
            "Send the `X-CSRFToken` header with the `csrftoken` cookie's value; the token "
            "changes on login, so read the cookie again afterwards."
        )
    )
    async def login(
        self,
        info: Info,
        username: Annotated[str, strawberry.argument(description="The account's username.")],
        password: Annotated[str, strawberry.argument(description="The account's password.")],
    ) -> Me:
        try:
            user = await account_services.log_in(info.context.request, username, password)
        except ValidationError as exc:
            raise input_error(exc) from None
        except LoginLocked as exc:
            raise rate_limited("login", str(exc), exc.retry_after) from None
        info.context.forget_viewer()
        return user

    @strawberry.mutation(description="End the session. True even when nobody was signed in.")
    async def logout(self, info: Info) -> bool:
        try:
            await account_services.log_out(info.context.request)
        except account_services.SessionNotEnded as exc:
            raise unavailable("logout", str(exc)) from exc
        info.context.forget_viewer()
        return True

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description="Change the dashboard's look. Arguments left out keep their value.",
    )
    async def update_preferences(
        self,
        info: Info,
        accent_color: Annotated[
            str | None, strawberry.argument(description="Accent colour as #rrggbb, e.g. #1f9cee.")
        ] = None,
        font_size: Annotated[
            int | None, strawberry.argument(description="Base font size in pixels, from 10 to 28.")
        ] = None,
    ) -> Me:
        viewer = await info.context.user()
        try:
            return await sync_to_async(account_services.update_preferences)(
                viewer, accent_color=accent_color, font_size=font_size
            )
        except ValidationError as exc:
            raise input_error(exc) from None

    @strawberry.mutation(
        permission_classes=[SignedIn],
        description=(
            "Replace the declared interests. A list left out keeps its value; an empty "
            "list clears it. Unknown ids are an error and nothing changes."
        ),
    )
    async def set_interests(
        self,
        info: Info,
        tag_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Ids of the tags to follow."),
        ] = None,
        category_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Ids of the categories to follow."),
        ] = None,
    ) -> Me:
        viewer = await info.context.user()
        try:
            return await sync_to_async(account_services.set_interests)(
                viewer,
                tag_ids=None if tag_ids is None else parse_ids(tag_ids, "tag_ids"),
                category_ids=(
                    None if category_ids is None else parse_ids(category_ids, "category_ids")
                ),
            )
        except ValidationError as exc:
            raise input_error(exc) from None
