"""Every page (connection) loads its nodes' relations in a fixed number of queries.

The strawberry-django optimizer runs once per page (``schema/pagination.py``), not as a
schema extension around every field: these tests pin that each connection still gets
its joins and prefetches, whatever the page size.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.interactions.models import Interaction
from tests.schema.conftest import make_creator, make_item, make_tag, make_user

CREATOR_ITEMS = """query($id: ID!, $first: Int!) { creator(id: $id) { items(first: $first) {
  edges { node { title creator { displayName } category { name } tags { name } } } } } }"""

MY_INTERACTIONS = """query($first: Int!) { me { myInteractions(first: $first) {
  edges { node { kind item { title imageUrl creator { displayName } tags { name } } } } } } }"""


def _queries(gql, query: str, variables: dict) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        result = gql(query, variables)
    assert "errors" not in result, result
    return len(captured), result


def test_a_creators_page_of_items_costs_the_same_for_2_and_20_items(gql, db):
    creator = make_creator()
    tags = [make_tag() for _ in range(3)]
    for index in range(20):
        make_item(creator, tags=tags[: index % 3 + 1])
    gql.csrf_token()
    small, _ = _queries(gql, CREATOR_ITEMS, {"id": str(creator.pk), "first": 2})
    large, result = _queries(gql, CREATOR_ITEMS, {"id": str(creator.pk), "first": 20})
    edges = result["data"]["creator"]["items"]["edges"]
    assert len(edges) == 20
    assert {len(edge["node"]["tags"]) for edge in edges} == {1, 2, 3}
    assert small == large


def test_the_viewers_interactions_page_costs_the_same_for_2_and_20_items(gql, db):
    viewer = make_user()
    tags = [make_tag() for _ in range(2)]
    for index in range(20):
        item = make_item(make_creator(), tags=tags[: index % 2 + 1])
        Interaction.objects.create(user=viewer, item=item, kind="view", occurred_at=timezone.now())
    gql.login(viewer)
    gql.csrf_token()
    small, _ = _queries(gql, MY_INTERACTIONS, {"first": 2})
    large, result = _queries(gql, MY_INTERACTIONS, {"first": 20})
    edges = result["data"]["me"]["myInteractions"]["edges"]
    assert len(edges) == 20
    assert all(edge["node"]["item"]["creator"]["displayName"] for edge in edges)
    assert small == large


def test_an_item_read_without_its_tags_still_shows_them(gql, db):
    # Recent activity reads items with their creator only: their tags come from a query
    # of their own, made off the event loop.
    viewer = make_user()
    soup, bread = make_tag("soup"), make_tag("bread")
    item = make_item(make_creator(), tags=[soup, bread])
    Interaction.objects.create(user=viewer, item=item, kind="like", occurred_at=timezone.now())
    gql.login(viewer)
    result = gql("{ dashboard { recentActivity(limit: 5) { item { tags { name } } } } }")
    assert "errors" not in result, result
    entries = result["data"]["dashboard"]["recentActivity"]
    assert [tag["name"] for tag in entries[0]["item"]["tags"]] == ["bread", "soup"]
