"""WSGI entry point, for servers that do not speak ASGI."""

import os

from django.core.wsgi import get_wsgi_application

from backend.numeric_threads import limit_numeric_threads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
limit_numeric_threads()
application = get_wsgi_application()
