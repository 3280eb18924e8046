"""Prometheus metrics at ``/metrics`` (prometheus_client).

Counted in this process as requests happen:

* ``lupi_graphql_requests_total{operation,outcome}`` and
  ``lupi_graphql_request_seconds{operation}``: each GraphQL operation by name (``anonymous``
  without one; names beyond the first ``MAX_OPERATION_NAMES`` are ``other``, so a client
  cannot grow the label set without bound), ``outcome`` ``ok`` or ``error``;
* ``lupi_graphql_errors_total{operation}``: errors in responses.

Read when scraped, from where every process writes them:

* ``lupi_recommendation_cache_hits_total`` / ``_misses_total``: the served-list cache and
  replayed GraphQL results, summed over all workers (the counters live in the cache);
* ``lupi_model_active_info{version}``: the active model version (database);
* ``lupi_training_runs_total{status}``: training runs by status (database);
* ``lupi_impressions_queue_depth``: served lists this process has not written yet.

Several workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder every worker can
write (prometheus_client's multi-process mode), and any worker's ``/metrics`` then sums the
per-request counters of all of them; without it each worker answers for itself (the
values read at scrape time are the same from any worker, except the queue depth).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

__all__ = ["observe_operation", "metrics_view"]

MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_seen_names: set[str] = set()
_names_lock = threading.Lock()

REQUESTS = Counter(
    "lupi_graphql_requests", "GraphQL operations answered.", ["operation", "outcome"]
)
LATENCY = Histogram(
    "lupi_graphql_request_seconds",
    "Time to execute a GraphQL operation.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter("lupi_graphql_errors", "Errors in GraphQL responses.", ["operation"])


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "other"
    with _names_lock:
        if name in _seen_names:
            return name
        if len(_seen_names) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_names.add(name)
        return name


def observe_operation(name: str | None, seconds: float, errors: int) -> None:
    label = operation_label(name)
    REQUESTS.labels(label, "error" if errors else "ok").inc()
    LATENCY.labels(label).observe(seconds)
    if errors:
        ERRORS.labels(label).inc(errors)


class StateCollector(Collector):
    """Values read at scrape time from the cache, the database and this process."""

    def describe(self) -> list[Metric]:
        # Registering would otherwise call ``collect`` (at import, before any database).
        return []

    def collect(self) -> Iterator[Metric]:
        from backend.recommendations.cache import cache_stats
        from backend.recommendations.impressions import writer
        from backend.recommendations.models import TrainingRun
        from backend.recommendations.services import active_version

        stats = cache_stats()
        yield CounterMetricFamily(
            "lupi_recommendation_cache_hits",
            "Served-list cache and replayed-result hits, all workers.",
            value=stats.hits,
        )
        yield CounterMetricFamily(
            "lupi_recommendation_cache_misses",
            "Served-list cache misses, all workers.",
            value=stats.misses,
        )
        active = GaugeMetricFamily(
            "lupi_model_active_info", "The active model version (1).", labels=["version"]
        )
        version = active_version()
        if version is not None:
            active.add_metric([version.version], 1)
        yield active
        runs = CounterMetricFamily(
            "lupi_training_runs", "Training runs by status.", labels=["status"]
        )
        from django.db.models import Count

        counted = dict.fromkeys(TrainingRun.Status.values, 0)
        for row in TrainingRun.objects.values("status").annotate(n=Count("id")):
            counted[row["status"]] = row["n"]
        for status, count in sorted(counted.items()):
            runs.add_metric([status], count)
        yield runs
        yield GaugeMetricFamily(
            "lupi_impressions_queue_depth",
            "Served lists this process has queued and not yet written.",
            value=writer.queue_depth(),
        )


_STATE = StateCollector()
REGISTRY.register(_STATE)  # beside the process and platform collectors


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()  # a fresh one per scrape, as multi-process mode asks
    multiprocess.MultiProcessCollector(registry)
    registry.register(_STATE)
    return registry


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
