"""The results benchmark's generator: what it writes is what the results count (not its
speed)."""

from __future__ import annotations

import pytest

from backend.interactions.models import Impression, Interaction
from bench import experiment_results as bench

pytestmark = pytest.mark.django_db


def test_the_generated_experiment_is_counted_in_full():
    experiment = bench.generate(impressions=4_000, users=150, seed=3)
    _, results = bench.time_results(experiment.pk, runs=1)
    totals = [v.totals for v in results.variants]
    assert sum(t.impressions for t in totals) == Impression.objects.count() == 4_000
    assert sum(t.clicks for t in totals) == Interaction.objects.filter(kind="click").count()
    assert sum(t.dwells for t in totals) == Interaction.objects.filter(kind="dwell").count()
    seen = Impression.objects.values("user_id").distinct().count()
    assert sum(v.users for v in results.variants) == seen
    # Users were assigned by the real hash: no sample-ratio mismatch.
    assert not results.sample_ratio.mismatch
