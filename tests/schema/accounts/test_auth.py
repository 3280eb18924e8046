"""Signing in and out over the HTTP view, with Django's CSRF protection enforced."""

from __future__ import annotations

from tests.schema.conftest import PASSWORD, error_messages

LOGIN = """
mutation($username: String!, $password: String!) {
  login(username: $username, password: $password) { username preferences { fontSize } }
}
"""
ME = "{ me { username } }"
LIKE = """
mutation($id: ID!) { recordInteraction(input: {itemId: $id, kind: LIKE}) { kind } }
"""


def test_me_is_null_for_an_anonymous_visitor(gql):
    assert gql(ME) == {"data": {"me": None}}


def test_get_sets_the_csrf_cookie(gql):
    response = gql.client.get("/graphql/", {"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.cookies["csrftoken"].value


def test_post_without_csrf_token_is_refused(gql, user):
    response = gql.post(LOGIN, {"username": user.username, "password": PASSWORD}, csrf=False)
    assert response.status_code == 403
    assert "_auth_user_id" not in gql.client.session


def test_post_with_a_wrong_csrf_token_is_refused(gql, user):
    gql.csrf_token()
    response = gql.client.post(
        "/graphql/",
        {"query": ME},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert response.status_code == 403


def test_login_then_mutation_with_the_new_token_works(gql, user, catalogue):
    old_token = gql.csrf_token()
    result = gql(LOGIN, {"username": user.username, "password": PASSWORD})
    assert result == {"data": {"login": {"username": "reader", "preferences": {"fontSize": 14}}}}
    # Login rotates the token; the client reads the cookie again, as the SPA does.
    new_token = gql.csrf_token()
    assert new_token != old_token
    assert gql(ME) == {"data": {"me": {"username": "reader"}}}
    result = gql(LIKE, {"id": str(catalogue["items"][0].pk)})
    assert result == {"data": {"recordInteraction": {"kind": "LIKE"}}}
    assert user.interactions.count() == 1


def test_mutation_after_login_with_the_stale_token_is_refused(gql, user, catalogue):
    old_token = gql.csrf_token()
    gql(LOGIN, {"username": user.username, "password": PASSWORD})
    response = gql.client.post(
        "/graphql/",
        {"query": LIKE, "variables": {"id": str(catalogue["items"][0].pk)}},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=old_token,
    )
    assert response.status_code == 403
    assert user.interactions.count() == 0


def test_login_with_a_wrong_password_names_the_field(gql, user):
    result = gql(LOGIN, {"username": user.username, "password": "nope"})
    assert result["data"] is None
    assert error_messages(result) == ["password: Wrong username or password."]
    assert result["errors"][0]["extensions"]["field"] == "password"
    assert gql(ME) == {"data": {"me": None}}


def test_login_for_an_unknown_user_gives_the_same_error(gql):
    result = gql(LOGIN, {"username": "ghost", "password": PASSWORD})
    assert error_messages(result) == ["password: Wrong username or password."]


def test_logout_ends_the_session(gql, user):
    gql(LOGIN, {"username": user.username, "password": PASSWORD})
    assert gql("mutation { logout }") == {"data": {"logout": True}}
    assert gql(ME) == {"data": {"me": None}}
    assert gql("mutation { logout }") == {"data": {"logout": True}}
