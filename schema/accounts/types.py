"""GraphQL types of the signed-in user: preferences, interests, own activity."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
import strawberry_django
from strawberry import auto

from backend.accounts import models
from backend.interactions import models as interaction_models
from backend.interactions import services as interaction_services
from schema.content.types import Category, Creator, Tag
from schema.context import Info
from schema.interactions.types import Interaction
from schema.pagination import Connection

__all__ = ["Interests", "Me", "Preferences"]


@strawberry.type(description="How the dashboard looks for the viewer.")
class Preferences:
    accent_color: str = strawberry.field(description="Accent colour as #rrggbb.")
    font_size: int = strawberry.field(description="Base font size in pixels, 10..28.")


@strawberry.type(description="Tags and categories the viewer declared an interest in.")
class Interests:
    user_id: strawberry.Private[int]

    @strawberry.field(description="Followed tags, sorted by name.")
    async def tags(self, info: Info) -> list[Tag]:
        return await info.context.loaders.interest_tags_by_user_id.load(self.user_id)

    @strawberry.field(description="Followed categories, sorted by name.")
    async def categories(self, info: Info) -> list[Category]:
        return await info.context.loaders.interest_categories_by_user_id.load(self.user_id)


@strawberry_django.type(
    models.User,
    name="Me",
    description=(
        "The signed-in user. Only ever the viewer: no query returns another user's "
        "preferences, interests or activity."
    ),
)
class Me:
    id: strawberry.ID
    username: auto
    email: auto
    first_name: auto
    last_name: auto
    is_staff: bool = strawberry_django.field(
        description="Whether the viewer is staff: may run experiments and read their results."
    )

    @strawberry_django.field(only=["accent_color", "font_size"], description="Display preferences.")
    def preferences(self, root: strawberry.Parent[models.User]) -> Preferences:
        return Preferences(accent_color=root.accent_color, font_size=root.font_size)

    @strawberry.field(description="Declared interests, used for cold-start recommendations.")
    def interests(self, root: strawberry.Parent[models.User]) -> Interests:
        return Interests(user_id=root.pk)

    creator: Creator | None = strawberry_django.field(
        field_name="creator_profile",
        description="The viewer's own creator profile, or null when they do not publish.",
    )

    @strawberry_django.connection(
        Connection[Interaction], description="The viewer's own interactions, newest first."
    )
    def my_interactions(self, info: Info) -> Iterable[interaction_models.Interaction]:
        # Read from the session, not from the parent object: whatever path led here,
        # only the signed-in user's own activity can come back.
        return interaction_services.interactions_of(info.context.request.user)
