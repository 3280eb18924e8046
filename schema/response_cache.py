"""Cached GraphQL results per viewer: a repeated dashboard read skips parsing, validation
and execution.

The SPA's first screen is one POST of the same dashboard query, over and over. Inside the
GraphQL view, so behind every check of Django's own middleware (host, CSRF, session,
authentication), the result of such a request is kept under the viewer and the exact
request (document, operation, variables), with the viewer's generation and the model
token read before it was computed. A later identical request of the same viewer is
answered from that entry while both counters still hold those values: the viewer's own
feedback, a change of their account or interests (each bumps the generation) and a model
promotion or rollback (the token) end it. The entry costs one cache round trip to find.

What may be kept: read-only operations whose root fields are all on
:data:`CACHEABLE_ROOT_FIELDS`, answered without errors and without a fallback list (a
model problem: the next request should try again). Creator insights inside a dashboard may
be up to one TTL old.

A replayed list is still a served list: each gets a fresh request id, says ``cached``, is
logged as impressions (by the background writer) and counts as a cache hit. Each list's
object is found at the path its resolver recorded, and changed in the decoded result, not
in its bytes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    visit,
)
from graphql.language import Visitor
from strawberry.http import GraphQLRequestData

from backend.recommendations import cache as recommendation_cache
from backend.recommendations.impressions import queue_impressions

__all__ = [
    "CACHEABLE_ROOT_FIELDS",
    "CachedRead",
    "ServedList",
    "cacheable",
    "look_up",
    "may_keep",
    "operation_name",
]

# The SPA's first screen and the recommendations it re-queries with other knobs.
CACHEABLE_ROOT_FIELDS = frozenset({"dashboard", "recommendations"})
# The version names the entry's layout: a deploy that changes it changes the key.
_PREFIX = "lupi:graphql-result:v3"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ServedList:
    """A recommendation list inside a response: replayed, it is logged again."""

    request_id: str
    item_ids: tuple[int, ...]
    method: str
    model_version: str
    # The experiment variant it was served under ("" outside any experiment).
    variant: str = ""
    # Where the list's object sits in the result (response keys and list indices).
    path: tuple[str | int, ...] = ()
    # The candidate source of each item (empty for a list not made from sources), so a
    # replayed list still counts towards the bandit's arms.
    sources: tuple[str, ...] = ()


class _CachedKeyCheck(Visitor):
    """Finds a response key ``cached`` that is not the field ``cached``, or the field under
    another key: a replay sets the list object's ``cached`` key."""

    def __init__(self) -> None:
        super().__init__()
        self.clash = False

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        if node.alias is not None and "cached" in (node.alias.value, node.name.value):
            self.clash = True


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


def cacheable(query: str, operation_name: str | None = None) -> bool:
    """Whether a result of this document may be kept for its viewer and replayed."""
    return _judged(query, operation_name)[0]


def operation_name(query: str, operation_name: str | None = None) -> str | None:
    """The name of the operation a cacheable document runs (for the metrics of a replay)."""
    return _judged(query, operation_name)[1]


@lru_cache(maxsize=256)
def _judged(query: str, operation_name: str | None) -> tuple[bool, str | None]:
    try:
        document = parse(query)
    except GraphQLError:
        return False, None
    operation = _operation(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False, None
    name = operation.name.value if operation.name else None
    roots = operation.selection_set.selections
    if not roots or not all(
        isinstance(node, FieldNode)
        and node.name.value in CACHEABLE_ROOT_FIELDS
        and not node.directives
        for node in roots
    ):
        return False, name
    check = _CachedKeyCheck()
    visit(document, check)
    return not check.clash, name


def _entry_key(user_id: int, request: GraphQLRequestData) -> str:
    text = json.dumps(
        [request.query, request.operation_name, request.variables],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return f"{_PREFIX}:{user_id}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


@dataclass
class CachedRead:
    """A cacheable request of one viewer: the counters read before anything else, and the
    entry found for it (``None``: compute the result, then :meth:`keep` it)."""

    user_id: int
    key: str
    generation: int
    model_token: int
    # What the surfaces serve besides the model (experiments, defaults).
    config_token: int
    entry: dict[str, Any] | None

    def replay(self) -> dict[str, Any]:
        """The kept result, each list with a new request id, marked cached, and logged."""
        assert self.entry is not None
        data = json.loads(self.entry["data"])
        for item_ids, method, model_version, variant, path, id_key, sources in self.entry["lists"]:
            fresh = uuid.uuid4().hex
            served = _at(data, path)
            if id_key is not None:
                served[id_key] = fresh
            if "cached" in served:
                served["cached"] = True
            queue_impressions(
                self.user_id,
                item_ids,
                method=method,
                model_version=model_version,
                request_id=fresh,
                variant=variant,
                sources=sources,
            )
        recommendation_cache.count_hit()
        return data

    def keep(self, data: dict[str, Any], lists: Sequence[ServedList]) -> None:
        """Keep ``data`` (a result without errors) for the next identical request."""
        entry = {
            "generation": self.generation,
            "model_token": self.model_token,
            "config_token": self.config_token,
            "data": json.dumps(data, separators=(",", ":")),
            "lists": [
                (
                    s.item_ids,
                    s.method,
                    s.model_version,
                    s.variant,
                    s.path,
                    _id_key(_at(data, s.path), s),
                    s.sources,
                )
                for s in lists
            ],
        }
        recommendation_cache.store_list(self.key, entry, settings.RECOMMENDATION_CACHE_TTL)


def may_keep(request: GraphQLRequestData) -> bool:
    """Whether a result of ``request`` may be kept at all: caching on and a cacheable
    document (no I/O: the verdict is cached per document)."""
    return (
        settings.RECOMMENDATION_CACHE_TTL > 0
        and bool(request.query)
        and cacheable(request.query, request.operation_name)
    )


def look_up(user_id: int, request: GraphQLRequestData) -> CachedRead | None:
    """The viewer's counters and kept entry for ``request`` (one cache round trip), or
    ``None`` when nothing may be kept: caching off, a document that is not cacheable, or
    the cache unreachable. Blocking: call it from a thread."""
    if not may_keep(request):
        return None
    key = _entry_key(user_id, request)
    counters, entry = recommendation_cache.snapshot_and_get(user_id, key)
    if counters is None:
        return None
    generation, token, config_token = counters
    kept_with = (
        (entry.get("generation"), entry.get("model_token"), entry.get("config_token"))
        if isinstance(entry, dict)
        else None
    )
    if kept_with != counters:
        entry = None
    return CachedRead(user_id, key, generation, token, config_token, entry)


def _at(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _id_key(served: dict[str, Any], listed: ServedList) -> str | None:
    """The response key of the list's request id (the document may alias it or leave it
    out); request ids are random hex strings, so a value equal to it is it."""
    return next((key for key, value in served.items() if value == listed.request_id), None)
