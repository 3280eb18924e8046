"""A request id for every request: taken from a sane incoming ``X-Request-ID`` (one a
proxy or client set, 8 to 128 of ``A-Z a-z 0-9 . _ : -``) or made here, echoed in the
response's ``X-Request-ID``, and on every log record written while the request runs
(``%(request_id)s``; ``-`` outside requests).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

__all__ = ["HEADER", "RequestIdFilter", "RequestIdMiddleware", "accept", "current"]

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_current: ContextVar[str | None] = ContextVar("lupi_request_id", default=None)


def accept(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new one."""
    if incoming and _SANE.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> str | None:
    return _current.get()


def bind(request_id: str) -> Any:
    """Make ``request_id`` the current one; returns the token to :func:`unbind` with."""
    return _current.set(request_id)


def unbind(token: Any) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """Sync and async capable, so Django adds no thread hop for it under ASGI."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        token = self._start(request)
        try:
            return self._finish(request, self.get_response(request))
        finally:
            unbind(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        token = self._start(request)
        try:
            return self._finish(request, await self.get_response(request))
        finally:
            unbind(token)

    @staticmethod
    def _start(request: HttpRequest) -> Any:
        request.request_id = accept(request.headers.get(HEADER))
        return bind(request.request_id)

    @staticmethod
    def _finish(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True
