"""The bandit's arms: outcomes joined to impressions by request id and position, counted
once, into Beta posteriors computed here by hand."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from backend.interactions.models import Impression, Interaction, InteractionKind
from backend.recommendations import bandit
from backend.recommendations.models import OutcomeCursor, SourceArm, SourceArmSnapshot
from backend.recommendations.sources import SOURCES

READER, OTHER = 1101, 1102
NOW = timezone.now().replace(microsecond=0)


def _list(request_id: str, items: list[tuple[int, str]], *, user=READER, method="hybrid", at=NOW):
    """A served list: (item, source) by position."""
    Impression.objects.bulk_create(
        [
            Impression(
                user_id=user,
                item_id=item,
                position=position,
                method=method,
                request_id=request_id,
                shown_at=at - timedelta(minutes=45),
                source=source,
            )
            for position, (item, source) in enumerate(items)
        ]
    )


def _act(item: int, kind: str, request_id: str = "", position: int | None = None, user=READER):
    Interaction.objects.create(
        user_id=user,
        item_id=item,
        kind=kind,
        occurred_at=NOW - timedelta(minutes=40),
        request_id=request_id,
        position=position,
    )


def _arms() -> dict[tuple[str, str], tuple[float, float, int, int]]:
    return {
        (a.segment, a.source): (a.alpha, a.beta, a.shown, a.engaged)
        for a in SourceArm.objects.all()
    }


@pytest.fixture
def served(platform):
    """Two lists with outcomes of every kind that must and must not count (written
    directly: the feedback service would refuse the mismatched ones)."""
    r1, r2 = "a" * 32, "b" * 32
    _list(r1, [(1001, "graph"), (1002, "trending"), (1003, "trending"), (1004, "blended")])
    _list(r2, [(1005, "graph"), (1006, "trending"), (1007, "new_items")], user=OTHER)
    _act(1001, InteractionKind.CLICK, r1, 0)  # graph: engaged...
    _act(1001, InteractionKind.LIKE, r1, 0)  # ...once, however many acts
    _act(1002, InteractionKind.VIEW, r1, 1)  # a view is not engagement
    _act(1003, InteractionKind.CLICK)  # a click without the list's id: not this list's
    _act(1004, InteractionKind.CLICK, r1, 3)  # the blended ranking's slot: no arm
    _act(1006, InteractionKind.SAVE, r2, 1, user=OTHER)  # trending: engaged
    _act(1009, InteractionKind.CLICK, r2, 1, user=OTHER)  # right list, an item it did not show
    _act(1007, InteractionKind.CLICK, r1, 2, user=OTHER)  # another list's id
    return r1, r2


def test_outcomes_update_the_arms_by_hand_computed_counts(served):
    counted = bandit.count_outcomes(now=NOW)
    assert counted.impressions == 6  # the blended slot is no arm's
    # graph: 2 shown (1001 engaged, 1005 not) -> Beta(1 + 1, 1 + 1)
    # trending: 3 shown (1006 saved; 1002 only viewed, 1003 clicked outside) -> Beta(2, 3)
    # new_items: 1 shown, not engaged (the click named another list) -> Beta(1, 2)
    assert _arms() == {
        ("", "graph"): (2.0, 2.0, 2, 1),
        ("", "trending"): (2.0, 3.0, 3, 1),
        ("", "new_items"): (1.0, 2.0, 1, 0),
    }
    alpha, beta = bandit.posterior()
    by_source = dict(zip(SOURCES, zip(alpha.tolist(), beta.tolist(), strict=True), strict=True))
    assert by_source == {
        "graph": (2.0, 2.0),
        "content": (1.0, 1.0),  # nothing counted: the prior
        "trending": (2.0, 3.0),
        "new_items": (1.0, 2.0),
        "new_creators": (1.0, 1.0),
    }
    # Each counted arm keeps its posterior in the history.
    assert SourceArmSnapshot.objects.filter(taken_at=NOW).count() == 3


def test_each_impression_counts_once(served):
    bandit.count_outcomes(now=NOW)
    before = _arms()
    again = bandit.count_outcomes(now=NOW + timedelta(minutes=5))
    assert again.impressions == 0 and _arms() == before
    # A later list is counted by the next run, on top.
    _list("c" * 32, [(1008, "graph")], at=NOW + timedelta(hours=1))
    _act(1008, InteractionKind.CLICK, "c" * 32, 0)
    bandit.count_outcomes(now=NOW + timedelta(hours=1))
    assert _arms()[("", "graph")] == (3.0, 2.0, 3, 2)
    assert OutcomeCursor.objects.get().impression_id == Impression.objects.latest("id").id


def test_impressions_younger_than_the_settling_time_wait(served):
    # Shown 45 minutes before NOW: with an hour to settle, nothing is counted yet.
    assert bandit.count_outcomes(settle_s=3600, now=NOW).impressions == 0
    assert not SourceArm.objects.exists()
    assert bandit.count_outcomes(settle_s=3600, now=NOW + timedelta(minutes=20)).impressions == 6


def test_segments_keep_arms_per_list_method(platform, settings):
    settings.RECOMMENDATION_BANDIT_SEGMENTS = True
    _list("d" * 32, [(1001, "graph")], method="hybrid")
    _list("e" * 32, [(1002, "graph")], method="content", user=OTHER)
    _act(1002, InteractionKind.CLICK, "e" * 32, 0, user=OTHER)
    bandit.count_outcomes(now=NOW)
    assert _arms() == {
        ("hybrid", "graph"): (1.0, 2.0, 1, 0),
        ("content", "graph"): (2.0, 1.0, 1, 1),
    }
    assert bandit.posterior("content")[0][0] == 2.0
    assert bandit.posterior("hybrid")[1][0] == 2.0


def test_serving_reads_the_arms_from_the_cache(served, django_assert_num_queries):
    bandit.count_outcomes(now=NOW)
    with django_assert_num_queries(1):
        bandit.posterior()
    with django_assert_num_queries(0):
        alpha, _ = bandit.posterior()
    assert alpha[SOURCES.index("graph")] == 2.0


def test_outcomes_of_other_variants_are_passed_over_when_asked(platform):
    _list("f" * 32, [(1001, "graph")])
    Impression.objects.filter(request_id="f" * 32).update(variant="exp:uniform")
    _list("0" * 32, [(1002, "graph")], user=OTHER)
    Impression.objects.filter(request_id="0" * 32).update(variant="exp:bandit")
    _act(1001, InteractionKind.CLICK, "f" * 32, 0)
    bandit.count_outcomes(now=NOW, variants={"exp:bandit"})
    assert _arms() == {("", "graph"): (1.0, 2.0, 1, 0)}


def test_the_command_counts_and_refuses_bad_options(served):
    out = io.StringIO()
    call_command("count_source_outcomes", "--settle-seconds", "0", stdout=out)
    assert "Counted 6 impressions" in out.getvalue()
    assert _arms()[("", "trending")] == (2.0, 3.0, 3, 1)
    with pytest.raises(CommandError, match="--batch"):
        call_command("count_source_outcomes", "--batch", "0")


def test_the_count_steps_over_lists_not_made_from_sources(platform):
    _list("1" * 32, [(1001 + k, "") for k in range(6)])  # a plain list
    _list("2" * 32, [(1010, "content"), (1011, "content")], user=OTHER)
    _act(1011, InteractionKind.CLICK, "2" * 32, 1, user=OTHER)
    counted = bandit.count_outcomes(now=NOW, batch=2)
    assert counted.impressions == 2 and _arms() == {("", "content"): (2.0, 2.0, 2, 1)}


def test_reset_arms_starts_from_the_prior_and_counts_only_later_lists(served):
    bandit.count_outcomes(now=NOW)
    _list("3" * 32, [(1012, "graph")], at=NOW)
    bandit.reset_arms()
    assert not SourceArm.objects.exists() and bandit.posterior()[0].tolist() == [1.0] * 5
    assert bandit.count_outcomes(now=NOW + timedelta(hours=1)).impressions == 0
    _list("4" * 32, [(1013, "graph")], at=NOW + timedelta(hours=1))
    assert bandit.count_outcomes(now=NOW + timedelta(hours=2)).impressions == 1
