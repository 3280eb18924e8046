"""Reads the request's API key once, before Django's CSRF check.

A request with a valid key in its ``Authorization`` header is exempt from the CSRF check:
a browser never attaches that header on its own, so a forged cross-site request cannot
carry it. Any other request, session cookie or not, is checked as before. The view
refuses a request whose key was refused (``request.api_key_refusal``), whatever it asks.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest
from django.utils.decorators import sync_and_async_middleware

from backend.apikeys import services
from backend.apikeys.models import ApiKey

__all__ = ["api_key_middleware"]


def _identify(request: HttpRequest) -> None:
    """Set ``request.api_key`` (the live key, or None) and ``request.api_key_refusal``
    (why a key that was sent is refused, or None); a request without the header does no
    I/O."""
    request.api_key = None
    request.api_key_refusal = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    try:
        request.api_key = services.authenticate(header)
    except services.KeyRefused as exc:
        request.api_key_refusal = str(exc)
        return
    # Django's own flag for "this request needs no CSRF token" (what csrf_exempt and its
    # test client rely on).
    request._dont_enforce_csrf_checks = True


def _needs_lookup(request: HttpRequest) -> bool:
    return "Authorization" in request.headers


@sync_and_async_middleware
def api_key_middleware(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest):
            if _needs_lookup(request):
                await sync_to_async(_identify)(request)
            else:
                _identify(request)
            return await get_response(request)

    else:

        def middleware(request: HttpRequest):
            _identify(request)
            return get_response(request)

    return middleware


def request_key(request: HttpRequest) -> ApiKey | None:
    """The live key the request carries, if any."""
    return getattr(request, "api_key", None)
