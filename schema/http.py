"""The HTTP side of the GraphQL view: what a request body may be before it is parsed.

A body that is not a GraphQL request at all (too large, not UTF-8, not JSON, JSON nested
past the limit, not an object) is answered 400 or 413 with a JSON body of the same shape
as a GraphQL error, never a server error or a plain-text page.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views import defaults

from schema import limits

__all__ = ["RequestLimits", "bad_request", "refusal"]

BAD_REQUEST = "BAD_REQUEST"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


def refusal(status: int, message: str) -> JsonResponse:
    code = PAYLOAD_TOO_LARGE if status == 413 else BAD_REQUEST
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )


def body_limit(request: HttpRequest) -> int:
    """The body a request may send: more with a valid API key (the ingestion batches)."""
    if getattr(request, "api_key", None) is not None:
        return limits.INGEST_MAX_BODY_BYTES
    return limits.MAX_BODY_BYTES


def _too_large(size: int, limit: int) -> str:
    return f"The request body has {size} bytes. Allowed: {limit}"


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        current, depth = pending.pop()
        inner = (
            current.values()
            if isinstance(current, dict)
            else current
            if isinstance(current, list)
            else None
        )
        if inner is None:
            continue
        deepest = max(deepest, depth)
        pending.extend((item, depth + 1) for item in inner)
    return deepest


def _kind(value: Any) -> str:
    return (
        "null"
        if value is None
        else {str: "a string", bool: "a boolean"}.get(type(value), "a number")
    )


class RequestLimits:
    """Mixed into the async GraphQL view, before strawberry's view class."""

    request: HttpRequest  # set by Django's View.setup before dispatch

    async def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        limit = body_limit(request)
        if _declared_length(request) > limit:
            return refusal(413, _too_large(_declared_length(request), limit))
        try:
            return await self.run(request=request)
        except HTTPException as exc:
            return refusal(exc.status_code, exc.reason)

    def decode_json(self, data: str | bytes) -> object:
        limit = body_limit(self.request)
        if len(data) > limit:
            raise HTTPException(413, _too_large(len(data), limit))
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "The request body is not valid UTF-8.") from exc
        nested = f"JSON nested deeper than {limits.MAX_JSON_DEPTH} levels."
        try:
            value = json.loads(text)
        except RecursionError as exc:
            raise HTTPException(400, nested) from exc
        except ValueError as exc:  # not JSON, or an integer of thousands of digits
            raise HTTPException(400, "The request body is not valid JSON.") from exc
        if not isinstance(value, (dict, list)):
            raise HTTPException(400, f"Expected a JSON object, got {_kind(value)}.")
        if json_depth(value) > limits.MAX_JSON_DEPTH:
            raise HTTPException(400, nested)
        return value


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponseBase:
    """Django's 400 (a body its middleware could not read, such as multipart without a
    boundary), in JSON for the API and as Django's own page elsewhere."""
    if request.path.startswith("/graphql"):
        return refusal(400, "The request could not be read.")
    return defaults.bad_request(request, exception)
