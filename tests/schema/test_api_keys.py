"""Service access: API keys on the same GraphQL API, each field checked against scopes."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.apikeys import services as key_services
from backend.apikeys.models import ApiKey
from tests.schema.conftest import make_user
from tests.schema.keyed import KeyedGraphQL, codes, keyed

RECS_FOR = """query($u: String) { recommendations(first: 5, forUser: $u) {
  method items { item { id } } } }"""
INSIGHTS = """query($c: ID!) { creatorInsights(creatorId: $c) { totals { views } } }"""
UPSERT_USERS = """mutation($users: [UserUpsertInput!]!) {
  upsertUsers(users: $users) { created updated } }"""
ME = "{ me { id } }"
DASHBOARD = "{ dashboard { __typename } }"


@pytest.fixture
def platform_user(db):
    return make_user("platform-u1", external_id="u1")


def test_an_ingest_key_writes_without_a_csrf_token(db) -> None:
    api = keyed("ingest")
    result = api(UPSERT_USERS, {"users": [{"id": "u9", "name": "Nine"}]})
    assert result == {"data": {"upsertUsers": {"created": 1, "updated": 0}}}


def test_each_scope_is_refused_where_it_does_not_reach(served, platform_user) -> None:
    creator_id = str(served["creator"].creator_profile.pk)
    calls = {
        "recommend": (RECS_FOR, {"u": "u1"}, "recommendations"),
        "read-insights": (INSIGHTS, {"c": creator_id}, "creatorInsights"),
        "ingest": (UPSERT_USERS, {"users": [{"id": "u2"}]}, "upsertUsers"),
    }
    for scope in calls:
        api = keyed(scope)
        for other, (query, variables, field) in calls.items():
            result = api(query, variables)
            if other == scope:
                assert "errors" not in result, (scope, result)
                continue
            assert codes(result) == ["FORBIDDEN"], (scope, other, result)
            assert result["errors"][0]["message"] == (
                f"{field}: This API key lacks the {other} scope."
            )
        # a person's own fields are no key's; `me` is null for anyone not signed in
        assert api(ME) == {"data": {"me": None}}
        refused = api(DASHBOARD)
        assert codes(refused) == ["FORBIDDEN"]
        assert "acts as a signed-in person" in refused["errors"][0]["message"]


def test_a_recommend_key_serves_the_named_platform_user(served, platform_user) -> None:
    api = keyed("recommend")
    result = api(RECS_FOR, {"u": "u1"})
    assert len(result["data"]["recommendations"]["items"]) == 5
    unknown = api(RECS_FOR, {"u": "nobody"})
    assert codes(unknown) == ["BAD_USER_INPUT"]
    assert unknown["errors"][0]["message"] == "forUser: No platform user with id 'nobody'."
    anonymous_list = api(RECS_FOR, {"u": None})
    assert codes(anonymous_list) == ["BAD_USER_INPUT"]
    assert "names the platform user it acts for" in anonymous_list["errors"][0]["message"]


def test_a_signed_in_person_cannot_name_another_user(gql, served, platform_user) -> None:
    gql.login(served["demo"])
    result = gql(RECS_FOR, {"u": "u1"})
    assert codes(result) == ["FORBIDDEN"]
    assert result["errors"][0]["message"].startswith("recommendations: `forUser` is for API keys")
    own = gql(RECS_FOR, {"u": None})
    assert "errors" not in own


def test_read_insights_reaches_any_creator_and_people_keep_their_rule(gql, served) -> None:
    creator_id = str(served["creator"].creator_profile.pk)
    assert "errors" not in keyed("read-insights")(INSIGHTS, {"c": creator_id})
    gql.login(served["demo"])  # not that creator, not staff
    assert codes(gql(INSIGHTS, {"c": creator_id})) == ["FORBIDDEN"]


def test_ingestion_refuses_people_and_anonymous_callers(gql, db) -> None:
    anonymous = gql(UPSERT_USERS, {"users": [{"id": "u3"}]})
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert anonymous["errors"][0]["message"] == (
        "upsertUsers: Send an API key with the ingest scope (Authorization: Bearer <key>)."
    )
    gql.login(make_user("staffer", is_staff=True))
    assert codes(gql(UPSERT_USERS, {"users": [{"id": "u3"}]})) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("not-a-key", "The API key is malformed"),
        ("lupi_0000abcd_" + "x" * 43, "Unknown API key."),
    ],
)
def test_a_wrong_or_malformed_key_is_unauthenticated(db, key: str, message: str) -> None:
    response = KeyedGraphQL(key).post(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"].startswith(message)


def test_a_header_that_is_not_bearer_is_unauthenticated(db) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/graphql/", {"query": ME}, content_type="application/json", HTTP_AUTHORIZATION="Basic x"
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        "Send the API key as `Authorization: Bearer <key>`."
    )


def test_a_revoked_key_is_refused(db) -> None:
    api_key, key = key_services.issue_key("old", ["ingest"])
    key_services.revoke(api_key)
    response = KeyedGraphQL(key).post(UPSERT_USERS, {"users": [{"id": "u4"}]})
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"].startswith("This API key was revoked at ")
    from backend.accounts.models import User

    assert not User.objects.filter(external_id="u4").exists()


def test_a_session_with_a_bad_key_keeps_the_csrf_check(gql, db) -> None:
    gql.login(make_user("writer"))
    token = gql.csrf_token()
    bad = {"HTTP_AUTHORIZATION": "Bearer lupi_0000abcd_" + "y" * 43}
    body = {"query": UPSERT_USERS, "variables": {"users": [{"id": "u5"}]}}
    without_token = gql.client.post("/graphql/", body, content_type="application/json", **bad)
    assert without_token.status_code in (401, 403)
    with_token = gql.client.post(
        "/graphql/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **bad
    )
    # past the CSRF check, the key is still refused, and the session does not stand in for it
    assert with_token.status_code == 401
    assert with_token.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    from backend.accounts.models import User

    assert not User.objects.filter(external_id="u5").exists()


def test_a_session_without_a_key_still_needs_its_csrf_token(gql, db) -> None:
    gql.login(make_user("writer"))
    response = gql.client.post(
        "/graphql/",
        {"query": "mutation { logout }"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"


def test_a_key_is_stamped_when_used_at_most_once_a_minute(db, django_assert_num_queries) -> None:
    api_key, key = key_services.issue_key("stamped", ["ingest"])
    header = f"Bearer {key}"
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None
    with django_assert_num_queries(2):  # the lookup, and the stamp
        key_services.authenticate(header)
    stamped = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert stamped is not None
    with django_assert_num_queries(1):  # the lookup only
        key_services.authenticate(header)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == stamped
