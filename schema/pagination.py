"""Relay-style pages: cursors, ``pageInfo``, ``totalCount``, and a capped page size."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry_django.relay import DjangoListConnection

from schema import limits

__all__ = ["Connection"]


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
        # Without `first` or `last` a page holds the configured default, not the cap.
        if first is None and last is None:
            first = limits.DEFAULT_PAGE_SIZE
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
