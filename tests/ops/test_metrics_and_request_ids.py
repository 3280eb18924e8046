"""``/metrics`` (Prometheus text), request ids echoed in ``X-Request-ID`` and put on log
records, and JSON log lines."""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from backend import request_id
from backend.recommendations.registry import registry
from tests.schema.conftest import served  # noqa: F401  (a fixture)
from tests.schema.test_response_cache import DASHBOARD, BrowserClient

FEED = "query Feed { recommendations(first: 3) { method } }"


def scrape(client: Client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def post(client: Client, query: str, **headers: str):
    return client.post("/graphql/", {"query": query}, content_type="application/json", **headers)


def test_metrics_count_operations_cache_hits_and_state(served) -> None:  # noqa: F811
    client = Client()
    client.force_login(served["demo"])
    before = scrape(client)
    ok = (("operation", "Feed"), ("outcome", "ok"))
    for _ in range(2):
        assert post(client, FEED).json()["data"]["recommendations"]["method"] == "HYBRID"
    assert "errors" in post(client, "query Broken { noSuchField }").json()
    after = scrape(client)
    assert (
        after[("lupi_graphql_requests_total", ok)]
        - before.get(("lupi_graphql_requests_total", ok), 0)
        == 2
    )
    count = ("lupi_graphql_request_seconds_count", (("operation", "Feed"),))
    assert after[count] - before.get(count, 0) == 2
    broken = (("operation", "Broken"),)
    assert (
        after[("lupi_graphql_errors_total", broken)]
        - before.get(("lupi_graphql_errors_total", broken), 0)
        == 1
    )
    assert after[("lupi_recommendation_cache_hits_total", ())] >= 1  # the second Feed
    assert after[("lupi_recommendation_cache_misses_total", ())] >= 1
    version = registry.current().version
    assert after[("lupi_model_active_info", (("version", version),))] == 1
    assert after[("lupi_training_runs_total", (("status", "succeeded"),))] == 1
    assert ("lupi_impressions_queue_depth", ()) in after


def test_operation_names_cannot_grow_the_labels_without_bound(monkeypatch) -> None:
    from backend import metrics

    monkeypatch.setattr(metrics, "_seen_names", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    assert [metrics.operation_label(n) for n in ("A", "B", "C", "A", None, "x y")] == [
        "A", "B", "other", "A", "anonymous", "other",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("incoming", "echoed"),
    [("edge-7f3a9c21-0001", True), ("bad id!", False), ("x" * 200, False), (None, False)],
)
def test_the_response_echoes_a_sane_request_id_or_makes_one(
    db, incoming: str | None, echoed: bool
) -> None:
    headers = {"HTTP_X_REQUEST_ID": incoming} if incoming is not None else {}
    response = post(Client(), "{ __typename }", **headers)
    answered = response["X-Request-ID"]
    if echoed:
        assert answered == incoming
    else:
        assert answered != incoming and len(answered) == 32
    assert Client().get("/healthz")["X-Request-ID"] != answered


def test_log_records_carry_the_request_id_and_json_lines_are_objects() -> None:
    config = dict(settings.LOGGING)
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        dict(config["formatters"]["json"])
    )
    record = logging.LogRecord("lupi.test", logging.WARNING, __file__, 1, "cache down", (), None)
    token = request_id.bind("req-12345678")
    try:
        assert request_id.RequestIdFilter().filter(record)
    finally:
        request_id.unbind(token)
    line = json.loads(formatter.format(record))
    assert line["message"] == "cache down" and line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING" and line["logger"] == "lupi.test" and line["time"]
    outside = logging.LogRecord("lupi.test", logging.INFO, __file__, 1, "idle", (), None)
    request_id.RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


@pytest.mark.django_db(transaction=True)
def test_a_replayed_response_has_its_own_request_id(served) -> None:  # noqa: F811
    async def scenario() -> list[tuple[bool, str]]:
        client = BrowserClient()
        await client.login("demo")
        seen = []
        for incoming in (None, None, "replay-0123456789"):
            extra = {"X-Request-ID": incoming} if incoming else {}
            response = await client.post(DASHBOARD, **extra)
            seen.append(
                (response.headers.get("x-lupi-cache") == "hit", response.headers["x-request-id"])
            )
        return seen

    (_, first), (hit, second), (hit_again, third) = asyncio.run(scenario())
    assert hit and hit_again
    assert len({first, second}) == 2 and len(second) == 32
    assert third == "replay-0123456789"
