"""The async GraphQL view: builds a fresh context (with its DataLoaders) per request, and
answers a viewer's repeated cacheable read from its kept result (``schema/response_cache.py``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.views.csrf import csrf_failure as django_csrf_failure
from strawberry.django.views import AsyncGraphQLView
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from backend.metrics import observe_operation
from backend.recommendations.registry import registry
from schema import limits
from schema.context import LupiContext
from schema.errors import UNAUTHENTICATED, is_unexpected, key_refused, masked, request_timeout
from schema.graphiql import graphiql_page
from schema.http import RequestLimits
from schema.response_cache import CachedRead, look_up, may_keep, operation_name

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
        refusal = getattr(request, "api_key_refusal", None)
        if refusal is not None:  # a key was sent and refused: nothing in the request runs
            sub_response.status_code = 401
            sub_response["WWW-Authenticate"] = "Bearer"
            return ExecutionResult(data=None, errors=[key_refused(refusal)])
        started = time.perf_counter()
        read = await _cached_read(request, request_data)
        if read is not None and read.entry is not None:
            sub_response["X-Lupi-Cache"] = "hit"
            # On a thread: the hit is counted in the cache.
            data = await sync_to_async(read.replay)()
            assert isinstance(request_data, GraphQLRequestData) and request_data.query
            name = operation_name(request_data.query, request_data.operation_name)
            observe_operation(name, time.perf_counter() - started, 0)
            return ExecutionResult(data=data, errors=None)
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
            read is not None
            and isinstance(result, ExecutionResult)
            and not result.errors
            and result.data is not None
            # The model that answered is the one the token stands for (it did not change
            # while this ran, and no newer version was still loading).
            and registry.served_token() == read.model_token
            # A fallback list means a model problem: let the next request try again.
            and all(served.method != "fallback" for served in context.served_lists)
        ):
            await sync_to_async(read.keep)(result.data, list(context.served_lists))
        return result

    async def process_result(self, request: HttpRequest, result: ExecutionResult) -> Any:
        # The masking extension sees what ran inside the operation; this catches an
        # exception strawberry reported from outside it (an extension's own failure).
        if limits.MASK_ERRORS and result.errors:
            result.errors = [masked(e) if is_unexpected(e) else e for e in result.errors]
        return await super().process_result(request, result)


async def _cached_read(
    request: HttpRequest, request_data: GraphQLRequestData | list[GraphQLRequestData]
) -> CachedRead | None:
    """The viewer's kept result for this request, or the counters to keep it under;
    ``None`` when it may not be kept. The counters are read before the viewer's account
    is: a change to it after them bumps the generation the result is kept with."""
    # Checked here, before the session and a thread hop: most documents are never kept.
    if not isinstance(request_data, GraphQLRequestData) or not may_keep(request_data):
        return None
    if "Authorization" in request.headers:  # an API key's request: no session's result
        return None
    user_id = await request.session.aget(SESSION_KEY)
    if user_id is None:
        return None
    read = await sync_to_async(_read_for)(int(user_id), request_data)
    # Django's own check of the session's account (exists, active, same password).
    viewer = await request.auser()
    if read is None or not viewer.is_authenticated or viewer.pk != read.user_id:
        return None
    return read


def _read_for(user_id: int, request_data: GraphQLRequestData) -> CachedRead | None:
    read = look_up(user_id, request_data)
    if read is None or read.entry is not None:
        return read
    registry.current()  # catch up with the token just read (loads a promoted version)
    return read if registry.served_token() == read.model_token else None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a refused POST to the API gets a GraphQL error a client can
    read (status 403, ``extensions.code`` ``CSRF_FAILED``); every other path keeps Django's
    page. The response carries a CSRF cookie, so a client that had none can retry."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "graphql":
        return django_csrf_failure(request, reason)
    refusal = getattr(request, "api_key_refusal", None)
    if refusal is not None:
        # A valid key skips the check: what failed it is the key, and that is the answer.
        return JsonResponse(
            {"errors": [{"message": refusal, "extensions": {"code": UNAUTHENTICATED}}]},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    get_token(request)  # the middleware sets the cookie on the way out
    message = (
        f"CSRF verification failed: {reason} Mutations must send the value of the "
        f"{settings.CSRF_COOKIE_NAME} cookie in the X-CSRFToken header; "
        "a GET of /graphql/ sets the cookie, and login rotates it."
    )
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": CSRF_FAILED}}]}, status=403
    )
