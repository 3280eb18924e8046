"""Lupi's GraphQL schema: every domain's types merged, every extension listed here."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from schema import limits
from schema.accounts.mutations import AccountsMutation
from schema.accounts.queries import AccountsQuery
from schema.content.queries import ContentQuery
from schema.interactions.mutations import InteractionsMutation

Query = merge_types("Query", (AccountsQuery, ContentQuery))
Mutation = merge_types("Mutation", (AccountsMutation, InteractionsMutation))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(relay_max_results=limits.MAX_PAGE_SIZE),
    extensions=[
        # Turns nested selections into select_related / prefetch_related / only().
        DjangoOptimizerExtension,
        limits.depth_limiter,
        limits.token_limiter,
        limits.alias_limiter,
        *limits.introspection_guards(),
    ],
)

__all__ = ["schema"]
