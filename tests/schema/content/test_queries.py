"""Catalogue queries through the HTTP view: items, filters, pages, one item, creators."""

from __future__ import annotations

import pytest

from schema import limits
from tests.schema.conftest import error_messages, make_creator, make_item, make_tag

ITEMS = """
query Items($first: Int, $after: String, $type: ContentType, $categoryId: ID, $tagId: ID,
            $creatorId: ID, $orderBy: ItemOrder! = PUBLISHED_AT_DESC) {
  items(first: $first, after: $after, type: $type, categoryId: $categoryId, tagId: $tagId,
        creatorId: $creatorId, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id type title excerpt body imageUrl publishedAt
                          creator { id displayName } category { name } tags { name } } }
  }
}
"""


def titles(result: dict) -> list[str]:
    return [edge["node"]["title"] for edge in result["data"]["items"]["edges"]]


def test_items_lists_published_items_newest_first_with_nested_fields(gql, catalogue):
    result = gql(ITEMS)
    assert "errors" not in result
    page = result["data"]["items"]
    assert page["totalCount"] == 6
    assert titles(result)[:3] == ["Blue notes", "Lentil soup", "Bean stew"]
    assert "Unreleased" not in titles(result)
    soup = page["edges"][1]["node"]
    assert soup["type"] == "BLOG"
    assert soup["creator"]["displayName"] == "Alice"
    assert soup["category"] == {"name": "cooking"}
    assert soup["tags"] == [{"name": "quick"}, {"name": "vegan"}]
    assert soup["imageUrl"] == "https://example.com/cover.jpg"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"type": "VIDEO"}, ["Knife skills"]),
        ({"categoryId": "music"}, ["Blue notes", "Album art", "Chord charts"]),
        ({"tagId": "jazz"}, ["Blue notes", "Chord charts"]),
        ({"creatorId": "alice"}, ["Lentil soup", "Bean stew", "Knife skills"]),
        ({"tagId": "quick", "creatorId": "bob"}, ["Chord charts"]),
    ],
)
def test_items_filters(gql, catalogue, variables, expected):
    lookups = {"categoryId": "categories", "tagId": "tags", "creatorId": "creators"}
    resolved = {
        key: str(catalogue[lookups[key]][value].pk) if key in lookups else value
        for key, value in variables.items()
    }
    assert titles(gql(ITEMS, resolved)) == expected


def test_items_ordering(gql, catalogue):
    oldest_first = titles(gql(ITEMS, {"orderBy": "PUBLISHED_AT_ASC"}))
    assert oldest_first[0] == "Chord charts"
    assert titles(gql(ITEMS, {"orderBy": "TITLE_ASC"}))[:2] == ["Album art", "Bean stew"]
    assert titles(gql(ITEMS, {"orderBy": "TITLE_DESC"}))[0] == "Lentil soup"


def test_items_cursor_pagination_walks_every_item_once(gql, catalogue):
    seen, after = [], None
    while True:
        page = gql(ITEMS, {"first": 4, "after": after})["data"]["items"]
        seen += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 6 == len(set(seen))


def test_items_default_page_size_is_the_configured_default(gql, db):
    creator = make_creator()
    for _ in range(limits.DEFAULT_PAGE_SIZE + 1):
        make_item(creator)
    page = gql(ITEMS)["data"]["items"]
    assert len(page["edges"]) == limits.DEFAULT_PAGE_SIZE
    assert page["pageInfo"]["hasNextPage"] is True


def test_items_first_over_the_cap_is_an_error_not_a_clamp(gql, catalogue):
    result = gql(ITEMS, {"first": limits.MAX_PAGE_SIZE + 1})
    assert result["data"] is None
    assert error_messages(result) == [
        f"Argument 'first' cannot be higher than {limits.MAX_PAGE_SIZE}."
    ]
    assert "errors" not in gql(ITEMS, {"first": limits.MAX_PAGE_SIZE})


def test_items_negative_first_is_an_error(gql, catalogue):
    result = gql(ITEMS, {"first": -1})
    assert error_messages(result) == ["Argument 'first' must be a non-negative integer."]


def test_items_wrong_enum_is_refused(gql, catalogue):
    result = gql(ITEMS, {"type": "PODCAST"})
    assert "PODCAST" in error_messages(result)[0]
    assert "ContentType" in error_messages(result)[0]


def test_items_unreadable_filter_id_names_the_argument(gql, catalogue):
    result = gql(ITEMS, {"tagId": "abc"})
    assert error_messages(result) == ["tagId: 'abc' is not a valid id."]
    assert result["errors"][0]["extensions"]["field"] == "tagId"


ITEM = "query($id: ID!) { item(id: $id) { title creator { displayName } tags { name } } }"


def test_item_by_id(gql, catalogue):
    item = catalogue["items"][0]
    result = gql(ITEM, {"id": str(item.pk)})
    assert result["data"]["item"] == {
        "title": "Lentil soup",
        "creator": {"displayName": "Alice"},
        "tags": [{"name": "quick"}, {"name": "vegan"}],
    }


def test_item_unknown_or_draft_is_null(gql, catalogue):
    assert gql(ITEM, {"id": "999999"})["data"]["item"] is None
    assert gql(ITEM, {"id": str(catalogue["draft"].pk)})["data"]["item"] is None


def test_item_bad_id_names_the_argument(gql, catalogue):
    result = gql(ITEM, {"id": "x1"})
    assert error_messages(result) == ["id: 'x1' is not a valid id."]


def test_tags_and_categories(gql, catalogue):
    result = gql("{ tags { name slug } categories { name } }")
    assert [tag["name"] for tag in result["data"]["tags"]] == ["jazz", "quick", "vegan"]
    assert result["data"]["categories"] == [{"name": "cooking"}, {"name": "music"}]


CREATOR = """
query($id: ID!) {
  creator(id: $id) {
    displayName
    items(first: 2) { totalCount edges { node { title } } }
  }
}
"""


def test_creator_with_its_published_items(gql, catalogue):
    bob = catalogue["creators"]["bob"]
    result = gql(CREATOR, {"id": str(bob.pk)})["data"]["creator"]
    assert result["displayName"] == "Bob"
    assert result["items"]["totalCount"] == 3  # the draft is not counted
    assert [e["node"]["title"] for e in result["items"]["edges"]] == ["Blue notes", "Album art"]
    assert gql(CREATOR, {"id": "999999"})["data"]["creator"] is None


def test_creator_items_page_is_capped(gql, catalogue):
    bob = catalogue["creators"]["bob"]
    query = "query($id: ID!, $n: Int) { creator(id: $id) { items(first: $n) { totalCount } } }"
    result = gql(query, {"id": str(bob.pk), "n": limits.MAX_PAGE_SIZE + 1})
    assert error_messages(result) == [
        f"Argument 'first' cannot be higher than {limits.MAX_PAGE_SIZE}."
    ]


def _many_items(count: int) -> None:
    tags = [make_tag() for _ in range(5)]
    creators = [make_creator() for _ in range(count // 5)]
    for index in range(count):
        make_item(creators[index % len(creators)], tags=tags[: index % 4 + 1])


def test_items_query_count_is_constant(gql, db, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _many_items(60)
    gql.csrf_token()
    counts = {}
    for first in (5, 50):
        with CaptureQueriesContext(connection) as captured:
            result = gql(ITEMS, {"first": first})
        assert len(result["data"]["items"]["edges"]) == first
        counts[first] = len(captured)
    assert counts[5] == counts[50]
    # One SELECT for the items joined with creator and category (totalCount rides along
    # as a window function), one prefetch for the tags of the whole page.
    with django_assert_num_queries(2):
        gql(ITEMS, {"first": 50})


def test_item_lookups_in_one_request_are_batched(gql, catalogue, django_assert_num_queries):
    ids = [item.pk for item in catalogue["items"][:4]]
    query = "{ " + " ".join(f'i{pk}: item(id: "{pk}") {{ title tags {{ name }} }}' for pk in ids)
    gql.csrf_token()
    # One query for all four items, with creator, category and tags.
    with django_assert_num_queries(1):
        result = gql(query + " }")
    assert [result["data"][f"i{pk}"]["title"] for pk in ids] == [
        "Lentil soup",
        "Bean stew",
        "Knife skills",
        "Blue notes",
    ]
