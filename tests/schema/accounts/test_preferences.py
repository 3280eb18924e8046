"""updatePreferences and setInterests: happy paths, bad input, anonymous writes."""

from __future__ import annotations

import pytest

from backend.accounts.models import User
from tests.schema.conftest import error_messages, make_category, make_tag

PREFS = """
mutation($color: String, $size: Int) {
  updatePreferences(accentColor: $color, fontSize: $size) {
    preferences { accentColor fontSize }
  }
}
"""
INTERESTS = """
mutation($tags: [ID!], $categories: [ID!]) {
  setInterests(tagIds: $tags, categoryIds: $categories) {
    interests { tags { name } categories { name } }
  }
}
"""
ME = """
{ me { preferences { accentColor fontSize } interests { tags { name } categories { name } } } }
"""


def reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_update_preferences(gql, user):
    gql.login(user)
    result = gql(PREFS, {"color": "#FF8800", "size": 18})
    assert result == {
        "data": {"updatePreferences": {"preferences": {"accentColor": "#ff8800", "fontSize": 18}}}
    }
    assert (reload(user).accent_color, reload(user).font_size) == ("#ff8800", 18)
    assert gql(ME)["data"]["me"]["preferences"] == {"accentColor": "#ff8800", "fontSize": 18}


def test_update_preferences_leaves_omitted_values_alone(gql, user):
    gql.login(user)
    gql(PREFS, {"size": 20})
    assert (reload(user).accent_color, reload(user).font_size) == ("#1f9cee", 20)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"color": "red"}, "accentColor: Enter a colour as #rrggbb, for example #1f9cee."),
        ({"color": "#12345g"}, "accentColor: Enter a colour as #rrggbb, for example #1f9cee."),
        ({"size": 9}, "fontSize: Enter a size from 10 to 28 pixels; got 9."),
        ({"size": 29}, "fontSize: Enter a size from 10 to 28 pixels; got 29."),
        # One bad value keeps the good one from being written too.
        ({"color": "#000000", "size": 99}, "fontSize: Enter a size from 10 to 28 pixels; got 99."),
    ],
)
def test_update_preferences_bad_input_writes_nothing(gql, user, variables, message):
    gql.login(user)
    result = gql(PREFS, variables)
    assert result["data"] is None
    assert error_messages(result) == [message]
    error = result["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == message.split(":")[0]
    assert (reload(user).accent_color, reload(user).font_size) == ("#1f9cee", 14)


def test_update_preferences_reports_every_bad_field(gql, user):
    gql.login(user)
    result = gql(PREFS, {"color": "blue", "size": 3})
    assert set(result["errors"][0]["extensions"]["fields"]) == {"accentColor", "fontSize"}


def test_update_preferences_wrong_type_is_refused(gql, user):
    gql.login(user)
    result = gql(PREFS, {"size": "big"})
    assert "Int cannot represent non-integer value" in error_messages(result)[0]
    assert reload(user).font_size == 14


def test_set_interests(gql, user):
    vegan, jazz = make_tag("vegan"), make_tag("jazz")
    cooking = make_category("cooking")
    gql.login(user)
    result = gql(INTERESTS, {"tags": [str(vegan.pk), str(jazz.pk)], "categories": [cooking.pk]})
    assert result["data"]["setInterests"]["interests"] == {
        "tags": [{"name": "jazz"}, {"name": "vegan"}],
        "categories": [{"name": "cooking"}],
    }
    assert set(user.interested_tags.values_list("name", flat=True)) == {"vegan", "jazz"}
    # Replacing one list keeps the other; an empty list clears.
    gql(INTERESTS, {"tags": []})
    assert user.interested_tags.count() == 0
    assert user.interested_categories.count() == 1
    assert gql(ME)["data"]["me"]["interests"] == {
        "tags": [],
        "categories": [{"name": "cooking"}],
    }


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"tags": ["TAG", "999999"]}, "tagIds: No tag with id 999999."),
        ({"categories": ["999998"]}, "categoryIds: No category with id 999998."),
        ({"tags": ["TAG", "abc"]}, "tagIds: 'abc' is not a valid id."),
    ],
)
def test_set_interests_unknown_ids_write_nothing(gql, user, variables, message):
    tag = make_tag("kept")
    user.interested_tags.add(tag)
    gql.login(user)
    variables = {k: [str(tag.pk) if v == "TAG" else v for v in vs] for k, vs in variables.items()}
    result = gql(INTERESTS, variables)
    assert error_messages(result) == [message]
    assert list(user.interested_tags.values_list("name", flat=True)) == ["kept"]
    assert user.interested_categories.count() == 0


def test_anonymous_users_cannot_change_preferences_or_interests(gql, db):
    tag = make_tag()
    result = gql(PREFS, {"color": "#000000"})
    assert error_messages(result) == [
        "updatePreferences: Log in first; anonymous users cannot do this."
    ]
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    result = gql(INTERESTS, {"tags": [str(tag.pk)]})
    assert error_messages(result) == ["setInterests: Log in first; anonymous users cannot do this."]
    assert User.interested_tags.through.objects.count() == 0
