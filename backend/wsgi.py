"""WSGI entry point, for servers that do not speak ASGI."""

import os

from django.core.wsgi import get_wsgi_application

from backend.numeric_threads import limit_numeric_threads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
limit_numeric_threads()
application = get_wsgi_application()

from backend.checks import refuse_unsafe_server  # noqa: E402

refuse_unsafe_server()  # several workers on an in-process cache: refuse to serve
