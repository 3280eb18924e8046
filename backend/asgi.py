"""ASGI entry point: ``uvicorn backend.asgi:application``.

Django answers everything, with its standard middleware swapped for subclasses that run on
the event loop (``backend/middleware.py``).
"""

import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

from backend.numeric_threads import limit_numeric_threads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
limit_numeric_threads()
django.setup(set_prefix=False)  # what get_asgi_application() does first

from backend.checks import refuse_unsafe_server  # noqa: E402

refuse_unsafe_server()  # several workers on an in-process cache: refuse to serve

from backend.middleware import inline_on_event_loop  # noqa: E402

# The handler reads MIDDLEWARE once, when it is built: build it with the subclasses, then
# give the setting back its own value (Django's names, which its deploy checks look for,
# and what the test client and WSGI use). The subclasses change only how hooks are awaited.
_configured = settings.MIDDLEWARE
settings.MIDDLEWARE = inline_on_event_loop(_configured)
try:
    django_application = ASGIHandler()
finally:
    settings.MIDDLEWARE = _configured

from backend.lifespan import Lifespan  # noqa: E402

application = Lifespan(django_application)
