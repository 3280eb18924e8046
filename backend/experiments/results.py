"""Experiment results: per variant and per day, impressions and what followed them, with
95% intervals, the difference to the control, and a sample-ratio check.

An outcome counts for the impression it was attributed to (same request id, user and
item; ``Interaction.request_id``), never for one guessed from times. Per impression:

* **clicked**: an attributed click or view (opening the item from the list) followed it;
* **liked** / **hidden**: an attributed like / hide followed it;
* **dwell**: the attributed dwell time (milliseconds, summed over its dwell events); the
  mean dwell is over the impressions that have one.

CTR, like rate and hide rate are shares of impressions with a Wilson interval; their
differences to the control have Newcombe's interval; the mean dwell and its difference
have normal intervals (``statistics``). The sample-ratio check compares the users seen in
each variant with the configured shares: a user is the unit of assignment, so users, not
impressions (which a heavy user multiplies), are what the shares split.

Everything is aggregated by the database: one statement for variant × day and one for the
users per variant, both bounded to the experiment's running time and served by two
indexes of ``Impression`` (``interactions/models.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from backend.experiments.models import Experiment
from backend.experiments.statistics import (
    Estimate,
    SampleRatioTest,
    mean_difference,
    mean_interval,
    newcombe_difference,
    sample_ratio_test,
    wilson_interval,
)
from backend.interactions.models import Impression, Interaction

__all__ = [
    "Comparison",
    "DayResult",
    "ExperimentResults",
    "Metrics",
    "VariantResult",
    "experiment_results",
]

CLICK_KINDS = ("click", "view")
ANALYTICS_WORK_MEM = "64MB"


@dataclass(frozen=True)
class Counts:
    """What the database sums for one variant (and day)."""

    impressions: int = 0
    clicks: int = 0
    likes: int = 0
    hides: int = 0
    dwells: int = 0
    dwell_sum: float = 0.0
    dwell_squares: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple:
        return (
            self.impressions,
            self.clicks,
            self.likes,
            self.hides,
            self.dwells,
            self.dwell_sum,
            self.dwell_squares,
        )

    @property
    def dwell_moments(self) -> tuple[int, float, float]:
        return self.dwells, self.dwell_sum, self.dwell_squares


@dataclass(frozen=True)
class Metrics:
    """Impressions and the rates of what followed them, each with its 95% interval (null
    without impressions, or a mean dwell with fewer than two dwell times)."""

    impressions: int
    clicks: int
    likes: int
    hides: int
    dwells: int
    ctr: Estimate | None
    like_rate: Estimate | None
    hide_rate: Estimate | None
    mean_dwell_ms: Estimate | None


@dataclass(frozen=True)
class Comparison:
    """A variant minus the control, each with its 95% interval: Newcombe's for the rates,
    the normal approximation (unpooled variances) for the mean dwell."""

    ctr: Estimate | None
    like_rate: Estimate | None
    hide_rate: Estimate | None
    mean_dwell_ms: Estimate | None


@dataclass(frozen=True)
class DayResult:
    """One variant's metrics on one UTC day, and its difference to the control that day."""

    day: date
    metrics: Metrics
    versus_control: Comparison | None


@dataclass(frozen=True)
class VariantResult:
    """One variant over the whole experiment, and day by day."""

    name: str
    label: str
    is_control: bool
    traffic_share: float
    users: int
    totals: Metrics
    versus_control: Comparison | None
    days: tuple[DayResult, ...]


@dataclass(frozen=True)
class SampleRatio:
    """The users seen per variant against the configured shares (Pearson's chi-square);
    ``mismatch`` when p < 0.001: the assignment or the logging is broken, and the
    differences are not to be trusted."""

    chi_square: float | None
    p_value: float | None
    mismatch: bool


@dataclass(frozen=True)
class ExperimentResults:
    """An experiment's results, variant by variant, with its sample-ratio check."""

    experiment_id: int
    name: str
    status: str
    started_at: datetime | None
    stopped_at: datetime | None
    variants: tuple[VariantResult, ...]
    sample_ratio: SampleRatio


def _metrics(counts: Counts) -> Metrics:
    n = counts.impressions
    return Metrics(
        impressions=n,
        clicks=counts.clicks,
        likes=counts.likes,
        hides=counts.hides,
        dwells=counts.dwells,
        ctr=wilson_interval(counts.clicks, n),
        like_rate=wilson_interval(counts.likes, n),
        hide_rate=wilson_interval(counts.hides, n),
        mean_dwell_ms=mean_interval(*counts.dwell_moments),
    )


def _comparison(arm: Counts, control: Counts) -> Comparison:
    n, m = arm.impressions, control.impressions
    return Comparison(
        ctr=newcombe_difference(arm.clicks, n, control.clicks, m),
        like_rate=newcombe_difference(arm.likes, n, control.likes, m),
        hide_rate=newcombe_difference(arm.hides, n, control.hides, m),
        mean_dwell_ms=mean_difference(arm.dwell_moments, control.dwell_moments),
    )


def _window(experiment: Experiment) -> tuple[str, list]:
    """The SQL bound of the experiment's running time on impressions, and its params."""
    if experiment.stopped_at is None:
        return "imp.shown_at >= %s", [experiment.started_at]
    return "imp.shown_at >= %s AND imp.shown_at <= %s", [
        experiment.started_at,
        experiment.stopped_at,
    ]


def _daily_counts(experiment: Experiment, labels: list[str]) -> dict[str, dict[date, Counts]]:
    """Counts per variant label and UTC day, in one statement of two parts: impressions
    per variant and day (the ``impression_variant_time`` index alone), and outcomes per
    impression joined to their list by request id and user (one row per served list:
    ``impression_served_list``), so that the outcomes cost what there are of them and of
    lists, not what there are of impressions. That an outcome's item was in its list was
    checked when it was recorded (``record_interactions``)."""
    impressions = connection.ops.quote_name(Impression._meta.db_table)
    interactions = connection.ops.quote_name(Interaction._meta.db_table)
    day_sql, day_params = connection.ops.datetime_cast_date_sql("imp.shown_at", (), "UTC")
    window, window_params = _window(experiment)
    marks = ", ".join(["%s"] * len(labels))
    clicks = ", ".join(["%s"] * len(CLICK_KINDS))
    sql = f"""
        SELECT variant, day, SUM(shown), SUM(clicked), SUM(liked), SUM(hidden),
               SUM(dwells), SUM(dwell), SUM(dwell_squares)
        FROM (
            SELECT imp.variant AS variant, {day_sql} AS day, COUNT(*) AS shown,
                   0 AS clicked, 0 AS liked, 0 AS hidden, 0 AS dwells,
                   0.0 AS dwell, 0.0 AS dwell_squares
            FROM {impressions} imp
            WHERE imp.variant IN ({marks}) AND {window}
            GROUP BY imp.variant, {day_sql}
            UNION ALL
            SELECT imp.variant, {day_sql}, 0, SUM(o.clicked), SUM(o.liked), SUM(o.hidden),
                   COUNT(o.dwell), COALESCE(SUM(o.dwell), 0), COALESCE(SUM(o.dwell * o.dwell), 0)
            FROM (
                SELECT request_id, user_id, item_id,
                       MAX(CASE WHEN kind IN ({clicks}) THEN 1 ELSE 0 END) AS clicked,
                       MAX(CASE WHEN kind = %s THEN 1 ELSE 0 END) AS liked,
                       MAX(CASE WHEN kind = %s THEN 1 ELSE 0 END) AS hidden,
                       SUM(CASE WHEN kind = %s THEN value END) AS dwell
                FROM {interactions}
                WHERE request_id <> '' AND occurred_at >= %s
                GROUP BY request_id, user_id, item_id
            ) o
            JOIN {impressions} imp
              ON imp.request_id = o.request_id AND imp.user_id = o.user_id AND imp.position = 0
            WHERE imp.variant IN ({marks}) AND {window}
            GROUP BY imp.variant, {day_sql}
        ) parts
        GROUP BY variant, day
    """
    params = [
        *day_params,
        *labels,
        *window_params,
        *day_params,
        *day_params,
        *CLICK_KINDS,
        "like",
        "hide",
        "dwell",
        experiment.started_at,
        *labels,
        *window_params,
        *day_params,
    ]
    found: dict[str, dict[date, Counts]] = {label: {} for label in labels}
    with _analytics() as cursor:
        cursor.execute(sql, params)
        for label, day, *sums in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            found[label][day] = Counts(*(int(v) for v in sums[:5]), *map(float, sums[5:]))
    return found


def _users(experiment: Experiment, labels: list[str]) -> dict[str, int]:
    """Distinct users shown each variant, from the first row of each served list."""
    impressions = connection.ops.quote_name(Impression._meta.db_table)
    window, window_params = _window(experiment)
    marks = ", ".join(["%s"] * len(labels))
    sql = f"""
        SELECT variant, COUNT(*) FROM (
            SELECT DISTINCT imp.variant AS variant, imp.user_id FROM {impressions} imp
            WHERE imp.position = 0 AND imp.variant IN ({marks}) AND {window}
        ) seen
        GROUP BY variant
    """
    with _analytics() as cursor:
        cursor.execute(sql, [*labels, *window_params])
        return {label: int(users) for label, users in cursor.fetchall()}


@contextmanager
def _analytics() -> Iterator[CursorWrapper]:
    """A cursor for one aggregation: on PostgreSQL with ``work_mem`` raised for its
    transaction, so that hashing a few hundred thousand outcomes stays in memory instead
    of sorting on disk (this runs for staff, rarely, not per request)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{ANALYTICS_WORK_MEM}'")
        yield cursor


def experiment_results(experiment_id: int) -> ExperimentResults:
    """The results of the experiment (a draft has none yet: every count is zero)."""
    experiment = Experiment.objects.filter(pk=experiment_id).first()
    if experiment is None:
        raise ValidationError({"experiment_id": [f"No experiment with id {experiment_id}."]})
    variants = list(experiment.variants.all())
    labels = [f"{experiment.name}:{v.name}" for v in variants]
    started = experiment.started_at is not None
    daily = _daily_counts(experiment, labels) if started else {label: {} for label in labels}
    users = _users(experiment, labels) if started else {}
    control = next(v for v in variants if v.is_control)
    control_daily = daily[f"{experiment.name}:{control.name}"]
    control_total = sum(control_daily.values(), Counts())
    results = []
    for variant, label in zip(variants, labels, strict=True):
        total = sum(daily[label].values(), Counts())
        days = tuple(
            DayResult(
                day,
                _metrics(counts),
                None
                if variant.is_control
                else _comparison(counts, control_daily.get(day, Counts())),
            )
            for day, counts in sorted(daily[label].items())
        )
        results.append(
            VariantResult(
                name=variant.name,
                label=label,
                is_control=variant.is_control,
                traffic_share=variant.traffic_share,
                users=users.get(label, 0),
                totals=_metrics(total),
                versus_control=None if variant.is_control else _comparison(total, control_total),
                days=days,
            )
        )
    test = sample_ratio_test(
        [users.get(label, 0) for label in labels], [v.traffic_share for v in variants]
    )
    return ExperimentResults(
        experiment_id=experiment.pk,
        name=experiment.name,
        status=experiment.status,
        started_at=experiment.started_at,
        stopped_at=experiment.stopped_at,
        variants=tuple(results),
        sample_ratio=_sample_ratio(test),
    )


def _sample_ratio(test: SampleRatioTest | None) -> SampleRatio:
    if test is None:
        return SampleRatio(chi_square=None, p_value=None, mismatch=False)
    return SampleRatio(chi_square=test.chi_square, p_value=test.p_value, mismatch=test.mismatch)
