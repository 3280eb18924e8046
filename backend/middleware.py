"""Django's standard middleware, run on the event loop instead of hopping to a thread.

Under ASGI, Django runs each hook of a middleware that supports both modes
(``MiddlewareMixin``) through ``sync_to_async``: two thread hops per middleware and
request, about a dozen per request for the usual stack, each costing more than the hook
itself. These subclasses run the hooks inline, which is right only for hooks that do no
I/O; each class below says why its hooks qualify. The one hook that may write (a modified
session being saved) still goes to a thread.

Settings name Django's classes (its deploy checks look for those names); only the ASGI
entry point builds its handler with these, through :func:`inline_on_event_loop`. WSGI
(``backend.wsgi``) and the test client run Django's own classes; the synchronous path of
these is Django's anyway, only ``__acall__`` differs.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase
from django.middleware import clickjacking, common, csrf, security

__all__ = [
    "INLINE_SUBCLASSES",
    "AuthenticationMiddleware",
    "CommonMiddleware",
    "CsrfViewMiddleware",
    "MessageMiddleware",
    "SecurityMiddleware",
    "SessionMiddleware",
    "XFrameOptionsMiddleware",
    "inline_on_event_loop",
]


class _InlineHooks:
    """``__acall__`` running ``process_request`` and ``process_response`` inline."""

    get_response: Any

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = await self._respond(request, response)
        return response

    async def _respond(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        return self.process_response(request, response)


class SecurityMiddleware(_InlineHooks, security.SecurityMiddleware):
    """A redirect decision and response headers: no I/O."""


class CommonMiddleware(_InlineHooks, common.CommonMiddleware):
    """Host and slash checks against the URL patterns, a Content-Length header: no I/O."""


class CsrfViewMiddleware(_InlineHooks, csrf.CsrfViewMiddleware):
    """The token lives in a cookie (not the session, see ``CSRF_USE_SESSIONS``): no I/O.

    ``process_view`` (run by Django's handler, not here) still goes through a thread.
    """

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if settings.CSRF_USE_SESSIONS:  # the hooks would read and write the session
            return await super(_InlineHooks, self).__acall__(request)
        return await super().__acall__(request)


class AuthenticationMiddleware(_InlineHooks, auth.AuthenticationMiddleware):
    """Attaches lazy ``request.user`` / ``request.auser``; the user is read when used."""


class MessageMiddleware(_InlineHooks, messages.MessageMiddleware):
    """Message storage over the cookie and the session object, both already in memory;
    the session, if changed, is saved by the session middleware after this."""


class XFrameOptionsMiddleware(_InlineHooks, clickjacking.XFrameOptionsMiddleware):
    """One response header: no I/O."""


class SessionMiddleware(_InlineHooks, sessions.SessionMiddleware):
    """Creating the (lazy) session store does no I/O; saving a changed session does, and
    goes to a thread as in Django."""

    async def _respond(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        session = getattr(request, "session", None)
        if session is not None and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST):
            return await sync_to_async(self.process_response, thread_sensitive=True)(
                request, response
            )
        return self.process_response(request, response)


INLINE_SUBCLASSES = {
    "django.middleware.security.SecurityMiddleware": SecurityMiddleware,
    "django.contrib.sessions.middleware.SessionMiddleware": SessionMiddleware,
    "django.middleware.common.CommonMiddleware": CommonMiddleware,
    "django.middleware.csrf.CsrfViewMiddleware": CsrfViewMiddleware,
    "django.contrib.auth.middleware.AuthenticationMiddleware": AuthenticationMiddleware,
    "django.contrib.messages.middleware.MessageMiddleware": MessageMiddleware,
    "django.middleware.clickjacking.XFrameOptionsMiddleware": XFrameOptionsMiddleware,
}


def inline_on_event_loop(middleware: list[str]) -> list[str]:
    """``middleware`` with each Django class above replaced by its inline subclass."""
    return [
        f"{__name__}.{INLINE_SUBCLASSES[path].__name__}" if path in INLINE_SUBCLASSES else path
        for path in middleware
    ]
