"""Visitors who are not signed in: acts kept in their session, lists folded in from them."""

from __future__ import annotations

from collections import Counter

from django.test import Client

from backend.content.models import ContentItem
from backend.interactions.models import Impression, Interaction
from backend.recommendations import impressions
from tests.schema.conftest import GraphQL

VISITOR_RECS = """query($first: Int!) { visitorRecommendations(first: $first) {
  method modelVersion items { item { id category { id } } reasons { kind evidenceIds } } } }"""

ACT = """mutation($item: ID!, $kind: InteractionKind!) {
  recordVisitorAct(itemId: $item, kind: $kind) { acts maxActs } }"""


def visitor() -> GraphQL:
    return GraphQL(Client(enforce_csrf_checks=True))


def listed(result: dict) -> list[dict]:
    assert "errors" not in result, result
    return result["data"]["visitorRecommendations"]["items"]


def one_category_items(count: int) -> tuple[int, list[int]]:
    """The published category with the most items, and ``count`` of its items."""
    published = ContentItem.objects.filter(published_at__isnull=False)
    category, _ = Counter(published.values_list("category_id", flat=True)).most_common(1)[0]
    picks = published.filter(category_id=category).order_by("id").values_list("id", flat=True)
    return category, list(picks[:count])


def category_share(items: list[dict], category: int) -> float:
    return sum(int(rec["item"]["category"]["id"]) == category for rec in items) / len(items)


def test_a_visitor_gets_trending_items_then_a_list_folded_in_from_their_acts(served) -> None:
    gql = visitor()
    before = gql(VISITOR_RECS, {"first": 20})
    assert before["data"]["visitorRecommendations"]["method"] == "TRENDING"
    trending = listed(before)
    category, liked = one_category_items(3)
    for item in liked:
        recorded = gql(ACT, {"item": str(item), "kind": "LIKE"})
        assert "errors" not in recorded, recorded
    assert recorded["data"]["recordVisitorAct"]["acts"] == 3
    after = gql(VISITOR_RECS, {"first": 20})
    page = after["data"]["visitorRecommendations"]
    assert page["method"] == "HYBRID" and page["modelVersion"]
    items = listed(after)
    assert not {int(rec["item"]["id"]) for rec in items} & set(liked)
    assert category_share(items, category) > category_share(trending, category)
    cited = {
        int(evidence)
        for rec in items
        for reason in rec["reasons"]
        if reason["kind"] == "SIMILAR_TO_LIKED"
        for evidence in reason["evidenceIds"]
    }
    assert cited and cited <= set(liked)


def test_acts_stay_in_their_own_session_and_nothing_is_written(served) -> None:
    interactions, shown = Interaction.objects.count(), Impression.objects.count()
    first, second = visitor(), visitor()
    _, liked = one_category_items(2)
    for item in liked:
        first(ACT, {"item": str(item), "kind": "SAVE"})
    assert first(VISITOR_RECS, {"first": 5})["data"]["visitorRecommendations"]["method"] == (
        "HYBRID"
    )
    assert second(VISITOR_RECS, {"first": 5})["data"]["visitorRecommendations"]["method"] == (
        "TRENDING"
    )
    impressions.flush()
    assert (Interaction.objects.count(), Impression.objects.count()) == (interactions, shown)


def test_the_session_keeps_only_the_newest_acts(served, settings) -> None:
    settings.RECOMMENDATION_VISITOR_MAX_ACTS = 3
    gql = visitor()
    _, items = one_category_items(5)
    counts = [gql(ACT, {"item": str(i), "kind": "VIEW"})["data"]["recordVisitorAct"] for i in items]
    assert [c["acts"] for c in counts] == [1, 2, 3, 3, 3]
    assert counts[-1]["maxActs"] == 3


def test_bad_acts_are_refused_and_leave_the_session_as_it_was(served) -> None:
    gql = visitor()
    _, (item,) = one_category_items(1)
    draft = ContentItem.objects.filter(published_at__isnull=True).first()
    refused = {
        "COMMENT": gql(ACT, {"item": str(item), "kind": "COMMENT"}),
        "draft": gql(ACT, {"item": str(draft.pk) if draft else "999999", "kind": "VIEW"}),
        "missing": gql(ACT, {"item": "999999", "kind": "VIEW"}),
        "bad id": gql(ACT, {"item": "x1", "kind": "VIEW"}),
    }
    for name, result in refused.items():
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", name
    assert "A visitor can record" in refused["COMMENT"]["errors"][0]["message"]
    assert "No published item with id 999999" in refused["missing"]["errors"][0]["message"]
    page = gql(VISITOR_RECS, {"first": 5})["data"]["visitorRecommendations"]
    assert page["method"] == "TRENDING"


def test_an_act_needs_the_csrf_proof(served) -> None:
    gql = visitor()
    _, (item,) = one_category_items(1)
    response = gql.post(ACT, {"item": str(item), "kind": "VIEW"}, csrf=False)
    assert response.status_code == 403


def test_visitor_fields_are_rate_limited_per_address(served, settings) -> None:
    settings.GRAPHQL_FIELD_RATES = "visitorRecommendations=2/600"
    for _ in range(2):
        listed(visitor()(VISITOR_RECS, {"first": 3}))
    # A new session from the same address does not reset the allowance.
    refused = visitor()(VISITOR_RECS, {"first": 3})
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_an_out_of_range_page_size_is_named(served) -> None:
    result = visitor()(VISITOR_RECS, {"first": 0})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["errors"][0]["message"].startswith("first:")
