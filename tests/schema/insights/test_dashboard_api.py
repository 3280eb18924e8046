"""The one-query dashboard and creator insights through /graphql/, with their permissions."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.content.models import Creator
from backend.interactions.models import Impression, Interaction, InteractionKind
from schema import schema
from tests.schema.conftest import error_messages, make_creator, make_item, make_user

DASHBOARD = """query($first: Int!) { dashboard {
  me { username }
  preferences { accentColor fontSize }
  recommendations(first: $first) { method modelVersion diversity cached
    items { score item { id title type excerpt imageUrl creator { id displayName } }
            reasons { kind text evidenceIds } breakdown { graph content freshness } } }
  recentActivity(limit: 5) { kind occurredAt item { id title } }
  stats { interactions views likes hides itemsEngaged lastActivity }
  creatorInsights(windowDays: 30) {
    totals { views likes impressions ctr audienceSize }
    series { date views }
    topItems { itemId title views item { id } }
    audienceInterests { name share }
    methods { method impressions ctr }
    similarCreators { creatorId displayName source }
    written { kind text }
  } } }"""

INSIGHTS = """query($id: ID!) { creatorInsights(creatorId: $id, windowDays: 7) {
  displayName windowDays totals { views likes impressions clickedImpressions ctr }
  items { itemId views likes impressions ctr } series { date views impressions } } }"""


@pytest.fixture
def creator_world(db):
    """A creator with two items, a reader who viewed and liked one after seeing it."""
    alice = make_creator("Alice")
    soup, stew = make_item(alice, title="Soup"), make_item(alice, title="Stew")
    reader = make_user("reader")
    now = timezone.now()
    Impression.objects.create(
        user=reader,
        item=soup,
        position=0,
        method="hybrid",
        request_id="r1",
        shown_at=now - timedelta(hours=2),
    )
    Impression.objects.create(
        user=reader,
        item=stew,
        position=1,
        method="hybrid",
        request_id="r1",
        shown_at=now - timedelta(hours=2),
    )
    for kind in (InteractionKind.VIEW, InteractionKind.LIKE):
        Interaction.objects.create(
            user=reader, item=soup, kind=kind, occurred_at=now - timedelta(hours=1)
        )
    return {"alice": alice, "reader": reader, "soup": soup, "stew": stew}


def test_the_whole_dashboard_in_one_query_for_a_creator(gql, served) -> None:
    gql.login(served["creator"])
    result = gql(DASHBOARD, {"first": 10})
    assert "errors" not in result, result
    board = result["data"]["dashboard"]
    assert board["me"]["username"] == "creator"
    assert board["preferences"] == {"accentColor": "#1f9cee", "fontSize": 14}
    assert len(board["recommendations"]["items"]) == 10
    # The creator account has no reading history or interests of its own.
    assert board["recommendations"]["method"] == "TRENDING"
    own = Creator.objects.get(user=served["creator"]).pk
    insights = board["creatorInsights"]
    assert insights is not None and insights["totals"]["views"] > 0
    assert len(insights["series"]) == 30
    assert all(s["creatorId"] != str(own) for s in insights["similarCreators"])
    assert (
        board["stats"]["interactions"] == Interaction.objects.filter(user=served["creator"]).count()
    )


def test_dashboard_for_a_reader_has_no_creator_insights(gql, served) -> None:
    gql.login(served["demo"])
    board = gql(DASHBOARD, {"first": 5})["data"]["dashboard"]
    assert board["creatorInsights"] is None
    mine = list(
        Interaction.objects.filter(user=served["demo"])
        .order_by("-occurred_at", "-id")
        .values_list("item_id", flat=True)[:5]
    )
    assert [int(a["item"]["id"]) for a in board["recentActivity"]] == mine


def test_recent_activity_kinds_are_the_interaction_enum(gql, creator_world) -> None:
    gql.login(creator_world["reader"])
    record = """mutation($id: ID!) {
        recordInteraction(input: {itemId: $id, kind: SAVE}) { id kind } }"""
    saved = gql(record, {"id": str(creator_world["stew"].pk)})["data"]["recordInteraction"]
    query = "{ dashboard { recentActivity(limit: 5) { interactionId kind item { id } } } }"
    activity = gql(query)["data"]["dashboard"]["recentActivity"]
    # Newest first: the save just recorded, then the like and the view of the fixture.
    assert [a["kind"] for a in activity] == ["SAVE", "LIKE", "VIEW"]
    assert (activity[0]["interactionId"], activity[0]["kind"]) == (saved["id"], saved["kind"])
    # The same enum type as Interaction.kind in the schema, not a string of the same look.
    sdl = schema.as_str()
    for type_name in ("ActivityEntry", "Interaction"):
        body = sdl.split(f"type {type_name} {{", 1)[1].split("}", 1)[0]
        assert "  kind: InteractionKind!" in body, body


def test_dashboard_needs_login(gql, served) -> None:
    assert error_messages(gql(DASHBOARD, {"first": 5})) == [
        "dashboard: Log in first; anonymous users cannot do this."
    ]


def test_dashboard_query_count_is_constant_in_page_size(gql, served) -> None:
    gql.login(served["creator"])
    gql(DASHBOARD, {"first": 1})  # the first request loads the model
    counts = []
    for first in (5, 30):
        with CaptureQueriesContext(connection) as ctx:
            result = gql(DASHBOARD, {"first": first})
        assert len(result["data"]["dashboard"]["recommendations"]["items"]) == first
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_creator_insights_numbers_through_the_api(gql, creator_world) -> None:
    gql.login(creator_world["alice"].user)
    data = gql(INSIGHTS, {"id": str(creator_world["alice"].pk)})["data"]["creatorInsights"]
    assert data["displayName"] == "Alice" and data["windowDays"] == 7
    assert data["totals"] == {
        "views": 1,
        "likes": 1,
        "impressions": 2,
        "clickedImpressions": 1,
        "ctr": 0.5,
    }
    by_item = {int(row["itemId"]): row for row in data["items"]}
    assert by_item[creator_world["soup"].pk]["ctr"] == 1.0
    assert by_item[creator_world["stew"].pk]["ctr"] == 0.0
    # Both impressions fall on the UTC day they were shown: today, or yesterday when the
    # test runs in the first hours after midnight (they are two hours old).
    shown = {i.shown_at.astimezone(UTC).date().isoformat() for i in Impression.objects.all()}
    assert len(shown) == 1
    by_day = {row["date"]: row["impressions"] for row in data["series"]}
    assert len(data["series"]) == 7 and by_day == {day: 2 if day in shown else 0 for day in by_day}


def test_creator_insights_refuse_everyone_but_the_creator_and_staff(gql, creator_world) -> None:
    variables = {"id": str(creator_world["alice"].pk)}
    assert error_messages(gql(INSIGHTS, variables)) == [
        "creatorInsights: Log in first; anonymous users cannot do this."
    ]
    gql.login(creator_world["reader"])
    refused = gql(INSIGHTS, variables)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    gql.login(make_creator("Bob").user)
    assert gql(INSIGHTS, variables)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    gql.login(make_user("ops", is_staff=True))
    assert gql(INSIGHTS, variables)["data"]["creatorInsights"]["totals"]["views"] == 1


def test_creator_insights_bad_arguments(gql, creator_world) -> None:
    gql.login(creator_world["alice"].user)
    assert error_messages(gql(INSIGHTS, {"id": "424242"})) == [
        "creatorId: No creator with id 424242."
    ]
    query = """query($id: ID!) { creatorInsights(creatorId: $id, windowDays: 0) { windowDays } }"""
    errors = error_messages(gql(query, {"id": str(creator_world["alice"].pk)}))
    assert len(errors) == 1 and errors[0].startswith("windowDays: ")
