"""Plain Django JSON views doing the same work as the GraphQL queries the benchmark sends.

They exist only to measure the GraphQL layer's overhead in the same run: same services,
same database work, hand-written serialisation.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse

from backend.content import services as content_services
from backend.content.covers import cover_url


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
            "imageUrl": cover_url(item.pk, item.image_url),
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


def _dashboard(user, first: int) -> dict:
    """The dashboard's work without GraphQL: same services, hand-written JSON."""
    from backend.content.models import Creator
    from backend.insights import services as insight_services
    from backend.recommendations import serving
    from backend.recommendations.creators import similar_creators

    recs = serving.recommend_for_user(user, first)
    items = content_services.items_by_ids(recs.item_ids)
    activity = insight_services.recent_activity(user, 10)
    stats = insight_services.user_stats(user)
    creator = Creator.objects.filter(user=user).first()
    insights = (
        insight_services.creator_insights(creator, similar_creators_fn=similar_creators)
        if creator
        else None
    )
    return {
        "me": {"username": user.username},
        "preferences": {"accentColor": user.accent_color, "fontSize": user.font_size},
        "recommendations": {
            "method": recs.method.value,
            "modelVersion": recs.model_version,
            "diversity": recs.diversity,
            "cached": recs.cached,
            "items": [
                {
                    "score": rec.score,
                    "item": {
                        "id": rec.item_id,
                        "type": items[rec.item_id].type,
                        "title": items[rec.item_id].title,
                        "excerpt": items[rec.item_id].excerpt,
                        "imageUrl": cover_url(rec.item_id, items[rec.item_id].image_url),
                        "creator": {
                            "id": items[rec.item_id].creator_id,
                            "displayName": items[rec.item_id].creator.display_name,
                        },
                    },
                    "reasons": [
                        {"kind": r.kind.value, "text": r.text, "evidenceIds": list(r.evidence_ids)}
                        for r in rec.reasons
                    ],
                    "breakdown": {
                        "graph": rec.breakdown.graph,
                        "content": rec.breakdown.content,
                        "freshness": rec.breakdown.freshness,
                        "diversityPenalty": rec.breakdown.diversity_penalty,
                    },
                }
                for rec in recs.items
                if rec.item_id in items
            ],
        },
        "recentActivity": [
            {
                "kind": a.kind,
                "occurredAt": a.occurred_at.isoformat(),
                "item": {"title": a.item.title},
            }
            for a in activity
        ],
        "stats": {"interactions": stats.interactions, "likes": stats.likes, "views": stats.views},
        "creatorInsights": None
        if insights is None
        else {
            "totals": {
                "views": insights.totals.views,
                "likes": insights.totals.likes,
                "impressions": insights.totals.impressions,
                "ctr": insights.totals.ctr,
            },
            "series": [{"date": p.date.isoformat(), "views": p.views} for p in insights.series],
            "topItems": [{"title": i.title, "views": i.views} for i in insights.top_items],
            "audienceInterests": [
                {"name": a.name, "share": a.share} for a in insights.audience_interests
            ],
            "methods": [
                {"method": m.method, "impressions": m.impressions} for m in insights.methods
            ],
            "similarCreators": [
                {"displayName": c.display_name, "score": c.score} for c in insights.similar_creators
            ],
            "written": [{"text": w.text} for w in insights.written],
        },
    }


async def dashboard(request: HttpRequest) -> JsonResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    first = min(int(request.GET.get("first", 20)), 100)
    return JsonResponse(await sync_to_async(_dashboard)(user, first))


async def whoami(request: HttpRequest) -> JsonResponse:
    """The floor under every scenario: the middleware stack, the session and the user."""
    user = await request.auser()
    return JsonResponse({"username": user.get_username()})
