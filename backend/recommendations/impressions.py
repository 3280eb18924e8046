"""Impressions: every served list is logged, one row per shown item, in one bulk insert.

Two ways to write them:

* **inline** (the default): one ``bulk_create`` right after the list is computed, inside a
  savepoint, so a failed write is logged and never fails the request. It is one INSERT of
  at most a page of rows, about a millisecond, and it is visible as soon as the call
  returns, which is what the CTR figures and the tests rely on.
* **background** (``RECOMMENDATION_IMPRESSIONS_ASYNC = True``): rows are queued, after the
  surrounding transaction commits, to one writer thread that batches whatever has
  accumulated into a single ``bulk_create``; the request does not wait for the database.
  :func:`flush` blocks until the queue is written, for tests and for a clean shutdown.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from backend.interactions.models import Impression

__all__ = ["ImpressionWriter", "flush", "log_impressions", "writer"]

logger = logging.getLogger(__name__)

# One INSERT at most this many rows; a burst of requests is split into several.
_BATCH = 1000


def _rows(
    user_id: int,
    item_ids: Sequence[int],
    *,
    method: str,
    model_version: str,
    request_id: str,
    variant: str,
    shown_at: datetime,
) -> list[Impression]:
    return [
        Impression(
            user_id=user_id,
            item_id=item_id,
            position=position,
            method=method,
            model_version=model_version,
            variant=variant,
            request_id=request_id,
            shown_at=shown_at,
        )
        for position, item_id in enumerate(item_ids)
    ]


def _write(rows: list[Impression]) -> None:
    try:
        with transaction.atomic():
            Impression.objects.bulk_create(rows, batch_size=_BATCH)
    except DatabaseError:
        logger.exception("could not log %d impressions", len(rows))


class ImpressionWriter:
    """A daemon thread that writes queued impression rows in batches."""

    def __init__(self) -> None:
        # Entries are batches of rows, or an Event that ``flush`` waits on.
        self._queue: queue.Queue[list[Impression] | threading.Event] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, rows: list[Impression]) -> None:
        self._ensure_started()
        self._queue.put(rows)

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until every row submitted so far is written (or failed and was logged)."""
        if self._thread is None:
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="lupi-impressions", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            entries = [self._queue.get()]
            # Take whatever else is waiting, so that a burst becomes one INSERT.
            while True:
                try:
                    entries.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows = [row for entry in entries if isinstance(entry, list) for row in entry]
            if rows:
                close_old_connections()
                _write(rows)
                if self._queue.empty():
                    connection.close()
            for entry in entries:
                if isinstance(entry, threading.Event):
                    entry.set()


writer = ImpressionWriter()


def flush(timeout: float | None = 10.0) -> bool:
    """Wait until queued impressions are written (at once when writing inline)."""
    return writer.flush(timeout)


def log_impressions(
    user_id: int,
    item_ids: Sequence[int],
    *,
    method: str,
    model_version: str,
    request_id: str,
    variant: str = "",
) -> None:
    """Record that ``item_ids`` were shown to the user, in this order."""
    if not item_ids:
        return
    rows = _rows(
        user_id,
        item_ids,
        method=method,
        model_version=model_version,
        request_id=request_id,
        variant=variant,
        shown_at=timezone.now(),
    )
    if getattr(settings, "RECOMMENDATION_IMPRESSIONS_ASYNC", False):
        # After commit: the writer's own connection must see the rows these refer to.
        transaction.on_commit(lambda: writer.submit(rows))
    else:
        _write(rows)
