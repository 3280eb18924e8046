"""Experiment results against a fixture whose figures were worked out by hand.

Control, day 1: 200 impressions (100 users × a list of 2), 30 opened, 10 liked, 4 hidden,
dwell times 1000, 2000, 3000, 6000 ms. Treatment, day 1: 200 impressions (100 users), 50
opened, 12 liked, none hidden, dwell times 4000, 5000, 6000 ms. Day 2: 20 impressions in
each arm, nothing followed. With z = 1.959964, worked out with exact decimals:

* Wilson 30/200 = 0.15 [0.107136, 0.206056]; 50/200 = 0.25 [0.195082, 0.314341];
* Newcombe, treatment − control CTR = 0.10 [0.021525, 0.177312] (excludes zero);
* likes 12/200 − 10/200 = 0.01 [−0.036999, 0.057643]; hides 0/200 [0, 0.018845],
  4/200 [0.007804, 0.050287], difference −0.02 [−0.050287, 0.002447];
* mean dwell: control 3000 (s² = 4,666,666.67, n = 4) [882.997, 5117.003]; treatment 5000
  (s² = 1,000,000, n = 3) [3868.414, 6131.586]; difference 2000 ± z·√(s₁²/4 + s₂²/3) =
  [−400.456, 4400.456];
* totals, control CTR 30/220 = 0.136364 [0.097217, 0.187992].
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from backend.accounts.models import User
from backend.content.models import ContentItem, Creator
from backend.experiments.models import Experiment, Variant
from backend.experiments.results import experiment_results
from backend.experiments.statistics import newcombe_difference, sample_ratio_test, wilson_interval
from backend.interactions.models import Impression, Interaction

pytestmark = pytest.mark.django_db

STARTED = datetime(2026, 3, 1, tzinfo=UTC)
DAY1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY2 = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
_request_ids = itertools.count(1)


def close(estimate, value: float, low: float, high: float, tol: float = 1e-6) -> bool:
    return (
        abs(estimate.value - value) < tol
        and abs(estimate.low - low) < tol
        and abs(estimate.high - high) < tol
    )


def test_wilson_and_newcombe_by_hand():
    assert close(wilson_interval(30, 200), 0.15, 0.107136, 0.206056)
    assert close(newcombe_difference(50, 200, 30, 200), 0.10, 0.021525, 0.177312)
    assert close(wilson_interval(0, 200), 0.0, 0.0, 0.018845)
    assert wilson_interval(0, 0) is None


def test_sample_ratio_mismatch_is_flagged_below_one_in_a_thousand():
    # (100 − 130)² / 130 × 2 = 13.85 on 1 degree of freedom: p = 0.0002.
    broken = sample_ratio_test([100, 160], [0.5, 0.5])
    assert broken.mismatch and broken.chi_square == pytest.approx(13.846, abs=1e-3)
    assert not sample_ratio_test([100, 110], [0.5, 0.5]).mismatch
    # Shares need not sum to 1: 10% and 30% of the traffic is a 1 : 3 split.
    assert sample_ratio_test([100, 300], [0.1, 0.3]).p_value == pytest.approx(1.0)


@pytest.fixture
def items() -> list[ContentItem]:
    creator = Creator.objects.create(
        user=User.objects.create(username="maker"), display_name="Maker"
    )
    return [
        ContentItem.objects.create(creator=creator, title=f"Item {n}", published_at=STARTED)
        for n in range(2)
    ]


def _experiment() -> Experiment:
    experiment = Experiment.objects.create(
        name="ctr-test", status=Experiment.Status.RUNNING, started_at=STARTED
    )
    for name, control in (("control", True), ("treatment", False)):
        Variant.objects.create(
            experiment=experiment, name=name, is_control=control, traffic_share=0.5
        )
    return experiment


def _serve(users, items, label: str, at: datetime) -> list[Impression]:
    """A list of the two items for each user, shown at ``at``; the rows in order."""
    rows = []
    for user in users:
        request_id = f"{next(_request_ids):032x}"
        for position, item in enumerate(items):
            rows.append(
                Impression(
                    user=user,
                    item=item,
                    position=position,
                    method="hybrid",
                    variant=label,
                    request_id=request_id,
                    shown_at=at,
                )
            )
    return Impression.objects.bulk_create(rows)


def _follow(shown: list[Impression], kind: str, values=None, *, later=timedelta(minutes=2)):
    values = values or [None] * len(shown)
    Interaction.objects.bulk_create(
        Interaction(
            user_id=row.user_id,
            item_id=row.item_id,
            kind=kind,
            value=value,
            request_id=row.request_id,
            position=row.position,
            occurred_at=row.shown_at + later,
        )
        for row, value in zip(shown, values, strict=True)
    )


def _users(prefix: str, count: int) -> list[User]:
    return User.objects.bulk_create(User(username=f"{prefix}{n}") for n in range(count))


@pytest.fixture
def fixture(items) -> Experiment:
    experiment = _experiment()
    control_users, treated_users = _users("c", 100), _users("t", 100)
    control = _serve(control_users, items, "ctr-test:control", DAY1)
    treated = _serve(treated_users, items, "ctr-test:treatment", DAY1)
    _serve(control_users[:10], items, "ctr-test:control", DAY2)
    _serve(treated_users[:10], items, "ctr-test:treatment", DAY2)
    # Control: 30 opened (25 clicks, 5 views), and one of them opened twice: still one.
    _follow(control[:25], "click")
    _follow(control[25:30], "view")
    _follow(control[:1], "view", later=timedelta(minutes=5))
    _follow(control[30:40], "like")
    _follow(control[40:44], "hide")
    _follow(control[44:48], "dwell", [1000, 2000, 3000, 6000])
    _follow(treated[:50], "click")
    _follow(treated[50:62], "like")
    _follow(treated[62:65], "dwell", [4000, 5000, 6000])
    # Not attributed: acts without a request id, and a click on a list shown before the
    # experiment started, are not counted.
    Interaction.objects.create(
        user=control_users[99], item=items[0], kind="click", occurred_at=DAY1
    )
    early = _serve(control_users[:1], items, "ctr-test:control", STARTED - timedelta(days=1))
    _follow(early[:1], "click")
    return experiment


def test_results_per_variant_and_day_match_the_hand_computed_figures(fixture):
    results = experiment_results(fixture.pk)
    control, treated = results.variants
    assert (control.name, control.is_control, treated.name) == ("control", True, "treatment")
    assert [day.day for day in control.days] == [date(2026, 3, 2), date(2026, 3, 3)]
    first = control.days[0].metrics
    assert (first.impressions, first.clicks, first.likes, first.hides, first.dwells) == (
        200,
        30,
        10,
        4,
        4,
    )
    assert close(first.ctr, 0.15, 0.107136, 0.206056)
    assert close(first.hide_rate, 0.02, 0.007804, 0.050287)
    assert close(first.mean_dwell_ms, 3000, 882.9969, 5117.0031, tol=1e-3)
    day = treated.days[0]
    assert close(day.metrics.ctr, 0.25, 0.195082, 0.314341)
    assert close(day.metrics.mean_dwell_ms, 5000, 3868.4143, 6131.5857, tol=1e-3)
    versus = day.versus_control
    assert close(versus.ctr, 0.10, 0.021525, 0.177312) and versus.ctr.excludes_zero
    assert close(versus.like_rate, 0.01, -0.036999, 0.057643)
    assert close(versus.hide_rate, -0.02, -0.050287, 0.002447)
    assert close(versus.mean_dwell_ms, 2000, -400.4558, 4400.4558, tol=1e-3)
    assert not versus.mean_dwell_ms.excludes_zero
    # Day 2: shown, nothing followed.
    second = treated.days[1].metrics
    assert (second.impressions, second.clicks, second.mean_dwell_ms) == (20, 0, None)
    # Totals over both days.
    assert control.totals.impressions == 220
    assert close(control.totals.ctr, 30 / 220, 0.097217, 0.187992)
    assert control.versus_control is None and treated.versus_control.ctr.value > 0


def test_the_sample_ratio_check_counts_users(fixture, items):
    results = experiment_results(fixture.pk)
    assert [v.users for v in results.variants] == [100, 100]
    assert not results.sample_ratio.mismatch
    assert results.sample_ratio.p_value == pytest.approx(1.0)
    # 60 more users reach the treatment only: assignment is broken somewhere.
    _serve(_users("extra", 60), items, "ctr-test:treatment", DAY2)
    broken = experiment_results(fixture.pk).sample_ratio
    assert broken.mismatch and broken.p_value < 0.001


def test_a_draft_has_empty_results_and_an_unknown_experiment_is_refused(items):
    experiment = _experiment()
    Experiment.objects.filter(pk=experiment.pk).update(status="draft", started_at=None)
    results = experiment_results(experiment.pk)
    assert [v.totals.impressions for v in results.variants] == [0, 0]
    assert results.variants[0].totals.ctr is None and not results.sample_ratio.mismatch
    with pytest.raises(ValidationError, match="No experiment with id 999999"):
        experiment_results(999_999)
