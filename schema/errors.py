"""Turning service validation errors into GraphQL errors that name the offending field,
and keeping every other exception's text out of responses."""

from __future__ import annotations

import logging
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

__all__ = [
    "BAD_USER_INPUT",
    "FORBIDDEN",
    "RATE_LIMITED",
    "GRAPHQL_VALIDATION_FAILED",
    "INTERNAL_SERVER_ERROR",
    "MaskUnexpectedErrors",
    "QUERY_TOO_COMPLEX",
    "TIMEOUT",
    "UNAUTHENTICATED",
    "UNAVAILABLE",
    "forbidden",
    "graphql_name",
    "input_error",
    "is_unexpected",
    "key_refused",
    "key_required",
    "knob_error",
    "login_required",
    "rate_limited",
    "masked",
    "request_timeout",
    "unavailable",
    "without_suggestions",
]

logger = logging.getLogger("schema.errors")

BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
UNAVAILABLE = "UNAVAILABLE"
RATE_LIMITED = "RATE_LIMITED"
# The document itself was refused before it ran: broken, or bigger than the limits allow.
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# Something failed on our side; the message carries only a reference to the logged error.
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
TIMEOUT = "TIMEOUT"


def _camel(path: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)


def graphql_name(python_name: str) -> str:
    """An argument or field's GraphQL (camelCase) name."""
    return _camel(python_name)


def input_error(exc: ValidationError, prefix: str = "", whole: str = "input") -> GraphQLError:
    """One error whose message reads ``field: problem`` for each problem found.

    ``extensions.field`` names the first offending field and ``extensions.fields`` maps
    every offending field to its messages, with GraphQL (camelCase) names. Keys starting
    with ``[`` are list positions and join the prefix without a dot. An error about the
    input as a whole is reported under ``prefix``, or ``whole`` when there is no prefix.
    """
    fields: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        if key in ("", "__all__"):
            name = prefix
        elif key.startswith("[") or not prefix:
            name = prefix + _camel(key)
        else:
            name = f"{prefix}.{_camel(key)}"
        fields.setdefault(name or whole, []).extend(messages)
    message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    return GraphQLError(
        message,
        extensions={"code": BAD_USER_INPUT, "field": next(iter(fields)), "fields": fields},
    )


def login_required(operation: str) -> GraphQLError:
    return GraphQLError(
        f"{operation}: Log in first; anonymous users cannot do this.",
        extensions={"code": UNAUTHENTICATED, "field": operation},
    )


def key_required(field: str, scope: str) -> GraphQLError:
    """A field only API keys reach, asked without one."""
    return GraphQLError(
        f"{field}: Send an API key with the {scope} scope (Authorization: Bearer <key>).",
        extensions={"code": UNAUTHENTICATED, "field": field},
    )


def key_refused(reason: str) -> GraphQLError:
    """The request's API key is malformed, unknown or revoked: nothing in it ran."""
    return GraphQLError(reason, extensions={"code": UNAUTHENTICATED})


def forbidden(field: str, message: str) -> GraphQLError:
    """The viewer is signed in but may not read or do this."""
    return GraphQLError(f"{field}: {message}", extensions={"code": FORBIDDEN, "field": field})


def knob_error(knob: str, detail: str, prefix: str = "") -> GraphQLError:
    """An out-of-bounds recommendation argument, named the way the client sent it
    (``knobs.diversity: must be from 0 to 1, got 3.0``)."""
    name = f"{prefix}.{_camel(knob)}" if prefix else _camel(knob)
    message = f"{name}: {detail}"
    return GraphQLError(
        message, extensions={"code": BAD_USER_INPUT, "field": name, "fields": {name: [detail]}}
    )


def unavailable(field: str, message: str) -> GraphQLError:
    """A backing service failed; nothing was done, and the client may try again."""
    return GraphQLError(f"{field}: {message}", extensions={"code": UNAVAILABLE, "field": field})


def rate_limited(field: str, message: str, retry_after: int) -> GraphQLError:
    """Refused by a throttle; ``extensions.retryAfter`` says in how many seconds to retry."""
    return GraphQLError(
        f"{field}: {message}",
        extensions={"code": RATE_LIMITED, "field": field, "retryAfter": retry_after},
    )


def is_unexpected(error: GraphQLError) -> bool:
    """An error that came from an exception, not one raised to tell the client something
    (ours carry a code; graphql-core's validation and coercion errors wrap no exception)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def masked(error: GraphQLError) -> GraphQLError:
    """``error`` without its text: a reference the client can quote, and the original
    logged under that reference."""
    reference = uuid.uuid4().hex[:16]
    logger.error(
        "GraphQL error %s at %s: %s",
        reference,
        ".".join(str(step) for step in error.path or ()) or "(document)",
        error.message,
        exc_info=error.original_error,
    )
    if isinstance(error.original_error, (OperationalError, InterfaceError)):
        # The database could not be reached or gave up (a restart, a lost connection, a
        # lock timeout): nothing wrong with the request, and trying again is the remedy.
        code, text = UNAVAILABLE, "The database is unavailable just now; try again"
    else:
        code, text = INTERNAL_SERVER_ERROR, "Internal error"
    return GraphQLError(
        f"{text} (reference {reference}).",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code, "errorId": reference},
    )


def without_suggestions(error: GraphQLError) -> None:
    """Drop graphql-core's "Did you mean ...?" from a message: it names fields, arguments
    and types that introspection (off in production) would otherwise keep to itself."""
    if " Did you mean " in error.message:
        error.message = error.message.split(" Did you mean ", 1)[0]


def request_timeout(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"The request ran longer than {seconds:g} s and was stopped; a mutation in it may "
        "still have been applied.",
        extensions={"code": TIMEOUT},
    )


class MaskUnexpectedErrors(MaskErrors):
    """strawberry's masking, for errors that came from an exception only: the client's own
    mistakes (validation, our coded errors) keep their text."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return masked(error)
