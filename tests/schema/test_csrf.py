"""A request Django's CSRF check refuses: a GraphQL error from /graphql/, Django's page
elsewhere. Through Django's test client (CSRF enforced) and the whole ASGI application."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from django.test import Client

from backend.asgi import application
from tests.schema.conftest import PASSWORD

LOGIN = """mutation($username: String!, $password: String!) {
  login(username: $username, password: $password) { username } }"""


def csrf_error(response) -> str:
    """The error's message, after checking the response is the GraphQL-shaped refusal."""
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["extensions"] == {"code": "CSRF_FAILED"}
    assert "X-CSRFToken" in error["message"]
    return error["message"]


def test_a_mutation_without_the_cookie_gets_a_graphql_error_and_a_cookie_to_retry_with(
    gql, user
) -> None:
    variables = {"username": user.username, "password": PASSWORD}
    refused = gql.post(LOGIN, variables, csrf=False)
    assert "CSRF verification failed: CSRF cookie not set." in csrf_error(refused)
    assert "_auth_user_id" not in gql.client.session
    # The refusal set the cookie: the client sends its value back, as the message says.
    token = refused.cookies["csrftoken"].value
    retried = gql.client.post(
        "/graphql/",
        {"query": LOGIN, "variables": variables},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert retried.json() == {"data": {"login": {"username": user.username}}}


def test_a_wrong_or_missing_header_names_the_reason(gql) -> None:
    gql.csrf_token()
    wrong = gql.client.post(
        "/graphql/",
        {"query": "mutation { logout { ok } }"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert "incorrect" in csrf_error(wrong)
    missing = gql.post("mutation { logout { ok } }", csrf=False)
    assert "CSRF token missing" in csrf_error(missing)


@pytest.mark.django_db
def test_other_paths_keep_djangos_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"CSRF verification failed" in response.content
    assert b"CSRF_FAILED" not in response.content


def test_the_served_application_answers_the_same() -> None:
    # backend.asgi runs the inline middleware classes and the response edge in front.
    async def post_without_header() -> httpx.Response:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            await http.get("/graphql/")  # the cookie, but no header
            assert "csrftoken" in http.cookies
            return await http.post("/graphql/", json={"query": "mutation { logout { ok } }"})

    response = asyncio.run(post_without_header())
    assert response.status_code == 403
    body = response.json()
    assert body["errors"][0]["extensions"] == {"code": "CSRF_FAILED"}
    assert "CSRF token missing" in body["errors"][0]["message"]
