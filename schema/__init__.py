"""Lupi's GraphQL schema: every domain's types merged, every extension listed here."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema import limits
from schema.accounts.mutations import AccountsMutation
from schema.accounts.queries import AccountsQuery
from schema.content.queries import ContentQuery
from schema.dashboard.queries import DashboardQuery
from schema.errors import (
    BAD_USER_INPUT,
    FORBIDDEN,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_COMPLEX,
    RATE_LIMITED,
    UNAUTHENTICATED,
    is_unexpected,
    without_suggestions,
)
from schema.experiments.mutations import ExperimentsMutation
from schema.experiments.queries import ExperimentsQuery
from schema.ingestion.mutations import IngestionMutation
from schema.insights.queries import InsightsQuery
from schema.interactions.mutations import InteractionsMutation
from schema.metrics import OperationMetrics
from schema.recommendations.queries import RecommendationsQuery
from schema.recommendations.visitors import VisitorsMutation, VisitorsQuery

Query = merge_types(
    "Query",
    (
        AccountsQuery,
        ContentQuery,
        RecommendationsQuery,
        InsightsQuery,
        DashboardQuery,
        ExperimentsQuery,
        VisitorsQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountsMutation,
        InteractionsMutation,
        ExperimentsMutation,
        VisitorsMutation,
        IngestionMutation,
    ),
)

# Errors the client caused and was told about in the response; not worth a traceback.
EXPECTED_ERROR_CODES = frozenset(
    {
        BAD_USER_INPUT,
        FORBIDDEN,
        RATE_LIMITED,
        UNAUTHENTICATED,
        GRAPHQL_VALIDATION_FAILED,
        QUERY_TOO_COMPLEX,
    }
)


class LupiSchema(strawberry.Schema):
    # With suggestions off, every "Did you mean" goes, not only those about fields.
    remove_field_suggestion = staticmethod(without_suggestions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        logged = [
            error
            for error in errors
            if (error.extensions or {}).get("code") not in EXPECTED_ERROR_CODES
            # A masked error is logged once, with the reference its client was given.
            and not (limits.MASK_ERRORS and is_unexpected(error))
        ]
        super().process_errors(logged, execution_context)


schema = LupiSchema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(
        relay_max_results=limits.MAX_PAGE_SIZE,
        disable_field_suggestions=not limits.FIELD_SUGGESTIONS,
    ),
    extensions=[
        OperationMetrics,  # first: its time covers the others
        # (No DjangoOptimizerExtension: pages run the optimizer themselves, schema/pagination.py.)
        # Before every validation rule: refuses broken fragments and documents over the
        # field, fragment-nesting or cost budget, measured without expanding fragments.
        limits.DocumentBudget,
        limits.depth_limiter,
        limits.token_limiter,
        limits.alias_limiter,
        *limits.introspection_guards(),
        # Exception text stays in the log (with a reference the client gets) unless DEBUG.
        *limits.error_masks(),
        # The SPA sends the same few documents over and over: parse and validate each once
        # (the limits above are fixed when the schema is built, so a verdict never changes).
        # (One LRU per maxsize at module level: a fresh extension per request shares it.)
        lambda: ParserCache(maxsize=256),
        lambda: limits.CachedValidation(maxsize=256),
    ],
)

__all__ = ["schema"]
