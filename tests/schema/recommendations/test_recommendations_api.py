"""Recommendations, similar items, model runs and cache counters through /graphql/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.content.models import ContentItem
from backend.interactions.models import Impression, Interaction, InteractionKind
from backend.recommendations import impressions
from backend.recommendations.registry import registry
from tests.schema.conftest import error_messages, make_user

RECS = """query($first: Int!, $filters: RecommendationFilters, $knobs: RecommendationKnobs) {
  recommendations(first: $first, filters: $filters, knobs: $knobs) {
    method modelVersion diversity cached requestId
    items { score item { id type title creator { id } category { id } tags { id } }
            reasons { kind text evidenceType evidenceIds }
            breakdown { graph content popularity freshness diversityPenalty } } } }"""


def ids(result: dict) -> list[int]:
    return [int(rec["item"]["id"]) for rec in result["data"]["recommendations"]["items"]]


def test_recommendations_are_personal_explained_and_logged(gql, served) -> None:
    demo = served["demo"]
    gql.login(demo)
    result = gql(RECS, {"first": 10})
    assert "errors" not in result, result
    page = result["data"]["recommendations"]
    assert page["method"] == "HYBRID" and page["modelVersion"]
    assert len(page["items"]) == 10 and 0 <= page["diversity"] <= 1
    seen = set(Interaction.objects.filter(user=demo).values_list("item_id", flat=True))
    assert not seen & set(ids(result))
    liked = set(
        Interaction.objects.filter(
            user=demo, kind__in=[InteractionKind.LIKE, InteractionKind.SAVE]
        ).values_list("item_id", flat=True)
    )
    followed = set(demo.interested_tags.values_list("id", flat=True))
    cited = 0
    for rec in page["items"]:
        assert rec["reasons"], "every recommendation carries at least one reason"
        for reason in rec["reasons"]:
            evidence = {int(i) for i in reason["evidenceIds"]}
            if reason["kind"] == "SIMILAR_TO_LIKED":
                assert evidence <= liked  # the cited item really was liked
                cited += 1
            if reason["kind"] == "TAG_YOU_FOLLOW":
                assert evidence <= followed
    assert cited, "a user with likes gets 'similar to X you liked' reasons"
    impressions.flush()
    logged = Impression.objects.filter(request_id=page["requestId"]).order_by("position")
    assert [i.item_id for i in logged] == ids(result)
    assert {i.method for i in logged} == {"hybrid"}


def test_hiding_an_item_removes_it_from_the_next_response(gql, served) -> None:
    gql.login(served["demo"])
    first = ids(gql(RECS, {"first": 5}))
    hide = """mutation($id: ID!) { recordInteraction(input: {itemId: $id, kind: HIDE}) { id } }"""
    assert "errors" not in gql(hide, {"id": str(first[0])})
    again = gql(RECS, {"first": 5})
    assert again["data"]["recommendations"]["cached"] is False
    assert first[0] not in ids(again)


def test_second_identical_request_is_cached_and_counted(gql, served) -> None:
    gql.login(served["demo"])
    assert gql(RECS, {"first": 4})["data"]["recommendations"]["cached"] is False
    assert gql(RECS, {"first": 4})["data"]["recommendations"]["cached"] is True
    stats = "{ cacheStats { hits misses requests hitRate } }"
    assert error_messages(gql(stats)) == ["cacheStats: Only staff may read this."]
    staff = make_user("ops", is_staff=True)
    gql.login(staff)
    counters = gql(stats)["data"]["cacheStats"]
    assert counters["hits"] >= 1 and counters["misses"] >= 1
    assert counters["requests"] == counters["hits"] + counters["misses"]


def test_filters_apply(gql, served) -> None:
    gql.login(served["demo"])
    result = gql(RECS, {"first": 8, "filters": {"types": ["VIDEO"]}})
    assert {rec["item"]["type"] for rec in result["data"]["recommendations"]["items"]} == {"VIDEO"}
    excluded = ids(result)[:3]
    again = gql(
        RECS,
        {"first": 8, "filters": {"types": ["VIDEO"], "excludeIds": [str(i) for i in excluded]}},
    )
    assert not set(excluded) & set(ids(again))


RECS_AT = """query($first: Int!, $context: RecommendationContext, $knobs: RecommendationKnobs) {
  recommendations(first: $first, context: $context, knobs: $knobs) {
    cached items { score item { id }
      breakdown { graph content popularity freshness context fatiguePenalty diversityPenalty } } }
}"""


def test_a_context_is_served_and_its_part_in_the_breakdown(gql, served) -> None:
    gql.login(served["demo"])
    for context in ({"localHour": 8, "device": "mobile"}, {"localHour": 21}, {"device": "tv"}):
        result = gql(RECS_AT, {"first": 10, "context": context})
        assert "errors" not in result, result
        items = result["data"]["recommendations"]["items"]
        assert len(items) == 10
        for rec in items:
            b = rec["breakdown"]
            total = (
                b["graph"]
                + b["content"]
                + b["popularity"]
                + b["freshness"]
                + b["context"]
                - b["fatiguePenalty"]
                - b["diversityPenalty"]
            )
            assert rec["score"] == pytest.approx(total, abs=1e-4)
    plain = gql(RECS_AT, {"first": 10})["data"]["recommendations"]["items"]
    assert all(rec["breakdown"]["context"] == 0 for rec in plain)


def test_the_dashboard_takes_the_context_too(gql, served) -> None:
    gql.login(served["demo"])
    query = """query($context: RecommendationContext) { dashboard {
      recommendations(first: 3, context: $context) { items { breakdown { context } } } } }"""
    result = gql(query, {"context": {"localHour": 7, "device": "desktop"}})
    assert "errors" not in result, result
    assert len(result["data"]["dashboard"]["recommendations"]["items"]) == 3
    bad = gql(query, {"context": {"device": "watch"}})
    assert error_messages(bad) == [
        "context.device: must be one of mobile, tablet, desktop, tv, got 'watch'"
    ]


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"localHour": 24}, "context.localHour: must be an integer from 0 to 23, got 24"),
        ({"localHour": -3}, "context.localHour: must be an integer from 0 to 23, got -3"),
        (
            {"localHour": 8, "device": "Mobile"},
            "context.device: must be one of mobile, tablet, desktop, tv, got 'Mobile'",
        ),
    ],
)
def test_a_bad_context_names_its_field_and_logs_nothing(gql, served, context, message) -> None:
    gql.login(served["demo"])
    before = Impression.objects.count()
    result = gql(RECS_AT, {"first": 5, "context": context})
    assert error_messages(result) == [message]
    assert result["errors"][0]["extensions"]["field"] == message.split(":")[0]
    impressions.flush()
    assert Impression.objects.count() == before


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, "first: must be an integer from 1 to 100, got 0"),
        ({"first": 101}, "first: must be an integer from 1 to 100, got 101"),
        ({"first": 5, "knobs": {"diversity": 1.5}}, "knobs.diversity: must be from 0 to 1"),
        ({"first": 5, "knobs": {"blend": -0.1}}, "knobs.blend: must be from 0 to 1"),
        (
            {"first": 5, "knobs": {"freshnessHalfLifeDays": 0.5}},
            "knobs.freshnessHalfLifeDays: must be from 1 to 365",
        ),
        ({"first": 5, "filters": {"categoryIds": ["x"]}}, "filters.categoryIds: 'x' is not"),
    ],
)
def test_bad_arguments_name_the_field(gql, served, variables, message) -> None:
    gql.login(served["demo"])
    before = Impression.objects.count()
    errors = error_messages(gql(RECS, variables))
    assert len(errors) == 1 and errors[0].startswith(message), errors
    impressions.flush()
    assert Impression.objects.count() == before


def test_anonymous_visitors_get_no_recommendations(gql, served) -> None:
    result = gql(RECS, {"first": 5})
    assert error_messages(result) == [
        "recommendations: Log in first; anonymous users cannot do this."
    ]


def test_no_model_falls_back_to_trending(gql, served, settings) -> None:
    from backend.recommendations.models import ModelVersion

    ModelVersion.objects.update(is_active=False)
    registry.reset()
    gql.login(served["demo"])
    page = gql(RECS, {"first": 5})["data"]["recommendations"]
    assert page["method"] == "FALLBACK" and page["modelVersion"] == ""
    assert len(page["items"]) == 5


def test_similar_items(gql, served) -> None:
    item = ContentItem.objects.exclude(published_at=None).first()
    query = """query($id: ID!) { similarItems(itemId: $id, first: 5) {
        method items { item { id } } } }"""
    result = gql(query, {"id": str(item.pk)})["data"]["similarItems"]
    found = [int(rec["item"]["id"]) for rec in result["items"]]
    assert len(found) == 5 and item.pk not in found
    assert error_messages(gql(query, {"id": "999999"})) == [
        "itemId: No published item with id 999999."
    ]


SIMILAR = """query($id: ID!, $first: Int!) { similarItems(itemId: $id, first: $first) {
    method items { item { id title creator { id } category { id } tags { id } }
                   reasons { kind text evidenceType evidenceIds } } } }"""


def check_similar_reasons(source: ContentItem, page: dict) -> set[str]:
    """Every similar item cites the source first, then only what it truly shares with it;
    returns the kinds seen."""
    source_tags = {str(t) for t in source.tags.values_list("id", flat=True)}
    kinds: set[str] = set()
    for rec in page["items"]:
        item, reasons = rec["item"], rec["reasons"]
        first = reasons[0]
        assert first["kind"] == "SIMILAR_TO_ITEM" and first["evidenceType"] == "item"
        assert first["evidenceIds"] == [str(source.pk)] and source.title[:20] in first["text"]
        shared = sorted(source_tags & {tag["id"] for tag in item["tags"]}, key=int)
        by_kind = {r["kind"]: r for r in reasons[1:]}
        if shared:
            assert by_kind["SHARES_TAGS"]["evidenceType"] == "tag"
            assert by_kind["SHARES_TAGS"]["evidenceIds"] == shared
        else:
            assert "SHARES_TAGS" not in by_kind
        same_creator = item["creator"]["id"] == str(source.creator_id)
        assert ("SAME_CREATOR" in by_kind) == same_creator
        if same_creator:
            assert by_kind["SAME_CREATOR"]["evidenceIds"] == [str(source.creator_id)]
            assert source.creator.display_name in by_kind["SAME_CREATOR"]["text"]
        same_category = (item["category"] or {}).get("id") == str(source.category_id)
        assert ("SAME_CATEGORY" in by_kind) == same_category
        kinds |= {r["kind"] for r in reasons}
    return kinds


def a_tagged_item() -> ContentItem:
    return (
        ContentItem.objects.exclude(published_at=None)
        .filter(tags__isnull=False, category__isnull=False)
        .order_by("pk")
        .first()
    )


def test_similar_items_cite_the_item_and_what_they_share(gql, served) -> None:
    source = a_tagged_item()
    result = gql(SIMILAR, {"id": str(source.pk), "first": 10})
    assert "errors" not in result, result
    page = result["data"]["similarItems"]
    assert page["method"] == "HYBRID" and len(page["items"]) == 10
    kinds = check_similar_reasons(source, page)
    assert kinds & {"SHARES_TAGS", "SAME_CREATOR", "SAME_CATEGORY"}


def test_similar_items_without_a_model_are_explained_too(gql, served) -> None:
    from backend.recommendations.models import ModelVersion

    ModelVersion.objects.update(is_active=False)
    registry.reset()
    source = a_tagged_item()
    page = gql(SIMILAR, {"id": str(source.pk), "first": 5})["data"]["similarItems"]
    assert page["method"] == "FALLBACK" and page["items"]
    # The fallback ranks by shared tags, then category: the first item shares one of them.
    assert check_similar_reasons(source, page) & {"SHARES_TAGS", "SAME_CATEGORY"}


def test_similar_items_query_count_is_constant_in_page_size(gql, served) -> None:
    source = a_tagged_item()
    gql(SIMILAR, {"id": str(source.pk), "first": 1})  # loads the model once
    counts = []
    for first in (3, 12):
        with CaptureQueriesContext(connection) as ctx:
            result = gql(SIMILAR, {"id": str(source.pk), "first": first})
        assert len(result["data"]["similarItems"]["items"]) == first
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_training_runs_and_versions_need_login(gql, served) -> None:
    query = """{ trainingRuns { status lossCurve metrics numItems }
                 activeModel { version isActive promotedAt trainingRun { status } } }"""
    assert sorted(error_messages(gql(query))) == [
        "activeModel: Log in first; anonymous users cannot do this.",
        "trainingRuns: Log in first; anonymous users cannot do this.",
    ]
    gql.login(served["demo"])
    data = gql(query)["data"]
    assert data["trainingRuns"][0]["status"] == "SUCCEEDED".lower()
    assert (
        data["trainingRuns"][0]["lossCurve"] and "recall@20" in data["trainingRuns"][0]["metrics"]
    )
    assert data["activeModel"]["isActive"] and data["activeModel"]["promotedAt"]


def test_query_count_is_constant_in_page_size(gql, served) -> None:
    gql.login(served["demo"])
    gql(RECS, {"first": 1})  # loads the model once; not what is measured
    counts = []
    for first in (5, 25):
        with CaptureQueriesContext(connection) as ctx:
            result = gql(RECS, {"first": first})
        assert len(result["data"]["recommendations"]["items"]) == first
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_other_users_are_unaffected_by_my_feedback(gql, served) -> None:
    reader = (
        User.objects.exclude(username__in=["demo", "creator"])
        .filter(interactions__isnull=False)
        .first()
    )
    gql.login(reader)
    before = ids(gql(RECS, {"first": 5}))
    gql.login(served["demo"])
    hide = """mutation($id: ID!) { recordInteraction(input: {itemId: $id, kind: HIDE}) { id } }"""
    gql(hide, {"id": str(before[0])})
    gql.login(reader)
    again = gql(RECS, {"first": 5})["data"]["recommendations"]
    assert again["cached"] is True and ids({"data": {"recommendations": again}}) == before


def test_embedding_atlas(gql, served) -> None:
    query = """{ embeddingAtlas { modelVersion method
        points { kind id label x y categoryId categoryName } } }"""
    assert error_messages(gql(query)) == [
        "embeddingAtlas: Log in first; anonymous users cannot do this."
    ]
    gql.login(served["demo"])
    atlas = gql(query)["data"]["embeddingAtlas"]
    assert atlas["method"] == "t-SNE" and atlas["modelVersion"]
    kinds = {point["kind"] for point in atlas["points"]}
    assert kinds == {"ITEM", "USER", "TAG"}
    items = [p for p in atlas["points"] if p["kind"] == "ITEM"]
    titles = dict(ContentItem.objects.values_list("id", "title"))
    assert all(p["label"] == titles[int(p["id"])] for p in items)
    assert all(-1.0 <= p["x"] <= 1.0 and -1.0 <= p["y"] <= 1.0 for p in atlas["points"])
    readers = [p for p in atlas["points"] if p["kind"] == "USER"]
    # Readers are anonymous: no username or account id on the map.
    assert {p["label"] for p in readers} == {"A reader"}
    assert not {p["label"] for p in readers} & set(User.objects.values_list("username", flat=True))
    # The second request is served from the stored projection, identical.
    assert gql(query)["data"]["embeddingAtlas"] == atlas


def test_embedding_atlas_is_null_without_a_model(gql, served) -> None:
    from backend.recommendations.models import ModelVersion

    ModelVersion.objects.update(is_active=False)
    registry.reset()
    gql.login(served["demo"])
    assert gql("{ embeddingAtlas { method } }")["data"]["embeddingAtlas"] is None
