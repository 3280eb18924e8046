"""Per-viewer rates of expensive fields (``GRAPHQL_FIELD_RATES``), aliases included."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend import throttle
from tests.schema.conftest import GraphQL, make_user

THREE = "{ a: dashboard { me { username } } b: dashboard { me { username } } c: dashboard { me { username } } }"  # noqa: E501
ONE = "{ dashboard { me { username } } }"


def test_a_field_past_its_rate_is_refused_per_viewer(gql: GraphQL, settings) -> None:
    settings.GRAPHQL_FIELD_RATES = "dashboard=3/600"
    gql.login(make_user("busy"))
    assert "errors" not in gql(THREE)  # three uses, as three aliases
    refused = gql(ONE)
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["path"] == ["dashboard"]
    assert 590 <= error["extensions"]["retryAfter"] <= 600
    assert error["message"] == (
        "dashboard: at most 3 uses in 600 seconds per viewer; "
        f"try again in {error['extensions']['retryAfter']} seconds."
    )
    # Someone else has their own allowance.
    gql.login(make_user("calm"))
    assert gql(ONE)["data"]["dashboard"]["me"]["username"] == "calm"


def test_aliases_beyond_the_rate_fail_in_the_same_request(gql: GraphQL, settings) -> None:
    settings.GRAPHQL_FIELD_RATES = "dashboard=2/600"
    gql.login(make_user("greedy"))
    result = gql(THREE)
    assert [e["extensions"]["code"] for e in result["errors"]] == ["RATE_LIMITED"]


def test_fields_without_a_rate_are_not_counted(gql: GraphQL, settings) -> None:
    settings.GRAPHQL_FIELD_RATES = "recommendations=1/600"
    gql.login(make_user("reader"))
    for _ in range(3):
        assert "errors" not in gql(ONE)


@pytest.mark.parametrize("text", ["dashboard", "dashboard=0/60", "dashboard=5/x", "=5/60"])
def test_a_malformed_rate_is_a_clear_error(settings, text: str) -> None:
    settings.GRAPHQL_FIELD_RATES = text
    with pytest.raises(ImproperlyConfigured, match="is not field=count/seconds"):
        throttle.field_rates()
