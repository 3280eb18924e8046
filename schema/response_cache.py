"""Which GraphQL responses the response edge (``backend/edge.py``) may keep and replay.

Only reads whose answer depends on nothing but the viewer, the model and the arguments:
one query operation whose root fields are all on :data:`CACHEABLE_ROOT_FIELDS`. The edge
replays such a response with a new ``requestId`` per list and ``cached`` set to true; it
does so by replacing bytes, so a document that puts any other field under the response
key ``cached`` is not offered.
"""

from __future__ import annotations

from functools import lru_cache

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

__all__ = ["CACHEABLE_ROOT_FIELDS", "cacheable"]

# The SPA's first screen and the recommendations it re-queries with other knobs. Their
# content changes with the viewer's own actions (which bump the viewer's generation) and
# with a model promotion; creator insights inside a dashboard may be up to one TTL old.
CACHEABLE_ROOT_FIELDS = frozenset({"dashboard", "recommendations"})


class _CachedKeyCheck(Visitor):
    """Finds a field other than ``cached`` answering under the response key ``cached``."""

    def __init__(self) -> None:
        super().__init__()
        self.clash = False

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        if node.alias is not None and node.alias.value == "cached" and node.name.value != "cached":
            self.clash = True
        if node.alias is not None and node.name.value == "cached":
            self.clash = True  # the edge rewrites only the plain ``"cached":`` key


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)


@lru_cache(maxsize=256)
def cacheable(query: str, operation_name: str | None = None) -> bool:
    """Whether a response to this document may be kept for its session and replayed."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operation = _operation(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    roots = operation.selection_set.selections
    if not roots or not all(
        isinstance(node, FieldNode)
        and node.name.value in CACHEABLE_ROOT_FIELDS
        and not node.directives
        for node in roots
    ):
        return False
    check = _CachedKeyCheck()
    visit(document, check)
    return not check.clash
