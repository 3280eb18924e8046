"""One request context for every resolver, with DataLoaders made fresh per request.

Loaders are named ``<Model>By<Key>Loader`` and return their results in key order
(``None`` or ``[]`` where a key has no match), so resolvers can ``await loader.load(key)``
and many such calls in one response become a single query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from backend.accounts import services as account_services
from backend.accounts.models import User
from backend.apikeys.middleware import request_key
from backend.apikeys.models import ApiKey
from backend.content import services as content_services
from backend.content.models import Category, ContentItem, Creator, Tag
from schema.response_cache import ServedList

__all__ = [
    "ContentItemByIdLoader",
    "CreatorByIdLoader",
    "DataLoaders",
    "Info",
    "InterestCategoriesByUserIdLoader",
    "InterestTagsByUserIdLoader",
    "LupiContext",
]


def _loader(fetch: Callable[[list[Any]], dict[Any, Any]], missing: Callable[[], Any]):
    """A load function that runs ``fetch`` off the event loop and orders its result by key."""

    async def load(keys: list[Any]) -> list[Any]:
        found = await sync_to_async(fetch)([int(key) for key in keys])
        return [found.get(int(key), missing()) for key in keys]

    return load


class ContentItemByIdLoader(DataLoader[int, ContentItem | None]):
    """Published items by id, with creator, category and tags already loaded."""

    def __init__(self) -> None:
        super().__init__(load_fn=_loader(content_services.items_by_ids, lambda: None))


class CreatorByIdLoader(DataLoader[int, Creator | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_loader(content_services.creators_by_ids, lambda: None))


class InterestTagsByUserIdLoader(DataLoader[int, list[Tag]]):
    """The tags each user declared an interest in."""

    def __init__(self) -> None:
        super().__init__(load_fn=_loader(account_services.interested_tags_by_user, list))


class InterestCategoriesByUserIdLoader(DataLoader[int, list[Category]]):
    """The categories each user declared an interest in."""

    def __init__(self) -> None:
        super().__init__(load_fn=_loader(account_services.interested_categories_by_user, list))


@dataclass
class DataLoaders:
    """Per-request batching loaders; a new container per request so nothing leaks."""

    content_item_by_id: ContentItemByIdLoader = field(default_factory=ContentItemByIdLoader)
    creator_by_id: CreatorByIdLoader = field(default_factory=CreatorByIdLoader)
    interest_tags_by_user_id: InterestTagsByUserIdLoader = field(
        default_factory=InterestTagsByUserIdLoader
    )
    interest_categories_by_user_id: InterestCategoriesByUserIdLoader = field(
        default_factory=InterestCategoriesByUserIdLoader
    )


@dataclass
class LupiContext:
    request: HttpRequest
    response: HttpResponse | None = None
    loaders: DataLoaders = field(default_factory=DataLoaders)
    # Recommendation lists in this response, logged again when the result is replayed.
    served_lists: list[ServedList] = field(default_factory=list)
    _viewer: User | AnonymousUser | None = None

    @property
    def api_key(self) -> ApiKey | None:
        """The live API key the request carries (``backend/apikeys/middleware.py``)."""
        return request_key(self.request)

    async def viewer(self) -> User | None:
        """The signed-in user, or None; read once per request without blocking the loop.
        A request that sends an API key is the key's, never a session's: no viewer."""
        if "Authorization" in self.request.headers:
            return None
        if self._viewer is None:
            self._viewer = await self.request.auser()
        return self._viewer if self._viewer.is_authenticated else None

    async def user(self) -> User:
        """The viewer of a field declared with :class:`schema.permissions.SignedIn`."""
        viewer = await self.viewer()
        if viewer is None:  # the permission refused the request before the resolver ran
            raise RuntimeError("a field that reads the viewer lacks the SignedIn permission")
        return viewer

    def forget_viewer(self) -> None:
        """Drop the cached viewer after login or logout changed the session."""
        self._viewer = None


Info = StrawberryInfo[LupiContext, None]
