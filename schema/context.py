"""One request context for every resolver, with DataLoaders made fresh per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from strawberry.types import Info as StrawberryInfo


@dataclass
class DataLoaders:
    """Per-request batching loaders; a new container per request so nothing leaks."""


@dataclass
class LupiContext:
    request: HttpRequest
    response: HttpResponse | None = None
    loaders: DataLoaders = field(default_factory=DataLoaders)


Info = StrawberryInfo[LupiContext, None]
