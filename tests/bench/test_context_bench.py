"""The contextual benchmark's holdout and its measures (not its figures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from backend.demo.generator import seed_demo
from backend.interactions.models import Impression, Interaction
from backend.recommendations.context import band_of_hour
from bench import context
from gnn.metrics import ranking_metrics

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.django_db
def test_the_holdout_is_taken_out_and_grouped_by_moment():
    seed_demo(seed=3, users=40, items=120, days=60, now=NOW)
    cut = NOW - timedelta(days=10)
    before = set(Interaction.objects.filter(occurred_at__lt=cut).values_list("user_id", "item_id"))
    moments, counts = context.take_holdout(cut)
    assert moments and counts["requests"] == len(moments)
    assert not Interaction.objects.filter(occurred_at__gte=cut).exists()
    assert not Impression.objects.filter(shown_at__gte=cut).exists()
    for moment in moments:
        assert moment.items and not {(moment.user_id, i) for i in moment.items} & before
        assert moment.device in ("mobile", "tablet", "desktop", "tv")
    # one request per reader, hour band and device
    cells = {(m.user_id, band_of_hour(m.local_hour), m.device) for m in moments}
    assert len(cells) == len(moments)
    # readers without a history before the cut are not asked about
    trained = {user for user, _ in before}
    assert {m.user_id for m in moments} <= trained


def test_per_request_measures_are_those_of_ranking_metrics():
    moments = [
        context.Moment(1, 8, "mobile", {10, 11}),
        context.Moment(1, 21, "desktop", {12}),
        context.Moment(2, 8, "mobile", {13, 14, 15}),
    ]
    lists = [[10, 3, 4, 11], [5, 6], [15, 13, 7]]
    recall, ndcg = context.per_request(lists, moments)
    top = np.full((3, context.K), -1)
    for row, items in enumerate(lists):
        top[row, : len(items)] = items
    expected = ranking_metrics(top, [np.array(sorted(m.items)) for m in moments], num_candidates=20)
    assert recall.tolist() == pytest.approx([1.0, 0.0, 2 / 3])
    assert recall.mean() == pytest.approx(expected["recall@20"])
    assert ndcg.mean() == pytest.approx(expected["ndcg@20"])


def test_the_paired_interval_holds_the_mean_gain():
    gain = np.random.default_rng(0).normal(0.02, 0.1, 2000)
    low, high = context.paired_interval(gain, seed=1)
    assert low < gain.mean() < high and high - low < 0.02
    assert context.paired_interval(np.zeros(50), seed=1) == (0.0, 0.0)
