"""Times and counts every GraphQL operation by name (``backend/metrics.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from backend.metrics import observe_operation

__all__ = ["OperationMetrics"]


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            name = context.operation_name
        except Exception:  # a document that did not parse has no operation to name
            name = None
        result = context.result
        errors = len(result.errors or []) if result is not None else len(context.errors or [])
        observe_operation(name, time.perf_counter() - started, errors)
