"""Plain Django JSON views doing the same work as the GraphQL queries the benchmark sends.

They exist only to measure the GraphQL layer's overhead in the same run: same services,
same database work, hand-written serialisation.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse

from backend.content import services as content_services


def _items_page(first: int) -> list[dict]:
    items = (
        content_services.published_items()
        .select_related("creator", "category")
        .prefetch_related("tags")[:first]
    )
    return [
        {
            "id": item.pk,
            "type": item.type,
            "title": item.title,
            "excerpt": item.excerpt,
            "imageUrl": item.image_url,
            "publishedAt": item.published_at.isoformat(),
            "creator": {"id": item.creator_id, "displayName": item.creator.display_name},
            "category": {"name": item.category.name} if item.category else None,
            "tags": [{"name": tag.name} for tag in item.tags.all()],
        }
        for item in items
    ]


async def items(request: HttpRequest) -> JsonResponse:
    first = min(int(request.GET.get("first", 50)), 100)
    return JsonResponse({"items": await sync_to_async(_items_page)(first)})
