"""The async GraphQL view: builds a fresh context (with its DataLoaders) per request, and
offers cacheable responses to the response edge (``backend/edge.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.views.csrf import csrf_failure as django_csrf_failure
from strawberry.django.views import AsyncGraphQLView
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from backend import edge
from backend.recommendations import cache as recommendation_cache
from backend.recommendations.registry import registry
from schema import limits
from schema.context import LupiContext
from schema.errors import is_unexpected, masked, request_timeout
from schema.graphiql import graphiql_page
from schema.http import RequestLimits
from schema.response_cache import cacheable

CSRF_FAILED = "CSRF_FAILED"


class LupiGraphQLView(RequestLimits, AsyncGraphQLView):
    async def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        # The locally built page: strawberry's own one loads its scripts from a CDN.
        return graphiql_page()

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
        snapshot = await _edge_snapshot(request, request_data)
        try:
            # Frees this worker's event loop after the limit; work already handed to a
            # thread (a database query) finishes there, its answer dropped.
            async with asyncio.timeout(limits.REQUEST_TIMEOUT or None):
                result = await super().execute_operation(
                    request, request_adapter, request_data, context, root_value, sub_response
                )
        except TimeoutError:
            return ExecutionResult(data=None, errors=[request_timeout(limits.REQUEST_TIMEOUT)])
        if (
            snapshot is not None
            and isinstance(result, ExecutionResult)
            and not result.errors
            # The model that answered is the one the token stands for (it did not change
            # while this ran, and no newer version was still loading).
            and registry.served_token() == snapshot[2][1]
            # A fallback list means a model problem: let the next request try again.
            and all(served.method != "fallback" for served in context.served_lists)
        ):
            user_id, auth_hash, (generation, model_token) = snapshot
            edge.offer(
                edge.Draft(
                    user_id=user_id,
                    generation=generation,
                    model_token=model_token,
                    auth_hash=auth_hash,
                    lists=list(context.served_lists),
                )
            )
        return result

    async def process_result(self, request: HttpRequest, result: ExecutionResult) -> Any:
        # The masking extension sees what ran inside the operation; this catches an
        # exception strawberry reported from outside it (an extension's own failure).
        if limits.MASK_ERRORS and result.errors:
            result.errors = [masked(e) if is_unexpected(e) else e for e in result.errors]
        return await super().process_result(request, result)


async def _edge_snapshot(
    request: HttpRequest, request_data: GraphQLRequestData | list[GraphQLRequestData]
) -> tuple[int, str, tuple[int, Any]] | None:
    """The viewer's id, session auth hash, generation and the model token, read before
    anything about the viewer is, when the edge is in front and the document may be
    replayed; else ``None``."""
    if edge.pending() is None or not isinstance(request_data, GraphQLRequestData):
        return None
    if not request_data.query or not cacheable(request_data.query, request_data.operation_name):
        return None
    # From the session, not the user row: the counters must be read before the row is.
    user_id = await request.session.aget(SESSION_KEY)
    auth_hash = await request.session.aget(HASH_SESSION_KEY)
    if user_id is None or not auth_hash:
        return None
    snapshot = await sync_to_async(_counters_for)(int(user_id))
    return None if snapshot is None else (int(user_id), auth_hash, snapshot)


def _counters_for(user_id: int) -> tuple[int, Any] | None:
    snapshot = recommendation_cache.edge_snapshot(user_id)
    if snapshot is None:
        return None
    registry.current()  # catch up with the token just read (loads a promoted version)
    return snapshot if registry.served_token() == snapshot[1] else None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a refused POST to the API gets a GraphQL error a client can
    read (status 403, ``extensions.code`` ``CSRF_FAILED``); every other path keeps Django's
    page. The response carries a CSRF cookie, so a client that had none can retry."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "graphql":
        return django_csrf_failure(request, reason)
    get_token(request)  # the middleware sets the cookie on the way out
    message = (
        f"CSRF verification failed: {reason} Mutations must send the value of the "
        f"{settings.CSRF_COOKIE_NAME} cookie in the X-CSRFToken header; "
        "a GET of /graphql/ sets the cookie, and login rotates it."
    )
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": CSRF_FAILED}}]}, status=403
    )
