"""No one reads another user's activity, preferences or interests."""

from __future__ import annotations

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from backend.interactions.models import Interaction
from schema import schema
from tests.schema.conftest import error_messages, make_user

MINE = "{ me { username myInteractions(first: 10) { totalCount edges { node { kind } } } } }"

# The only ways into private data: the viewer (`me`, taken from the session) and what a
# mutation returns to the user who made it.
PRIVATE_TYPES = {
    "ActivityEntry",
    "UserStats",
    "Me",
    "Preferences",
    "Interests",
    "Interaction",
    "InteractionConnection",
}
ALLOWED_PATHS = {
    ("Query", "me"),
    ("Me", "preferences"),
    ("Me", "interests"),
    ("Me", "myInteractions"),
    ("InteractionConnection", "edges"),
    ("InteractionEdge", "node"),
    # The dashboard is only ever the signed-in viewer's (Query.dashboard requires login).
    ("Dashboard", "me"),
    ("Dashboard", "preferences"),
    ("Dashboard", "recentActivity"),
    ("Dashboard", "stats"),
    ("Mutation", "login"),
    ("Mutation", "updatePreferences"),
    ("Mutation", "setInterests"),
    ("Mutation", "recordInteraction"),
    ("Mutation", "recordInteractions"),
}


def _named(type_):
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def test_private_types_are_reachable_only_through_the_viewer():
    paths = set()
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            if _named(field.type).name in PRIVATE_TYPES | {"InteractionEdge"}:
                paths.add((name, field_name))
    assert paths == ALLOWED_PATHS


def test_public_types_expose_no_user_or_activity():
    creator = schema._schema.type_map["Creator"].fields
    item = schema._schema.type_map["ContentItem"].fields
    assert set(creator) == {"id", "displayName", "bio", "items"}
    assert not {"user", "interactions", "impressions"} & set(item)
    assert "User" not in schema._schema.type_map


def test_creator_user_cannot_be_queried(gql, catalogue):
    bob = catalogue["creators"]["bob"]
    result = gql("query($id: ID!) { creator(id: $id) { user { email } } }", {"id": str(bob.pk)})
    assert error_messages(result) == ["Cannot query field 'user' on type 'Creator'."]


def test_each_user_sees_only_their_own_interactions(gql, catalogue, user, other_user):
    item = catalogue["items"][0]
    Interaction.objects.create(
        user=other_user, item=item, kind="like", occurred_at=item.published_at
    )
    Interaction.objects.create(
        user=other_user, item=item, kind="hide", occurred_at=item.published_at
    )
    Interaction.objects.create(user=user, item=item, kind="view", occurred_at=item.published_at)

    gql.login(user)
    mine = gql(MINE)["data"]["me"]
    assert mine["username"] == "reader"
    assert mine["myInteractions"]["totalCount"] == 1
    assert [e["node"]["kind"] for e in mine["myInteractions"]["edges"]] == ["VIEW"]

    gql.login(other_user)
    theirs = gql(MINE)["data"]["me"]["myInteractions"]
    assert sorted(e["node"]["kind"] for e in theirs["edges"]) == ["HIDE", "LIKE"]


def test_a_new_user_sees_no_interactions(gql, catalogue, other_user):
    item = catalogue["items"][0]
    Interaction.objects.create(
        user=other_user, item=item, kind="like", occurred_at=item.published_at
    )
    gql.login(make_user("newcomer"))
    assert gql(MINE)["data"]["me"]["myInteractions"] == {"totalCount": 0, "edges": []}


def test_anonymous_visitors_get_no_viewer(gql, catalogue, other_user):
    item = catalogue["items"][0]
    Interaction.objects.create(
        user=other_user, item=item, kind="like", occurred_at=item.published_at
    )
    assert gql(MINE) == {"data": {"me": None}}


def test_my_interactions_page_is_capped(gql, user):
    from schema import limits

    gql.login(user)
    result = gql(
        "query($n: Int) { me { myInteractions(first: $n) { totalCount } } }",
        {"n": limits.MAX_PAGE_SIZE + 1},
    )
    assert error_messages(result) == [
        f"Argument 'first' cannot be higher than {limits.MAX_PAGE_SIZE}."
    ]
