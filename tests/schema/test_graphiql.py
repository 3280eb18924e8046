"""GraphiQL's page comes from the project's own build, never from a CDN."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from schema import schema
from schema.views import LupiGraphQLView

BUILT = (
    '<!doctype html><html><head><script type="module" '
    'src="/static/graphiql/assets/graphiql-x.js"></script></head>'
    '<body><div id="graphiql"></div></body></html>'
)


@pytest.fixture
def base_dir(settings, tmp_path: Path) -> Path:
    settings.BASE_DIR = tmp_path
    return tmp_path


def open_ide(rf):
    """GET /graphql/ from a browser, with GraphiQL enabled (as with DEBUG=1)."""
    view = LupiGraphQLView.as_view(schema=schema, graphql_ide="graphiql")
    return asyncio.run(view(rf.get("/graphql/", HTTP_ACCEPT="text/html")))


def test_the_built_page_is_served(rf, base_dir: Path) -> None:
    page = base_dir / "frontend" / "dist" / "graphiql" / "graphiql.html"
    page.parent.mkdir(parents=True)
    page.write_text(BUILT, encoding="utf-8")
    response = open_ide(rf)
    assert response.status_code == 200
    assert response.content.decode() == BUILT


def test_without_a_build_the_page_says_how_to_make_one(rf, base_dir: Path) -> None:
    response = open_ide(rf)
    assert response.status_code == 200
    text = response.content.decode()
    assert "GraphiQL is not built yet" in text
    assert "npm run build" in text
    assert "unpkg.com" not in text and "https://" not in text
