"""Feedback from a served list carries its request id and position: stored when the list
showed the item to this viewer, refused otherwise, and joined to the impression it followed."""

from __future__ import annotations

import uuid

import pytest

from backend.interactions.models import Interaction
from backend.interactions.services import LIST_SIZE_MAX, attributed_outcomes
from backend.recommendations.impressions import log_impressions
from backend.recommendations.request import PAGE_SIZE_MAX
from tests.schema.conftest import error_messages

RECORD = """
mutation($input: InteractionInput!) {
  recordInteraction(input: $input) { id kind requestId position item { title } }
}
"""
RECORD_MANY = """
mutation($inputs: [InteractionInput!]!) {
  recordInteractions(inputs: $inputs) { id requestId position }
}
"""
SERVED = """
query { recommendations(first: 3) { requestId items { item { id title } } } }
"""


def _show(user, items, *, variant: str = "") -> str:
    """Log a served list of ``items`` for ``user`` and return its request id."""
    request_id = uuid.uuid4().hex
    log_impressions(
        user.pk,
        [item.pk for item in items],
        method="trending",
        model_version="",
        request_id=request_id,
        variant=variant,
    )
    return request_id


@pytest.fixture
def viewer(gql, user):
    gql.login(user)
    return user


def test_feedback_from_a_served_list_is_stored_with_its_request_and_position(
    gql, catalogue, viewer
):
    served = gql(SERVED)["data"]["recommendations"]
    assert len(served["items"]) == 3
    second = served["items"][1]["item"]
    entry = {"itemId": second["id"], "kind": "CLICK", "requestId": served["requestId"]}
    result = gql(RECORD, {"input": {**entry, "position": 1}})["data"]["recordInteraction"]
    assert (result["requestId"], result["position"]) == (served["requestId"], 1)
    # The position may be left out: the impression knows it.
    like = gql(RECORD, {"input": {**entry, "kind": "LIKE"}})["data"]["recordInteraction"]
    assert like["position"] == 1
    stored = Interaction.objects.get(pk=result["id"])
    assert (stored.request_id, stored.position) == (served["requestId"], 1)


def test_attribution_joins_the_impression_of_the_list_acted_on(gql, catalogue, viewer, other_user):
    soup, stew, knife = catalogue["items"][:3]
    # The same item in three lists, one of them another user's: the click names the second.
    first = _show(viewer, [soup, stew], variant="exp:control")
    second = _show(viewer, [knife, soup], variant="exp:treatment")
    _show(other_user, [soup], variant="exp:control")
    gql(RECORD, {"input": {"itemId": str(soup.pk), "kind": "CLICK", "requestId": second}})
    gql(RECORD, {"input": {"itemId": str(stew.pk), "kind": "HIDE", "requestId": first}})
    gql(RECORD, {"input": {"itemId": str(knife.pk), "kind": "LIKE"}})  # not from a list
    joined = attributed_outcomes(Interaction.objects.filter(user=viewer))
    assert [(o.kind, o.request_id, o.item_id, o.position, o.variant) for o in joined] == [
        ("click", second, soup.pk, 1, "exp:treatment"),
        ("hide", first, stew.pk, 1, "exp:control"),
    ]
    assert all(o.user_id == viewer.pk for o in joined)


def test_a_foreign_request_id_is_refused_and_nothing_is_written(gql, catalogue, viewer, other_user):
    soup, stew = catalogue["items"][:2]
    theirs = _show(other_user, [soup])
    mine = _show(viewer, [stew])
    cases = [
        (
            {"itemId": str(soup.pk), "requestId": theirs},
            f"input.requestId: No list served to you with request id {theirs} showed item "
            f"{soup.pk}.",
        ),
        (
            {"itemId": str(soup.pk), "requestId": mine},  # my list, another item
            f"input.requestId: No list served to you with request id {mine} showed item {soup.pk}.",
        ),
        (
            {"itemId": str(stew.pk), "requestId": mine, "position": 3},
            f"input.position: Item {stew.pk} was at position 0 of that list, not 3.",
        ),
        (
            {"itemId": str(stew.pk), "requestId": "not-a-request"},
            "input.requestId: Not a served list's request id: expected 32 lowercase "
            "hexadecimal characters.",
        ),
        (
            {"itemId": str(stew.pk), "requestId": mine, "position": PAGE_SIZE_MAX},
            f"input.position: Enter a position from 0 to {PAGE_SIZE_MAX - 1}.",
        ),
        (
            {"itemId": str(stew.pk), "position": 0},
            "input.position: Give the request id of the list the position is in.",
        ),
    ]
    for patch, message in cases:
        result = gql(RECORD, {"input": {"kind": "CLICK", **patch}})
        assert result["data"] is None
        assert error_messages(result) == [message]
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert Interaction.objects.count() == 0


def test_a_batch_with_one_foreign_request_id_writes_none(gql, catalogue, viewer, other_user):
    soup, stew = catalogue["items"][:2]
    mine, theirs = _show(viewer, [soup, stew]), _show(other_user, [stew])
    inputs = [
        {"itemId": str(soup.pk), "kind": "CLICK", "requestId": mine, "position": 0},
        {"itemId": str(stew.pk), "kind": "CLICK", "requestId": theirs},
    ]
    result = gql(RECORD_MANY, {"inputs": inputs})
    assert result["errors"][0]["extensions"]["field"] == "inputs[1].requestId"
    assert Interaction.objects.count() == 0
    inputs[1]["requestId"] = mine
    stored = gql(RECORD_MANY, {"inputs": inputs})["data"]["recordInteractions"]
    assert [(row["requestId"], row["position"]) for row in stored] == [(mine, 0), (mine, 1)]


def test_positions_cover_the_largest_served_list():
    assert LIST_SIZE_MAX == PAGE_SIZE_MAX
