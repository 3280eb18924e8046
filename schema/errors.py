"""Turning service validation errors into GraphQL errors that name the offending field."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from graphql import GraphQLError

__all__ = [
    "BAD_USER_INPUT",
    "FORBIDDEN",
    "RATE_LIMITED",
    "UNAUTHENTICATED",
    "UNAVAILABLE",
    "forbidden",
    "input_error",
    "knob_error",
    "login_required",
    "rate_limited",
    "unavailable",
]

BAD_USER_INPUT = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
UNAVAILABLE = "UNAVAILABLE"
RATE_LIMITED = "RATE_LIMITED"


def _camel(path: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)


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
