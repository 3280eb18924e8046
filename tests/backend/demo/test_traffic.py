"""The traffic simulator on a tiny generated platform: lists through the real serving code,
clicks attributed to them, the bandit's arms moved by them, latent tastes that decide."""

from __future__ import annotations

import numpy as np
import pytest

from backend.accounts.models import User
from backend.demo.latent import ItemFacts, LatentMissing, load_latent
from backend.demo.models import LatentTastes
from backend.demo.traffic import TrafficPlan, play
from backend.interactions.models import Impression, Interaction
from backend.interactions.services import attributed_outcomes
from backend.recommendations import bandit
from backend.recommendations.models import SourceArm

pytestmark = pytest.mark.django_db


def test_latent_tastes_are_stored_at_seed_time_and_refused_once_replaced(simulated_platform):
    latent = load_latent()
    assert len(latent.user_ids) == 60 and len(latent.item_ids) == 150
    assert latent.taste.shape[0] == latent.tag_affinity.shape[0] == 60
    np.testing.assert_allclose(latent.taste.sum(axis=1), 1.0, atol=1e-2)
    facts = ItemFacts.read(latent)
    # The funnel's units: over the platform's items the fit is spread around the exposures'.
    z = latent.z(np.zeros(len(facts.ids), dtype=np.int64), facts, np.arange(len(facts.ids)))
    assert np.isfinite(z).all() and z.std() > 0.1
    User.objects.filter(id=int(load_latent().user_ids[3])).delete()
    with pytest.raises(LatentMissing, match="replaced"):
        load_latent()
    LatentTastes.objects.all().delete()
    with pytest.raises(LatentMissing, match="seed_demo"):
        load_latent()


def test_simulated_readers_click_served_lists_and_move_the_bandit(simulated_platform, settings):
    settings.RECOMMENDATION_BANDIT = True
    before = Interaction.objects.exclude(request_id="").count()
    counts = []

    def count(round_: int, traffic) -> None:
        counts.append(bandit.count_outcomes(settle_s=0).impressions)

    traffic = play(TrafficPlan(users=30, rounds=2, seconds=120, seed=3), after_round=count)
    assert traffic.rounds_done == 2 and not traffic.stopped_early
    assert len(traffic.visits) == 60 and traffic.clicks > 0
    # Every visit is a logged list, each item with the source that placed it.
    served = Impression.objects.filter(request_id__in=[v.request_id for v in traffic.visits])
    assert served.count() == traffic.impressions
    assert not served.filter(source="").exists()
    # The clicks went through the feedback service, attributed to their list and position.
    acts = Interaction.objects.exclude(request_id="")
    assert acts.count() - before >= traffic.clicks
    joined = attributed_outcomes(acts.filter(kind="click"))
    by_request = {v.request_id: v for v in traffic.visits}
    assert len(joined) == traffic.clicks
    for outcome in joined:
        visit = by_request[outcome.request_id]
        assert outcome.position in visit.clicked
    # The bandit counted every sourced impression, and learnt from the clicks.
    arms = SourceArm.objects.all()
    assert sum(counts) == sum(a.shown for a in arms) > 0
    assert sum(a.engaged for a in arms) > 0
    assert any(a.alpha > 1 for a in arms)
    # Readers click what fits their latent tastes: clicked items fit better than the rest.
    latent = load_latent()
    facts = ItemFacts.read(latent)
    fit = {True: [], False: []}
    for visit in traffic.visits:
        row = latent.rows_of(np.array([visit.user_id]))
        items = np.array([facts.row_of[i] for i in visit.item_ids])
        z = latent.z(np.repeat(row, len(items)), facts, items)
        for position, value in enumerate(z):
            fit[position in visit.clicked].append(value)
    assert np.mean(fit[True]) > np.mean(fit[False])


def test_a_seed_plays_the_same_readers_in_parts_and_the_time_bound_stops_a_run(
    simulated_platform,
):
    first = play(TrafficPlan(users=10, rounds=1, seconds=60, seed=9))
    second = play(TrafficPlan(users=10, rounds=1, seconds=60, seed=9))
    assert [v.user_id for v in first.visits] == [v.user_id for v in second.visits]
    # Two parts of the same sample: disjoint, and together the sample.
    halves = [play(TrafficPlan(users=10, rounds=1, seed=9, part=(k, 2))) for k in (0, 1)]
    readers = [{v.user_id for v in half.visits} for half in halves]
    assert not readers[0] & readers[1]
    assert readers[0] | readers[1] == {v.user_id for v in first.visits}
    cut = play(TrafficPlan(users=60, rounds=50, seconds=0.001, seed=1))
    assert cut.stopped_early and cut.rounds_done < 50
