"""The GraphiQL IDE's page: built from npm packages into ``frontend/dist/graphiql`` (see
``frontend/vite.graphiql.config.ts``) so that it loads nothing from outside the server,
unlike strawberry's own page, which fetches React and GraphiQL from a public CDN."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>GraphiQL is not built</title></head><body><main>
<h1>GraphiQL is not built yet</h1>
<p>The GraphiQL page is built with the dashboard. From the repository root run
<code>make frontend</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>),
then reload this page.</p>
<p>The API itself works: POST GraphQL queries to this address as JSON, with the
<code>csrftoken</code> cookie's value in the <code>X-CSRFToken</code> header.</p>
</main></body></html>"""


def page_path() -> Path:
    return Path(settings.BASE_DIR) / "frontend" / "dist" / "graphiql" / "graphiql.html"


def graphiql_page() -> HttpResponse:
    """The built IDE, or a page that says how to build it."""
    page = page_path()
    if page.is_file():
        return HttpResponse(page.read_text(encoding="utf-8"))
    return HttpResponse(NOT_BUILT)
