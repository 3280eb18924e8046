"""The bandit as staff read it: posterior means, 95% intervals and slot shares against
values worked out by hand, and the history carried forward across counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scipy import stats

from backend.interactions.models import Impression, Interaction, InteractionKind
from backend.recommendations import bandit, source_shares
from backend.recommendations.models import SourceArm, SourceArmSnapshot
from backend.recommendations.source_shares import ArmState, current_shares, share_history
from backend.recommendations.sources import SOURCES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
READER = 1101  # a cooking reader of the fixture platform


def _arms(*pairs: tuple[float, float]) -> list[ArmState]:
    return [ArmState(source, a, b) for source, (a, b) in zip(SOURCES, pairs, strict=True)]


def test_uniform_priors_share_equally_with_the_uniform_interval() -> None:
    shares = source_shares.shares_of(_arms(*[(1.0, 1.0)] * 5))
    for share in shares:
        assert share.mean == 0.5
        # Beta(1, 1) is uniform: its 2.5% and 97.5% quantiles are 0.025 and 0.975.
        assert share.low == pytest.approx(0.025)
        assert share.high == pytest.approx(0.975)
        assert share.slot_share == pytest.approx(0.2, abs=1e-9)


def test_slot_share_is_the_chance_of_the_best_draw() -> None:
    # X ~ Beta(2, 1) (density 2x) against four uniforms: P(X is largest) is the integral
    # of 2x * x^4 over 0..1, 1/3; the uniforms split the rest, 1/6 each.
    shares = source_shares.shares_of(_arms((2.0, 1.0), *[(1.0, 1.0)] * 4))
    assert shares[0].slot_share == pytest.approx(1 / 3, abs=1e-3)
    for share in shares[1:]:
        assert share.slot_share == pytest.approx(1 / 6, abs=1e-3)
    assert shares[0].mean == pytest.approx(2 / 3)
    # Beta(2, 1) has distribution function x^2: its quantile q is sqrt(q).
    assert shares[0].low == pytest.approx(0.025**0.5)
    assert shares[0].high == pytest.approx(0.975**0.5)


def test_a_well_measured_better_source_takes_nearly_every_slot() -> None:
    # Narrow posteriors (a million impressions each) must still be resolved.
    measured = [(120_001.0, 880_001.0), (100_001.0, 900_001.0), (80_001.0, 920_001.0)]
    arms = _arms(*measured, (1.0, 1.0), (1.0, 1.0))
    shares = source_shares.shares_of(arms)
    # The two unmeasured sources beat 0.12 with chance 0.88 each; graph wins only when
    # both fall below it: 0.12^2 (its own spread is negligible beside theirs).
    assert shares[0].slot_share == pytest.approx(0.12**2, rel=1e-2)
    assert shares[1].slot_share < 1e-6 and shares[2].slot_share < 1e-6
    assert sum(s.slot_share for s in shares) == pytest.approx(1.0)
    low, high = stats.beta.ppf([0.025, 0.975], 120_001.0, 880_001.0)
    assert (shares[0].low, shares[0].high) == pytest.approx((low, high))
    assert shares[0].low < 0.12 < shares[0].high


def _served(request_id: str, sources: list[str], at: datetime) -> None:
    Impression.objects.bulk_create(
        [
            Impression(
                user_id=READER,
                item_id=1001 + position,
                position=position,
                method="hybrid",
                request_id=request_id,
                shown_at=at,
                source=source,
            )
            for position, source in enumerate(sources)
        ]
    )


@pytest.mark.django_db
def test_current_shares_read_the_arms_counted_from_outcomes(platform) -> None:
    _served("c" * 32, ["graph", "graph", "trending"], T0)
    Interaction.objects.create(
        user_id=READER,
        item_id=1001,
        kind=InteractionKind.CLICK,
        request_id="c" * 32,
        position=0,
        occurred_at=T0 + timedelta(minutes=1),
    )
    bandit.count_outcomes(settle_s=0, now=T0 + timedelta(hours=1))
    shares, updated = current_shares()
    by_source = {s.source: s for s in shares}
    assert [s.source for s in shares] == list(SOURCES)
    assert (by_source["graph"].alpha, by_source["graph"].beta) == (2.0, 2.0)
    assert (by_source["graph"].shown, by_source["graph"].engaged) == (2, 1)
    assert (by_source["trending"].alpha, by_source["trending"].beta) == (1.0, 2.0)
    assert (by_source["content"].alpha, by_source["content"].beta) == (1.0, 1.0)  # the prior
    assert by_source["content"].shown == 0
    assert updated == T0 + timedelta(hours=1)
    assert source_shares.segments() == [""]


@pytest.mark.django_db
def test_the_history_carries_a_source_forward_when_a_count_skips_it() -> None:
    def snap(at: datetime, source: str, alpha: float, beta: float, segment: str = "") -> None:
        SourceArmSnapshot.objects.create(
            taken_at=at, source=source, segment=segment, alpha=alpha, beta=beta
        )

    t1, t2, t3 = T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    snap(t1, "graph", 2, 5)
    snap(t1, "content", 3, 3)
    snap(t2, "graph", 4, 9)
    snap(t3, "content", 6, 4)
    snap(t3, "graph", 50, 50, segment="trending")  # another segment: not in this history
    history = share_history()
    assert [point.taken_at for point in history] == [t1, t2, t3]

    def pairs(point) -> dict[str, tuple[float, float]]:
        return {s.source: (s.alpha, s.beta) for s in point.shares}

    assert pairs(history[0])["graph"] == (2, 5) and pairs(history[0])["trending"] == (1, 1)
    assert pairs(history[1])["graph"] == (4, 9) and pairs(history[1])["content"] == (3, 3)
    assert pairs(history[2])["graph"] == (4, 9) and pairs(history[2])["content"] == (6, 4)
    # The window is the latest counts; what came before it still seeds every source.
    latest = share_history(limit=2)
    assert [point.taken_at for point in latest] == [t2, t3]
    assert pairs(latest[0])["content"] == (3, 3)
    assert [p.taken_at for p in share_history("trending")] == [t3]
    assert share_history("nobody") == []


@pytest.mark.django_db
def test_history_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="limit must be 1 to 500"):
        share_history(limit=0)
    with pytest.raises(ValueError):
        share_history(limit=501)
    assert SourceArm.objects.count() == 0
