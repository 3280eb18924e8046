"""Impressions: every served list is logged, one row per shown item, in one bulk write
(COPY on PostgreSQL, a multi-row INSERT elsewhere).

Two ways to write them:

* **inline** (the default): one write right after the list is computed, inside a
  savepoint, so a failed write is logged and never fails the request. It is one statement
  for a page of rows, about a millisecond, and it is visible as soon as the call returns,
  which is what the CTR figures and the tests rely on.
* **background** (``RECOMMENDATION_IMPRESSIONS_ASYNC = True``, and always for replayed
  GraphQL results, ``schema/response_cache.py``): lists are queued, after the surrounding
  transaction commits, to one thread that gathers whatever has accumulated; the request
  does not wait for the database. With a task queue (``CELERY_BROKER_URL``) the thread
  hands each batch to the broker as one ``lupi.write_impressions`` task and a worker
  process writes it (``backend/recommendations/tasks.py``); without one (or when the
  broker refuses the batch) the thread writes the batch itself in one transaction.
  :func:`flush` blocks until the queue is handed on, for tests and for a clean shutdown: a
  server flushes it on the ASGI lifespan's shutdown (after SIGTERM,
  ``backend/lifespan.py``), and any other process when it exits (``atexit``), so queued
  lists are written or on the broker, not dropped with the daemon thread."""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from backend.interactions.models import Impression

__all__ = [
    "ImpressionWriter",
    "flush",
    "log_impressions",
    "queue_impressions",
    "write_batch",
    "writer",
]

logger = logging.getLogger(__name__)

# One INSERT at most this many rows (``bulk_create``), and one write at most this many
# served lists.
_BATCH = 1000


# One list shown: (user id, item ids in order, method, model version, variant, request id,
# shown at, the source of each item or ()). Plain tuples, so queueing from the event loop
# builds no model instances.
ServedRows = tuple[int, tuple[int, ...], str, str, str, str, datetime, tuple[str, ...]]

_COLUMNS = (
    "user_id",
    "item_id",
    "position",
    "method",
    "model_version",
    "variant",
    "request_id",
    "shown_at",
    "source",
)


def _served(
    user_id: int,
    item_ids: Sequence[int],
    method: str,
    model_version: str,
    variant: str,
    request_id: str,
    sources: Sequence[str] = (),
) -> ServedRows:
    if sources and len(sources) != len(item_ids):
        raise ValueError(f"{len(sources)} sources for {len(item_ids)} items")
    shown_at = timezone.now()
    rows = (user_id, tuple(item_ids), method, model_version, variant, request_id, shown_at)
    return (*rows, tuple(sources))


def _expand(lists: list[ServedRows]) -> list[tuple]:
    rows = []
    for user_id, item_ids, method, version, variant, request_id, shown_at, sources in lists:
        for position, item_id in enumerate(item_ids):
            source = sources[position] if sources else ""
            rows.append(
                (user_id, item_id, position, method, version, variant, request_id, shown_at, source)
            )
    return rows


def _insert(lists: list[ServedRows]) -> None:
    """One transaction for everything given: COPY on PostgreSQL (a served list is 20 rows
    and a busy server logs thousands a second), ``bulk_create`` elsewhere."""
    rows = _expand(lists)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(Impression._meta.db_table)
            columns = ", ".join(_COLUMNS)
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            Impression.objects.bulk_create(
                [Impression(**dict(zip(_COLUMNS, row, strict=True))) for row in rows],
                batch_size=_BATCH,
            )


def _write(lists: list[ServedRows]) -> None:
    """Write ``lists``; never raises. A batch that fails (a row naming an item deleted
    meanwhile fails the whole transaction) is retried list by list, so one bad list
    loses only itself."""
    try:
        _insert(lists)
        return
    except Exception:  # COPY raises the driver's own errors, not Django's
        if len(lists) == 1:
            logger.exception("could not log %d impressions", len(lists[0][1]))
            return
        logger.warning("a batch of %d served lists failed; writing them one by one", len(lists))
    for served in lists:
        _write([served])


def _encode(lists: list[ServedRows]) -> list[list]:
    """Served lists as JSON values, for a task's arguments."""
    return [[*served[:6], served[6].isoformat(), list(served[7])] for served in lists]


def _decode(lists: list[list]) -> list[ServedRows]:
    decoded = []
    for user_id, items, method, version, variant, request_id, shown_at, sources in lists:
        shown = datetime.fromisoformat(shown_at)
        row = (int(user_id), tuple(items), method, version, variant, request_id, shown)
        decoded.append((*row, tuple(sources)))
    return decoded


def write_batch(lists: list[list]) -> int:
    """Write a batch a web process handed to the queue (the worker's side); rows written."""
    served = _decode(lists)
    _write(served)
    return sum(len(entry[1]) for entry in served)


def _deliver(lists: list[ServedRows]) -> None:
    """Hand ``lists`` to the queue's workers when there is a queue, else write them here.
    A broker that cannot take them is logged and the lists are written here: they are
    never dropped."""
    from backend.celery import tasks_enabled

    if tasks_enabled():
        from backend.recommendations.tasks import write_impressions

        try:
            write_impressions.delay(_encode(lists))
            return
        except Exception:  # kombu raises the transport's own errors
            logger.exception("the broker refused %d served lists; writing them here", len(lists))
    _write(lists)


class ImpressionWriter:
    """A daemon thread that writes queued lists in batches (or hands each batch to the
    task queue, :func:`_deliver`).

    It gathers lists for up to ``LINGER_S`` before writing them, keeps its database
    connection while lists keep coming and gives it back after ``IDLE_CLOSE_S`` without
    any (a connection taken from the pool per batch cost more than the batch).
    """

    IDLE_CLOSE_S = 2.0
    LINGER_S = 0.1  # RECOMMENDATION_IMPRESSIONS_LINGER_S, when set

    def __init__(self) -> None:
        # Entries are served lists, or an Event that ``flush`` waits on.
        self._queue: queue.Queue[ServedRows | threading.Event] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._exit_hooked = False
        # Lists submitted and not yet written (queued, or gathered by the writer).
        self._pending = 0

    def submit(self, served: ServedRows) -> None:
        self._ensure_started()
        with self._lock:
            self._pending += 1
        self._queue.put(served)

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until every list submitted so far is written (or failed and was logged)."""
        if self._thread is None:
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="lupi-impressions", daemon=True
                )
                self._thread.start()
                if not self._exit_hooked:
                    atexit.register(self.flush_at_exit)
                    self._exit_hooked = True

    def flush_at_exit(self) -> None:
        """Write what is queued before the process ends (logged either way)."""
        waiting = self.queue_depth()
        if waiting and self.flush(timeout=settings.RECOMMENDATION_IMPRESSIONS_EXIT_TIMEOUT_S):
            from backend.celery import tasks_enabled

            done = "handed to the task queue" if tasks_enabled() else "wrote"
            logger.info("%s the %d queued impression lists before exiting", done, waiting)
        elif waiting:
            logger.error("exiting with impressions still queued (%d lists)", waiting)

    def queue_depth(self) -> int:
        """Served lists submitted and not yet written."""
        return self._pending

    def _run(self) -> None:
        connected = False
        while True:
            try:
                entries = [self._queue.get(timeout=self.IDLE_CLOSE_S if connected else None)]
            except queue.Empty:
                connection.close()
                connected = False
                continue
            # Gather what arrives over the next moment, so that a busy server writes a few
            # large batches a second rather than one transaction per served list (each
            # transaction has a fixed cost on the database); a flush does not wait.
            linger = getattr(settings, "RECOMMENDATION_IMPRESSIONS_LINGER_S", self.LINGER_S)
            deadline = time.monotonic() + linger
            while len(entries) < _BATCH and not isinstance(entries[-1], threading.Event):
                try:
                    entries.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            lists = [entry for entry in entries if isinstance(entry, tuple)]
            if lists:
                if not connected:
                    close_old_connections()
                    connected = True
                _deliver(lists)
                with self._lock:
                    self._pending -= len(lists)
                if connection.connection is not None and not connection.is_usable():
                    connection.close()  # broken by a failure: take a fresh one next time
                    connected = False
            for entry in entries:
                if isinstance(entry, threading.Event):
                    if connected:  # a flush means "all done": tests and shutdown
                        connection.close()
                        connected = False
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
    sources: Sequence[str] = (),
) -> None:
    """Record that ``item_ids`` were shown to the user, in this order (``sources``: the
    candidate source that placed each, for a list made from sources)."""
    if not item_ids:
        return
    served = _served(user_id, item_ids, method, model_version, variant, request_id, sources)
    if getattr(settings, "RECOMMENDATION_IMPRESSIONS_ASYNC", False):
        # After commit: the writer's own connection must see the rows these refer to.
        transaction.on_commit(lambda: writer.submit(served))
    else:
        _write([served])


def queue_impressions(
    user_id: int,
    item_ids: Sequence[int],
    *,
    method: str,
    model_version: str,
    request_id: str,
    variant: str = "",
    sources: Sequence[str] = (),
) -> None:
    """Record a list shown outside any request transaction (a replayed response), always
    through the background writer: the caller may be on the event loop and must not block."""
    if not item_ids:
        return
    writer.submit(_served(user_id, item_ids, method, model_version, variant, request_id, sources))
