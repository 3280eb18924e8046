"""Lupi's URLs plus the plain-Django comparison views, placed before the SPA catch-all."""

from django.urls import path

from backend.urls import urlpatterns as lupi_urlpatterns
from bench import plain_views

urlpatterns = [
    path("plain/items/", plain_views.items),
    path("plain/dashboard/", plain_views.dashboard),
    path("plain/whoami/", plain_views.whoami),
    *lupi_urlpatterns,
]
