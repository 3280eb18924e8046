"""The async GraphQL view: builds a fresh context (with its DataLoaders) per request, and
offers cacheable responses to the response edge (``backend/edge.py``)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from strawberry.django.views import AsyncGraphQLView
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from backend import edge
from backend.recommendations import cache as recommendation_cache
from schema.context import LupiContext
from schema.response_cache import cacheable


class LupiGraphQLView(AsyncGraphQLView):
    async def get_context(self, request: HttpRequest, response: HttpResponse) -> LupiContext:
        return LupiContext(request=request, response=response)

    async def execute_operation(
        self,
        request: HttpRequest,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: LupiContext,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        snapshot = await _edge_snapshot(request_data, context)
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        if (
            snapshot is not None
            and isinstance(result, ExecutionResult)
            and not result.errors
            # A fallback list means a model problem: let the next request try again.
            and all(served.method != "fallback" for served in context.served_lists)
        ):
            user_id, (generation, model_token) = snapshot
            edge.offer(
                edge.Draft(
                    user_id=user_id,
                    generation=generation,
                    model_token=model_token,
                    lists=list(context.served_lists),
                )
            )
        return result


async def _edge_snapshot(
    request_data: GraphQLRequestData | list[GraphQLRequestData], context: LupiContext
) -> tuple[int, tuple[int, Any]] | None:
    """The viewer's generation and the model token, read before the response is computed,
    when the edge is in front and the document may be replayed; else ``None``."""
    if edge.pending() is None or not isinstance(request_data, GraphQLRequestData):
        return None
    if not request_data.query or not cacheable(request_data.query, request_data.operation_name):
        return None
    viewer = await context.viewer()
    if viewer is None:
        return None
    snapshot = await sync_to_async(recommendation_cache.edge_snapshot)(viewer.pk)
    return None if snapshot is None else (viewer.pk, snapshot)
