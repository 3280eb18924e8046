"""Impression fatigue: an item shown again and again and never engaged with sinks in that
user's ranking; an engagement clears what its impressions held against it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.interactions.models import Impression, Interaction, InteractionKind
from backend.recommendations.profile import FATIGUE_WINDOW_DAYS, read_profile
from backend.recommendations.ranking import FATIGUE_WEIGHT, fatigue_penalty
from backend.recommendations.serving import (
    FRESHNESS_OFF,
    RecommendationFilters,
    RecommendationKnobs,
    recommend_for_user,
)

from .conftest import user

COOK, MUSIC_FAN = 1101, 1116
RERANKING_OFF = RecommendationKnobs(diversity=0.0, freshness_half_life_days=FRESHNESS_OFF)


def _show(reader_id: int, item_id: int, times: int, *, hours_ago: float = 2.0) -> None:
    now = timezone.now()
    Impression.objects.bulk_create(
        [
            Impression(
                user_id=reader_id,
                item_id=item_id,
                position=0,
                method="hybrid",
                request_id=f"r{item_id}-{k}-{hours_ago}",
                shown_at=now - timedelta(hours=hours_ago + k),
            )
            for k in range(times)
        ]
    )


def _ranked(reader_id: int) -> list:
    return recommend_for_user(
        user(reader_id), 30, knobs=RERANKING_OFF, use_cache=False, log=False
    ).items


def _unengaged(reader_id: int) -> dict[int, int]:
    return read_profile(user(reader_id), RecommendationFilters()).unengaged_impressions


def test_the_penalty_grows_ever_more_slowly():
    assert fatigue_penalty([0, 1]).tolist() == [0.0, 0.0]
    two, five, ten = fatigue_penalty([2, 5, 10]).tolist()
    assert two == pytest.approx(FATIGUE_WEIGHT)
    assert 0 < two < five < ten and ten - five < five - two


def test_an_item_shown_five_times_unengaged_ranks_lower(model):
    before = _ranked(COOK)
    top = before[0]
    assert top.breakdown.fatigue_penalty == 0.0
    _show(COOK, top.item_id, 5)
    after = _ranked(COOK)
    ids = [rec.item_id for rec in after]
    assert ids.index(top.item_id) > 0
    shown = after[ids.index(top.item_id)]
    assert shown.breakdown.fatigue_penalty == pytest.approx(FATIGUE_WEIGHT * 2.321928, rel=1e-4)
    assert shown.score == pytest.approx(top.score - shown.breakdown.fatigue_penalty, abs=1e-5)
    # every other item keeps its score
    others = {r.item_id: r.score for r in before if r.item_id != top.item_id}
    assert {r.item_id: r.score for r in after if r.item_id in others} == pytest.approx(others)


def test_an_engagement_clears_the_impressions_before_it(model):
    item = _ranked(COOK)[0].item_id
    _show(COOK, item, 5, hours_ago=3.0)
    assert _unengaged(COOK)[item] == 5
    clicked = timezone.now() - timedelta(hours=2)
    Interaction.objects.create(
        user_id=COOK, item_id=item, kind=InteractionKind.CLICK, occurred_at=clicked
    )
    assert item not in _unengaged(COOK)
    _show(COOK, item, 2, hours_ago=0.1)  # shown twice more since the click, not engaged with
    assert _unengaged(COOK)[item] == 2


def test_what_counts_as_fatigue(model):
    first, second, third = (rec.item_id for rec in _ranked(COOK)[:3])
    _show(COOK, first, 4)
    # a view says nothing of the impression: it still counts
    _show(COOK, second, 3, hours_ago=5.0)
    Interaction.objects.create(
        user_id=COOK, item_id=second, kind=InteractionKind.VIEW, occurred_at=timezone.now()
    )
    # shown long ago: outside the window
    _show(COOK, third, 6, hours_ago=24.0 * (FATIGUE_WINDOW_DAYS + 1))
    # shown to someone else
    _show(MUSIC_FAN, first, 7)
    assert _unengaged(COOK) == {first: 4, second: 3}
    assert _unengaged(MUSIC_FAN) == {first: 7}


def test_an_engaged_item_does_not_drop(model):
    """Impressions followed by a like, save or dwell are not held against the item."""
    ranked = _ranked(COOK)
    engaged, unengaged = ranked[0].item_id, ranked[1].item_id
    for item in (engaged, unengaged):
        _show(COOK, item, 5, hours_ago=4.0)
    for kind in (InteractionKind.LIKE, InteractionKind.SAVE, InteractionKind.DWELL):
        Interaction.objects.create(
            user_id=COOK, item_id=engaged, kind=kind, occurred_at=timezone.now()
        )
    assert _unengaged(COOK) == {unengaged: 5}


def test_the_setting_turns_the_term_off(model, settings):
    before = _ranked(COOK)
    _show(COOK, before[0].item_id, 5)
    settings.RECOMMENDATION_FATIGUE = False
    after = _ranked(COOK)
    assert [r.item_id for r in after] == [r.item_id for r in before]
    assert all(r.breakdown.fatigue_penalty == 0.0 for r in after)
