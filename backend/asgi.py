"""ASGI entry point: ``uvicorn backend.asgi:application``.

Django answers everything, with its standard middleware swapped for subclasses that run on
the event loop (``backend/middleware.py``); the response edge in front of it replays a
session's repeated dashboard and recommendation reads from the cache (``backend/edge.py``).
"""

import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup(set_prefix=False)  # what get_asgi_application() does first

from backend.edge import ResponseEdge  # noqa: E402  (needs the apps loaded above)
from backend.middleware import inline_on_event_loop  # noqa: E402

# Before the handler is built: it reads MIDDLEWARE once. Settings keep Django's names,
# which its deploy checks look for; the subclasses change only how the hooks are awaited.
settings.MIDDLEWARE = inline_on_event_loop(settings.MIDDLEWARE)
django_application = ASGIHandler()

application = ResponseEdge(django_application, path="/graphql/")
