"""The task queue: Celery, on the broker ``CELERY_BROKER_URL`` names (Redis or RabbitMQ).

Workers run in their own processes (``celery -A backend worker``, ``make worker``) and
take the work a web process should not do itself: writing queued impressions, training,
building the embedding atlas, and the scheduled retraining that ``celery -A backend beat``
(``make beat``) asks for. With no broker configured nothing here is used: the web process
writes impressions from its own thread and ``train_gnn`` trains in the calling process, as
a single machine needs (:func:`tasks_enabled`).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

__all__ = ["app", "tasks_enabled"]

app = Celery("lupi")
# Every ``CELERY_*`` Django setting configures the app (backend/settings.py lists them).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def tasks_enabled() -> bool:
    """Whether background work goes to the queue's workers (a broker is configured)."""
    from django.conf import settings

    return bool(settings.CELERY_BROKER_URL)
