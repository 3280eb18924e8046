"""Relay-style pages: cursors, ``pageInfo``, ``totalCount``, and a capped page size.

Each page's queryset goes through strawberry-django's optimizer here (joins, prefetches and
``only()`` from the selection), the one place where it pays. As a schema extension it would
wrap the resolution of every field of every response as a middleware, querysets or not: on
a 50-item catalogue page that is about 800 calls for 3 querysets.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import strawberry
from django.db.models import QuerySet
from graphql import GraphQLError
from strawberry import relay
from strawberry.relay.types import PREFIX
from strawberry_django.optimizer import optimize
from strawberry_django.relay import DjangoListConnection

from schema import limits
from schema.errors import BAD_USER_INPUT

__all__ = ["Connection", "cursor_offset"]


def _argument_error(argument: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, "field": argument})


def cursor_offset(cursor: str, argument: str) -> int:
    """The offset in a cursor this API gave out (``arrayconnection:<n>``, base64), from 0
    to MAX_CURSOR_OFFSET; a GraphQL error naming ``argument`` for anything else."""
    try:
        prefix, _, offset = base64.b64decode(cursor, validate=True).decode("ascii").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        prefix, offset = "", ""
    valid = prefix == PREFIX and offset.isascii() and offset.isdigit() and len(offset) <= 10
    if not valid or int(offset) > limits.MAX_CURSOR_OFFSET:
        raise _argument_error(argument, f"{argument}: not a cursor from this API.")
    return int(offset)


def _check_page(first: int | None, last: int | None, after: str | None, before: str | None) -> None:
    """Refuse, with the argument's name, what strawberry would refuse with an exception (or
    pass to the database as an offset out of range)."""
    for name, size in (("first", first), ("last", last)):
        if size is not None and size < 0:
            raise _argument_error(name, f"Argument '{name}' must be a non-negative integer.")
        if size is not None and size > limits.MAX_PAGE_SIZE:
            message = f"Argument '{name}' cannot be higher than {limits.MAX_PAGE_SIZE}."
            raise _argument_error(name, message)
    if last is not None and before is None:
        raise _argument_error("last", "Argument 'last' needs 'before': pages count from the start.")
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None:
            cursor_offset(cursor, name)


@strawberry.type(
    description=(
        "A page of results. Ask for `first` items (at most GRAPHQL_MAX_PAGE_SIZE, 100 by "
        "default; a larger number is an error) after the `endCursor` of the previous page."
    )
)
class Connection(DjangoListConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(
        cls,
        nodes: Any,
        *,
        info: Any,
        before: str | None = None,
        after: str | None = None,
        first: int | None = None,
        last: int | None = None,
        max_results: int | None = None,
        **kwargs: Any,
    ) -> Any:
        _check_page(first, last, after, before)
        # Without `first` or `last` a page holds the configured default, not the cap.
        if first is None and last is None:
            first = limits.DEFAULT_PAGE_SIZE
        if isinstance(nodes, QuerySet):
            nodes = optimize(nodes, info)
        return super().resolve_connection(
            nodes,
            info=info,
            before=before,
            after=after,
            first=first,
            last=last,
            max_results=limits.MAX_PAGE_SIZE if max_results is None else max_results,
            **kwargs,
        )
