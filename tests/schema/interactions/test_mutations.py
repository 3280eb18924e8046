"""recordInteraction(s) and markNotInterested: happy paths, bad input, nothing written."""

from __future__ import annotations

import pytest

from backend.interactions.models import Interaction, NotInterested
from schema import limits
from tests.schema.conftest import error_messages

RECORD = """
mutation($input: InteractionInput!) {
  recordInteraction(input: $input) {
    id kind value device timezone localHour occurredAt item { title }
  }
}
"""
RECORD_MANY = """
mutation($inputs: [InteractionInput!]!) {
  recordInteractions(inputs: $inputs) { id kind item { title } }
}
"""
NOT_INTERESTED = """
mutation($tag: ID, $creator: ID) {
  markNotInterested(tagId: $tag, creatorId: $creator) { id tag { name } creator { displayName } }
}
"""


@pytest.fixture
def viewer(gql, user):
    gql.login(user)
    return user


def item_id(catalogue, index: int = 0) -> str:
    return str(catalogue["items"][index].pk)


def test_record_interaction(gql, catalogue, viewer):
    variables = {
        "input": {
            "itemId": item_id(catalogue),
            "kind": "DWELL",
            "value": 5300,
            "context": {"device": "mobile", "timezone": "Europe/Paris", "localHour": 21},
        }
    }
    result = gql(RECORD, variables)["data"]["recordInteraction"]
    assert result["kind"] == "DWELL"
    assert result["value"] == 5300
    assert (result["device"], result["timezone"], result["localHour"]) == (
        "mobile",
        "Europe/Paris",
        21,
    )
    assert result["item"] == {"title": "Lentil soup"}
    stored = Interaction.objects.get()
    assert (stored.user, stored.kind, stored.client_timezone) == (viewer, "dwell", "Europe/Paris")


def test_record_interaction_without_context(gql, catalogue, viewer):
    result = gql(RECORD, {"input": {"itemId": item_id(catalogue), "kind": "HIDE"}})
    assert result["data"]["recordInteraction"]["kind"] == "HIDE"
    assert Interaction.objects.get().device == ""


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"itemId": "999999"}, "input.itemId: No published item with id 999999."),
        ({"itemId": "seven"}, "input.itemId: 'seven' is not a valid id."),
        ({"itemId": "DRAFT"}, "input.itemId: No published item with id DRAFT."),
        ({"value": -1}, "input.value: Enter a finite number of zero or more."),
        ({"context": {"localHour": 24}}, "input.context.localHour: Enter an hour from 0 to 23."),
        (
            {"context": {"timezone": "Mars/Olympus"}},
            "input.context.timezone: Unknown time zone 'Mars/Olympus'; "
            "use an IANA name such as Europe/Paris.",
        ),
        (
            {"context": {"device": "d" * 33}},
            "input.context.device: Use at most 32 characters.",
        ),
    ],
)
def test_record_interaction_bad_input_writes_nothing(gql, catalogue, viewer, patch, message):
    draft_id = str(catalogue["draft"].pk)
    entry = {"itemId": item_id(catalogue), "kind": "LIKE", **patch}
    if entry["itemId"] == "DRAFT":
        entry["itemId"] = draft_id
        message = message.replace("DRAFT", draft_id)
    result = gql(RECORD, {"input": entry})
    assert result["data"] is None
    assert error_messages(result) == [message]
    assert result["errors"][0]["extensions"]["field"] == message.split(":")[0]
    assert Interaction.objects.count() == 0


def test_record_interaction_wrong_enum_is_refused(gql, catalogue, viewer):
    result = gql(RECORD, {"input": {"itemId": item_id(catalogue), "kind": "ADORE"}})
    message = error_messages(result)[0]
    assert "'$input' has invalid value at .kind" in message
    assert "Value 'ADORE' does not exist in 'InteractionKind' enum." in message
    assert Interaction.objects.count() == 0


def test_record_interactions_batch(gql, catalogue, viewer):
    inputs = [
        {"itemId": item_id(catalogue, 0), "kind": "VIEW"},
        {"itemId": item_id(catalogue, 1), "kind": "CLICK", "context": {"device": "tv"}},
        {"itemId": item_id(catalogue, 0), "kind": "SKIP"},
    ]
    result = gql(RECORD_MANY, {"inputs": inputs})["data"]["recordInteractions"]
    assert [row["kind"] for row in result] == ["VIEW", "CLICK", "SKIP"]
    assert [row["item"]["title"] for row in result] == ["Lentil soup", "Bean stew", "Lentil soup"]
    assert Interaction.objects.filter(user=viewer).count() == 3


def test_record_interactions_one_bad_entry_writes_none(gql, catalogue, viewer):
    inputs = [
        {"itemId": item_id(catalogue, 0), "kind": "VIEW"},
        {"itemId": "999999", "kind": "LIKE"},
        {"itemId": item_id(catalogue, 1), "kind": "LIKE", "context": {"localHour": 30}},
    ]
    result = gql(RECORD_MANY, {"inputs": inputs})
    assert error_messages(result) == [
        "inputs[1].itemId: No published item with id 999999.; "
        "inputs[2].context.localHour: Enter an hour from 0 to 23."
    ]
    assert result["errors"][0]["extensions"]["field"] == "inputs[1].itemId"
    assert Interaction.objects.count() == 0


def test_record_interactions_over_the_cap_writes_none(gql, catalogue, viewer):
    size = limits.INTERACTION_BATCH_MAX + 1
    inputs = [{"itemId": item_id(catalogue), "kind": "VIEW"}] * size
    result = gql(RECORD_MANY, {"inputs": inputs})
    assert error_messages(result) == [
        f"inputs: Send at most {limits.INTERACTION_BATCH_MAX} interactions at once; got {size}."
    ]
    assert Interaction.objects.count() == 0
    at_cap = gql(RECORD_MANY, {"inputs": inputs[:-1]})
    assert len(at_cap["data"]["recordInteractions"]) == limits.INTERACTION_BATCH_MAX


def test_record_interactions_empty_batch_is_refused(gql, catalogue, viewer):
    result = gql(RECORD_MANY, {"inputs": []})
    assert error_messages(result) == ["inputs: Send at least one interaction."]


def test_mark_not_interested_in_a_tag_and_a_creator(gql, catalogue, viewer):
    jazz, bob = catalogue["tags"]["jazz"], catalogue["creators"]["bob"]
    result = gql(NOT_INTERESTED, {"tag": str(jazz.pk)})["data"]["markNotInterested"]
    assert (result["tag"], result["creator"]) == ({"name": "jazz"}, None)
    result = gql(NOT_INTERESTED, {"creator": str(bob.pk)})["data"]["markNotInterested"]
    assert (result["tag"], result["creator"]) == (None, {"displayName": "Bob"})
    # Saying it twice keeps one mark.
    again = gql(NOT_INTERESTED, {"tag": str(jazz.pk)})["data"]["markNotInterested"]
    assert NotInterested.objects.filter(user=viewer).count() == 2
    assert again["tag"] == {"name": "jazz"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "markNotInterested: Give exactly one target: a tag or a creator, not both."),
        ({"tag": "TAG", "creator": "CREATOR"}, None),
        ({"tag": "999999"}, "tagId: No tag with id 999999."),
        ({"creator": "999999"}, "creatorId: No creator with id 999999."),
        ({"tag": "-4"}, "tagId: '-4' is not a valid id."),
    ],
)
def test_mark_not_interested_bad_input_writes_nothing(gql, catalogue, viewer, variables, message):
    ids = {
        "TAG": str(catalogue["tags"]["jazz"].pk),
        "CREATOR": str(catalogue["creators"]["bob"].pk),
    }
    variables = {key: ids.get(value, value) for key, value in variables.items()}
    result = gql(NOT_INTERESTED, variables)
    assert result["data"] is None
    if message is None:
        message = "markNotInterested: Give exactly one target: a tag or a creator, not both."
    assert error_messages(result) == [message]
    assert NotInterested.objects.count() == 0


def test_anonymous_users_cannot_record_anything(gql, catalogue):
    entry = {"itemId": item_id(catalogue), "kind": "LIKE"}
    checks = [
        (RECORD, {"input": entry}, "recordInteraction"),
        (RECORD_MANY, {"inputs": [entry]}, "recordInteractions"),
        (NOT_INTERESTED, {"tag": str(catalogue["tags"]["jazz"].pk)}, "markNotInterested"),
    ]
    for query, variables, name in checks:
        result = gql(query, variables)
        assert error_messages(result) == [f"{name}: Log in first; anonymous users cannot do this."]
        assert result["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "field": name}
    assert Interaction.objects.count() == 0
    assert NotInterested.objects.count() == 0
