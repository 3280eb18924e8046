"""Serves the built single-page dashboard; the build itself lives in ``frontend/``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Lupi</title></head><body><main><h1>Lupi</h1>
<p>The dashboard has not been built yet. The GraphQL API and its explorer are at
<a href="/graphql/">/graphql/</a>.</p></main></body></html>"""


def spa_index(request: HttpRequest) -> HttpResponse:
    index = settings.BASE_DIR / "frontend" / "dist" / "index.html"
    if index.exists():
        return HttpResponse(index.read_text(encoding="utf-8"))
    return HttpResponse(_PLACEHOLDER)
