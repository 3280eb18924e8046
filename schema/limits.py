"""Every limit the GraphQL API enforces, in one place, each read from settings.

Values are read once, when this module is imported; the schema builds a fresh
extension per request from the factories below. Each limit has a test that asserts its
exact error message.

Order matters: :class:`DocumentBudget` measures a document (fragments, fields, cost)
before any validation rule walks it, so that strawberry's depth and alias limiters and
graphql-core's rules only ever see documents of a bounded size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.conf import settings
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from schema import budget
from schema.errors import (
    BAD_USER_INPUT,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_COMPLEX,
    MaskUnexpectedErrors,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "FIELD_SUGGESTIONS",
    "INSIGHT_DAY_COST",
    "INGEST_MAX_BATCH",
    "INGEST_MAX_BODY_BYTES",
    "INTERACTION_BATCH_MAX",
    "INTROSPECTION_ENABLED",
    "MAX_ALIASES",
    "MAX_BODY_BYTES",
    "MAX_COST",
    "MAX_CURSOR_OFFSET",
    "MAX_DEPTH",
    "MAX_FIELDS",
    "MAX_FRAGMENT_NESTING",
    "MAX_JSON_DEPTH",
    "MAX_PAGE_SIZE",
    "MAX_REPEATED_FIELDS",
    "MAX_TOKENS",
    "MASK_ERRORS",
    "REQUEST_TIMEOUT",
    "SCORING_PASS_COST",
    "WEIGHTS",
    "CachedValidation",
    "DocumentBudget",
    "alias_limiter",
    "depth_limiter",
    "introspection_guard",
    "introspection_guards",
    "error_masks",
    "token_limiter",
]

MAX_DEPTH: int = settings.GRAPHQL_MAX_DEPTH
MAX_TOKENS: int = settings.GRAPHQL_MAX_TOKENS
MAX_ALIASES: int = settings.GRAPHQL_MAX_ALIASES
MAX_PAGE_SIZE: int = settings.GRAPHQL_MAX_PAGE_SIZE
DEFAULT_PAGE_SIZE: int = min(settings.GRAPHQL_DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
INTERACTION_BATCH_MAX: int = settings.INTERACTION_BATCH_MAX
# Events, items or users per ingestion call; the body a request with a valid API key may
# send (a platform's batches are larger than anything a person's browser posts).
INGEST_MAX_BATCH: int = settings.LUPI_INGEST_MAX_BATCH
INGEST_MAX_BODY_BYTES: int = max(
    settings.LUPI_INGEST_MAX_BODY_BYTES, settings.GRAPHQL_MAX_BODY_BYTES
)
# GraphiQL needs introspection, so it follows its own setting (on with DEBUG by default).
INTROSPECTION_ENABLED: bool = settings.GRAPHQL_INTROSPECTION
# What an error may reveal: exception text (masked unless DEBUG), "Did you mean" hints.
MASK_ERRORS: bool = settings.GRAPHQL_MASK_ERRORS
FIELD_SUGGESTIONS: bool = settings.GRAPHQL_FIELD_SUGGESTIONS

# Fields a document resolves once its fragments are spread, and how deep spreads chain.
MAX_FIELDS: int = settings.GRAPHQL_MAX_FIELDS
MAX_FRAGMENT_NESTING: int = settings.GRAPHQL_MAX_FRAGMENT_NESTING
# Fields under one response name at one level, once same-named fields are merged
# (graphql-core compares each pair, and the pairs below them).
MAX_REPEATED_FIELDS: int = settings.GRAPHQL_MAX_REPEATED_FIELDS
# The weighted sum of what a document would resolve (see WEIGHTS).
MAX_COST: int = settings.GRAPHQL_MAX_COST
# The HTTP request itself: body size, JSON nesting, and seconds before it is abandoned.
MAX_BODY_BYTES: int = settings.GRAPHQL_MAX_BODY_BYTES
MAX_JSON_DEPTH: int = settings.GRAPHQL_MAX_JSON_DEPTH
REQUEST_TIMEOUT: float = settings.GRAPHQL_REQUEST_TIMEOUT
# The largest offset a page cursor may carry (a page beyond the catalogue is just empty).
MAX_CURSOR_OFFSET: int = 2**31 - 1

# Every field costs 1; a page size multiplies what the field selects. On top of that:
# a scoring pass (every candidate item scored for one list) costs SCORING_PASS_COST, and
# creator insights cost INSIGHT_DAY_COST per day of their window (they aggregate it).
SCORING_PASS_COST = 100
INSIGHT_DAY_COST = 5
MAX_WINDOW_DAYS = 365


def _scoring_pass(_arguments: Mapping[str, Any]) -> int:
    return SCORING_PASS_COST


def _insight_window(arguments: Mapping[str, Any]) -> int:
    days = arguments.get("windowDays")
    days = days if isinstance(days, int) else 0
    return INSIGHT_DAY_COST * max(1, min(days, MAX_WINDOW_DAYS))


WEIGHTS = budget.Weights(
    extra={
        ("Query", "recommendations"): _scoring_pass,
        ("Dashboard", "recommendations"): _scoring_pass,
        ("Query", "similarItems"): _scoring_pass,
        ("Query", "creatorInsights"): _insight_window,
        ("Dashboard", "creatorInsights"): _insight_window,
    },
    max_page=MAX_PAGE_SIZE,
    default_page=DEFAULT_PAGE_SIZE,
)


def _refusal(message: str, code: str, nodes: Any = None) -> GraphQLError:
    return GraphQLError(message, nodes=list(nodes) if nodes else None, extensions={"code": code})


def budget_errors(
    document: Any, schema: Any, variables: Mapping[str, Any] | None, operation: str | None
) -> list[GraphQLError]:
    """Why ``document`` may not run (empty when it may), found without expanding it."""
    fault = budget.document_fault(document)
    if fault is not None:
        return [_refusal(fault.message, GRAPHQL_VALIDATION_FAILED, fault.nodes)]
    bad_text = budget.bad_text_at(document, variables)
    if bad_text is not None:
        where, nodes = bad_text
        problem = "may not contain NUL characters or unpaired surrogates."
        message = f"{where}: text {problem}" if where else f"A string argument {problem}"
        return [_refusal(message, BAD_USER_INPUT, nodes)]
    size = budget.measure(document, schema, WEIGHTS, variables, operation)
    if size.nesting > MAX_FRAGMENT_NESTING:
        message = f"Fragments nest {size.nesting} deep. Allowed: {MAX_FRAGMENT_NESTING}"
        return [_refusal(message, QUERY_TOO_COMPLEX)]
    if size.fields > MAX_FIELDS:
        message = f"{size.fields} fields after spreading fragments. Allowed: {MAX_FIELDS}"
        return [_refusal(message, QUERY_TOO_COMPLEX)]
    repeats, name = budget.most_repeated(document, operation)
    if repeats > MAX_REPEATED_FIELDS:
        message = (
            f"'{name}' is selected {repeats} times at one level. Allowed: {MAX_REPEATED_FIELDS}"
        )
        return [_refusal(message, QUERY_TOO_COMPLEX)]
    if size.cost > MAX_COST:
        return [_refusal(f"Query cost {size.cost} exceeds {MAX_COST}.", QUERY_TOO_COMPLEX)]
    return []


class DocumentBudget(SchemaExtension):
    """Refuses a document over budget, or with broken fragments, before validation.

    Its refusal stands in for the validation errors: strawberry runs no validation rule
    after an extension gave a verdict (they could walk a document of a billion fields).
    Listed before any extension that validates (see :class:`CachedValidation`).
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        errors = budget_errors(
            context.graphql_document,
            context.schema._schema,
            context.variables if isinstance(context.variables, dict) else None,
            context.operation_name,
        )
        if errors:
            context.pre_execution_errors = errors
        yield


class CachedValidation(ValidationCache):
    """strawberry's validation cache, except that a verdict already given stands."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
        else:
            yield from super().on_validate()


# strawberry's depth and alias limiters build their validation rule class when they are
# constructed, and the validation cache is keyed by the rule classes: a limiter built per
# request would make every request a miss. The classes are built once here instead.
_DEPTH_RULES = tuple(QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules)
_ALIAS_RULES = tuple(MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules)


def depth_limiter() -> SchemaExtension:
    return AddValidationRules(list(_DEPTH_RULES))


def token_limiter() -> SchemaExtension:
    return MaxTokensLimiter(max_token_count=MAX_TOKENS)


def alias_limiter() -> SchemaExtension:
    return AddValidationRules(list(_ALIAS_RULES))


def introspection_guard() -> SchemaExtension:
    return AddValidationRules([NoSchemaIntrospectionCustomRule])


def introspection_guards() -> list[Callable[[], SchemaExtension]]:
    """Introspection off unless the settings allow it (GraphiQL needs it on)."""
    return [] if INTROSPECTION_ENABLED else [introspection_guard]


def error_masks() -> list[Callable[[], SchemaExtension]]:
    """Exception text masked in responses unless the settings show it (DEBUG)."""
    return [MaskUnexpectedErrors] if MASK_ERRORS else []
