"""The async GraphQL view: builds a fresh context (with its DataLoaders) per request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from strawberry.django.views import AsyncGraphQLView

from schema.context import LupiContext


class LupiGraphQLView(AsyncGraphQLView):
    async def get_context(self, request: HttpRequest, response: HttpResponse) -> LupiContext:
        return LupiContext(request=request, response=response)
