"""Candidate sources and the slot allocator: fixed mixes, Thompson sampling under a fixed
seed, the exploration floor, and lists served from sources on the fixture platform."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.content.models import ContentItem, Creator
from backend.interactions.models import Impression
from backend.recommendations.explanations import ReasonKind
from backend.recommendations.serving import SourcePlan, recommend_for_user
from backend.recommendations.sources import BLENDED, SOURCES, allocate_slots, fill_slots
from backend.recommendations.trending import trending

from .conftest import user

COOK = 1101
GRAPH, CONTENT, TRENDING, NEW_ITEMS, NEW_CREATORS = range(5)
PLENTY = [50, 50, 50, 50, 50]


def _posterior(best: int) -> tuple[np.ndarray, np.ndarray]:
    """Arms that make ``best`` the clear winner: Beta(1000, 1) against Beta(1, 1000)."""
    alpha, beta = np.ones(5), np.full(5, 1000.0)
    alpha[best], beta[best] = 1000.0, 1.0
    return alpha, beta


def test_a_fixed_mix_shares_the_slots_by_largest_remainders():
    weights = [1.0, 0.0, 1.0, 0.0, 0.0]
    assert allocate_slots(5, PLENTY, weights=weights).tolist() == [3, 0, 2, 0, 0]
    assert allocate_slots(10, PLENTY, weights=[0, 0, 1, 0, 0]).tolist() == [0, 0, 10, 0, 0]
    # A source with fewer candidates than its share leaves the rest to the blended ranking.
    short = allocate_slots(10, [50, 50, 3, 50, 50], weights=[0, 0, 1, 0, 0])
    assert short.tolist() == [0, 0, 3, 0, 0]


def test_thompson_slots_are_the_same_under_the_same_seed():
    alpha = np.array([3.0, 5.0, 2.0, 1.0, 1.0])
    beta = np.array([9.0, 6.0, 9.0, 1.0, 1.0])

    def draw(seed: int) -> list[int]:
        rng = np.random.default_rng(seed)
        return allocate_slots(20, PLENTY, posterior=(alpha, beta), rng=rng).tolist()

    assert draw(7) == draw(7)
    assert sum(draw(7)) == 20
    assert len({tuple(draw(seed)) for seed in range(10)}) > 1  # the draws do vary by seed


def test_thompson_gives_the_clear_winner_all_but_the_exploration_floor():
    rng = np.random.default_rng(0)
    slots = allocate_slots(10, PLENTY, posterior=_posterior(TRENDING), rng=rng)
    # New items and new creators each keep one slot, taken from the winner.
    assert slots.tolist() == [0, 0, 8, 1, 1]
    none_new = allocate_slots(10, [50, 50, 50, 0, 0], posterior=_posterior(TRENDING), rng=rng)
    assert none_new.tolist() == [0, 0, 10, 0, 0]


def test_thompson_respects_candidates_and_the_allowed_sources():
    rng = np.random.default_rng(0)
    # The favourite has two candidates: the other slots go to the next best draws.
    slots = allocate_slots(10, [50, 50, 2, 0, 0], posterior=_posterior(TRENDING), rng=rng)
    assert slots[TRENDING] == 2 and slots.sum() == 10
    # Weights restrict the bandit to the named sources (the floor too).
    only = allocate_slots(
        10, PLENTY, weights=[1, 1, 0, 0, 0], posterior=_posterior(TRENDING), rng=rng
    )
    assert only[TRENDING] == 0 and only[NEW_ITEMS] == 0 and only.sum() == 10


def test_fill_slots_takes_each_sources_best_not_yet_taken_then_the_blended_ranking():
    rankings = [np.array(r) for r in ([1, 2, 3], [1, 4, 5], [6, 7], [], [2])]
    slots = [1, 2, 1, 0, 1]
    taken = fill_slots(slots, rankings, blended=[9, 1, 8, 10], first=7)
    # new_creators first (2), then trending (6), content (1, 4), graph (1 and 2 taken: 3).
    assert taken == {2: "new_creators", 6: "trending", 1: "content", 4: "content", 3: "graph",
                     9: BLENDED, 8: BLENDED}  # fmt: skip


def test_a_plan_needs_one_weight_per_source():
    with pytest.raises(ValueError, match="one weight per source"):
        SourcePlan(weights=(1.0, 0.0))


def _new_creator_item() -> ContentItem:
    """A creator's first item, published two hours ago, in the cooking reader's taste."""
    account = User.objects.create(username="newchef")
    creator = Creator.objects.create(user=account, display_name="New Chef")
    item = ContentItem.objects.create(
        title="Homemade pasta recipe debut",
        excerpt="About homemade pasta",
        type="blog",
        category_id=1001,
        creator=creator,
        published_at=timezone.now() - timedelta(hours=2),
    )
    item.tags.set([1001])
    return item


def test_a_new_creators_first_item_gets_an_exploration_slot(model):
    item = _new_creator_item()
    result = recommend_for_user(user(COOK), 10, sources=SourcePlan(bandit=True))
    assert item.pk in result.item_ids
    rec = next(r for r in result.items if r.item_id == item.pk)
    assert rec.source == "new_creators"
    explore = rec.reasons[0]
    assert explore.kind == ReasonKind.EXPLORE
    assert explore.evidence_type == "creator" and explore.evidence_ids == (item.creator_id,)
    assert len(result.items) == 10 and {r.source for r in result.items} <= {*SOURCES, BLENDED}
    # Every impression records the source that placed its item.
    shown = dict(
        Impression.objects.filter(request_id=result.request_id).values_list("item_id", "source")
    )
    assert shown == {r.item_id: r.source for r in result.items}


def test_without_a_source_mix_the_list_is_the_blended_ranking(model, settings):
    _new_creator_item()
    settings.RECOMMENDATION_CACHE_TTL = 0
    plain = recommend_for_user(user(COOK), 10)
    assert {r.source for r in plain.items} == {""}
    assert not any(reason.kind == ReasonKind.EXPLORE for r in plain.items for reason in r.reasons)
    assert set(
        Impression.objects.filter(request_id=plain.request_id).values_list("source", flat=True)
    ) == {""}
    # An inactive plan (no weights, no bandit) changes nothing either.
    inactive = recommend_for_user(user(COOK), 10, sources=SourcePlan())
    assert inactive.item_ids == plain.item_ids


def test_the_setting_turns_the_bandit_on_for_lists_naming_no_mix(model, settings):
    item = _new_creator_item()
    settings.RECOMMENDATION_BANDIT = True
    result = recommend_for_user(user(COOK), 10)
    assert item.pk in result.item_ids
    assert all(r.source for r in result.items)


def test_a_trending_only_mix_serves_trending_items(model):
    only_trending = SourcePlan(weights=(0.0, 0.0, 1.0, 0.0, 0.0))
    result = recommend_for_user(user(COOK), 10, sources=only_trending)
    assert len(result.items) == 10
    from_trending = [r for r in result.items if r.source == "trending"]
    assert from_trending and {r.source for r in result.items} <= {"trending", BLENDED}
    # A fixed mix is not exploration: no item says so.
    assert not any(reason.kind == ReasonKind.EXPLORE for r in result.items for reason in r.reasons)
    # They are the platform's trending items, best first among those the reader may see.
    scores = trending().scores()
    assert all(scores.get(r.item_id, 0.0) > 0 for r in from_trending)
