"""The SPA's first screen, uncached, in a known number of SQL round trips: counted per
table so a change that adds one names it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.load import DASHBOARD_QUERY
from schema.response_cache import cacheable

pytestmark = pytest.mark.django_db

# After Django's own session and account reads: activity, stats, the recommender's acts,
# refusals and interests (one UNION ALL), the explanations' names with the picks' liveness
# (one UNION ALL), the cards with their tags.
EXPECTED_READS = 5


def _reads(client: Client, query: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/graphql/",
            {"query": query, "variables": {"first": 20}},
            content_type="application/json",
        )
    assert "errors" not in response.json(), response.json()
    sql = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip("(").startswith("SELECT")]
    return [s for s in sql if '"django_session"' not in s.split(" WHERE ")[0]]


@pytest.mark.parametrize("username", ["demo", "creator"])
def test_the_uncached_dashboard_reads_in_a_fixed_number_of_round_trips(
    served, settings, username
) -> None:
    settings.RECOMMENDATION_CACHE_TTL = 0
    settings.RECOMMENDATION_IMPRESSIONS_ASYNC = True  # as served: written off the request
    assert cacheable(DASHBOARD_QUERY)
    client = Client()
    client.force_login(served[username])
    _reads(client, DASHBOARD_QUERY)  # the model and the universe are loaded once
    reads = _reads(client, DASHBOARD_QUERY)
    account, rest = reads[0], reads[1:]
    # One account read, joined to its creator profile: "do they publish?" costs nothing more.
    assert '"accounts_user"' in account and '"content_creator"' in account
    # Whether the viewer publishes came with the account: no look-up by user.
    assert not [s for s in rest if '"content_creator"."user_id" =' in s]
    if username == "demo":  # (creator insights add reads of their own)
        assert len(rest) == EXPECTED_READS, "\n".join(rest)


def test_the_bandit_adds_no_round_trip_once_its_state_is_cached(served, settings) -> None:
    """With the bandit on, the arms and the recent items' impression counts come from the
    shared cache: after the first request, the dashboard reads as many times as without."""
    settings.RECOMMENDATION_CACHE_TTL = 0
    settings.RECOMMENDATION_IMPRESSIONS_ASYNC = True
    settings.RECOMMENDATION_BANDIT = True
    client = Client()
    client.force_login(served["demo"])
    _reads(client, DASHBOARD_QUERY)  # the model, the universe and the bandit's state
    reads = _reads(client, DASHBOARD_QUERY)
    assert len(reads[1:]) == EXPECTED_READS, "\n".join(reads[1:])
