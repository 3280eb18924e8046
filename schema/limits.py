"""Every limit the GraphQL API enforces, in one place, each read from settings.

Values are read once, when this module is imported; the schema builds a fresh
extension per request from the factories below. each limit has a test that asserts its
exact error message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "INTERACTION_BATCH_MAX",
    "INTROSPECTION_ENABLED",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_PAGE_SIZE",
    "MAX_TOKENS",
    "alias_limiter",
    "depth_limiter",
    "introspection_guard",
    "introspection_guards",
    "token_limiter",
]

MAX_DEPTH: int = settings.GRAPHQL_MAX_DEPTH
MAX_TOKENS: int = settings.GRAPHQL_MAX_TOKENS
MAX_ALIASES: int = settings.GRAPHQL_MAX_ALIASES
MAX_PAGE_SIZE: int = settings.GRAPHQL_MAX_PAGE_SIZE
DEFAULT_PAGE_SIZE: int = min(settings.GRAPHQL_DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
INTERACTION_BATCH_MAX: int = settings.INTERACTION_BATCH_MAX
# GraphiQL needs introspection, so it follows its own setting (on with DEBUG by default).
INTROSPECTION_ENABLED: bool = settings.GRAPHQL_INTROSPECTION


def depth_limiter() -> SchemaExtension:
    return QueryDepthLimiter(max_depth=MAX_DEPTH)


def token_limiter() -> SchemaExtension:
    return MaxTokensLimiter(max_token_count=MAX_TOKENS)


def alias_limiter() -> SchemaExtension:
    return MaxAliasesLimiter(max_alias_count=MAX_ALIASES)


def introspection_guard() -> SchemaExtension:
    return AddValidationRules([NoSchemaIntrospectionCustomRule])


def introspection_guards() -> list[Callable[[], SchemaExtension]]:
    """Introspection off unless the settings allow it (GraphiQL needs it on)."""
    return [] if INTROSPECTION_ENABLED else [introspection_guard]
