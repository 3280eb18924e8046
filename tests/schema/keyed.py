"""A GraphQL client that calls with an API key, as a service of the platform does."""

from __future__ import annotations

from django.test import Client

from backend.apikeys import services as key_services


class KeyedGraphQL:
    """Posts to /graphql/ with ``Authorization: Bearer <key>`` and no CSRF token."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.client = Client(enforce_csrf_checks=True)

    def post(self, query: str, variables: dict | None = None):
        return self.client.post(
            "/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.key}",
        )

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        response = self.post(query, variables)
        assert response.status_code == 200, response.content
        return response.json()


def keyed(*scopes: str, name: str | None = None) -> KeyedGraphQL:
    _, key = key_services.issue_key(name or "svc-" + "-".join(scopes), list(scopes))
    return KeyedGraphQL(key)


def codes(result: dict) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]
