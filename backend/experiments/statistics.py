"""The intervals and tests of experiment results, from counts and sums alone.

* A proportion (CTR, like rate, hide rate): the **Wilson score interval**, which stays
  inside [0, 1] and keeps its coverage for small counts and rates near 0, where the
  normal ("Wald") interval fails.
* A difference of two proportions (variant minus control): **Newcombe's hybrid score
  interval** (Newcombe 1998, method 10), built from the two Wilson intervals: ``d -
  sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.
* A mean (dwell time): the normal interval ``mean ± z·s/√n`` with the sample variance
  from the sum and the sum of squares; the difference of two means: the normal
  approximation with unpooled variances (Welch's standard error), ``d ± z·√(s1²/n1 +
  s2²/n2)``. Both need two observations per arm at least.
* Sample ratio mismatch: Pearson's chi-square of the users seen per variant against the
  configured shares (``scipy.stats.chisquare``), flagged below ``SRM_ALPHA`` = 0.001: a
  healthy experiment is flagged once in a thousand checks, so a flag means the assignment
  or the logging is broken rather than bad luck.

All intervals are 95%, two-sided.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from scipy.stats import chisquare

__all__ = [
    "CONFIDENCE",
    "SRM_ALPHA",
    "Estimate",
    "SampleRatioTest",
    "mean_difference",
    "mean_interval",
    "newcombe_difference",
    "sample_ratio_test",
    "wilson_interval",
]

CONFIDENCE = 0.95
SRM_ALPHA = 0.001
Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)  # 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A value with its 95% interval."""

    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def wilson_interval(successes: int, trials: int) -> Estimate | None:
    """The proportion ``successes / trials`` with its Wilson score interval."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = Z * Z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = Z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half))


def newcombe_difference(
    successes: int, trials: int, control_successes: int, control_trials: int
) -> Estimate | None:
    """``p - p_control`` with Newcombe's hybrid score interval."""
    arm = wilson_interval(successes, trials)
    control = wilson_interval(control_successes, control_trials)
    if arm is None or control is None:
        return None
    difference = arm.value - control.value
    low = difference - math.hypot(arm.value - arm.low, control.high - control.value)
    high = difference + math.hypot(arm.high - arm.value, control.value - control.low)
    return Estimate(difference, low, high)


def _mean_and_variance(count: int, total: float, squares: float) -> tuple[float, float] | None:
    if count < 2:
        return None
    mean = total / count
    # max(): rounding can take a zero variance a hair below zero
    variance = max(0.0, (squares - total * total / count) / (count - 1))
    return mean, variance


def mean_interval(count: int, total: float, squares: float) -> Estimate | None:
    """The mean of ``count`` values from their sum and sum of squares, with the normal
    interval; ``None`` below two values."""
    moments = _mean_and_variance(count, total, squares)
    if moments is None:
        return None
    mean, variance = moments
    half = Z * math.sqrt(variance / count)
    return Estimate(mean, mean - half, mean + half)


def mean_difference(
    arm: tuple[int, float, float], control: tuple[int, float, float]
) -> Estimate | None:
    """``mean - mean_control`` from (count, sum, sum of squares) of each, with the normal
    interval of unpooled variances."""
    ours, theirs = _mean_and_variance(*arm), _mean_and_variance(*control)
    if ours is None or theirs is None:
        return None
    difference = ours[0] - theirs[0]
    half = Z * math.sqrt(ours[1] / arm[0] + theirs[1] / control[0])
    return Estimate(difference, difference - half, difference + half)


@dataclass(frozen=True)
class SampleRatioTest:
    """Users seen per variant against the configured shares."""

    chi_square: float
    p_value: float
    mismatch: bool


def sample_ratio_test(observed: Sequence[int], shares: Sequence[float]) -> SampleRatioTest | None:
    """Pearson's chi-square of ``observed`` against ``shares`` (scaled to the total);
    ``None`` with fewer than two variants or no users yet."""
    total = sum(observed)
    if len(observed) < 2 or total == 0:
        return None
    scale = total / sum(shares)
    result = chisquare(list(observed), f_exp=[share * scale for share in shares])
    p_value = float(result.pvalue)
    return SampleRatioTest(float(result.statistic), p_value, p_value < SRM_ALPHA)
