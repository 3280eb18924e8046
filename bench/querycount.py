"""Counts the SQL queries of each request and returns the count in a response header.

The GraphQL view runs its ORM work in worker threads, so a per-connection wrapper set in
the middleware would miss it; instead every connection gets a wrapper (installed when the
connection is created) that adds to a counter held in a context variable, which asgiref
carries into those threads.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse

HEADER = "X-Lupi-Sql-Queries"
_counter: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "lupi_sql_counter", default=None
)


def _count(execute, sql, params, many, context):  # noqa: ANN001 - Django's wrapper signature
    counter = _counter.get()
    if counter is not None:
        counter[0] += 1
    return execute(sql, params, many, context)


def _install(sender, connection, **kwargs) -> None:  # noqa: ANN001
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


connection_created.connect(_install)


class QueryCountMiddleware:
    async_capable = True
    sync_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = [0]
        token = _counter.set(counter)
        try:
            response = await self.get_response(request)
        finally:
            _counter.reset(token)
        response[HEADER] = str(counter[0])
        return response
