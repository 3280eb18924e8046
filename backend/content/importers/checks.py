"""The checks every dataset passes before anything is written, whatever its format.

Ids must be non-negative int64 (they become usernames and item keys), ratings finite and
on the 0..5 star scale the like/view mapping assumes, times within 1970..2100 and
release dates within 1800..2100, and every text must be storable: valid Unicode (no lone
surrogates) without NUL, which PostgreSQL refuses. A refusal names the first bad rows by
file and line; nothing has been written when it is raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from backend.content.importers.dataset import (
    SHOWN_PROBLEMS,
    Dataset,
    DatasetError,
    Origin,
    Problem,
    Source,
)
from backend.content.importers.files import integer_problem

__all__ = ["check_dataset", "check_dense_ids", "check_prefix", "map_items"]

RATING_RANGE = (0.0, 5.0)
EARLIEST_TIME = 0  # 1970-01-01 UTC
LATEST_TIME = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
EARLIEST_RELEASE = int(datetime(1800, 1, 1, tzinfo=UTC).timestamp())
# Datasets that number items by row (LightGCN) get one item per number up to the largest:
# a stray huge number would otherwise allocate a catalogue of billions.
MAX_DENSE_ITEMS = 10_000_000
PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}", re.ASCII)

Found = tuple[list[Problem], int]


def check_dataset(dataset: Dataset) -> None:
    """Refuse the dataset if any row is bad; then store its times as int64 seconds."""
    check_prefix(dataset.prefix)
    if _text_problem(dataset.label):
        raise DatasetError(f"The dataset's name {dataset.label!r} {_text_problem(dataset.label)}.")
    if not len(dataset.user_keys):
        raise DatasetError(f"The {dataset.label} dataset holds no interactions.")
    problems: list[Problem] = []
    total = 0
    for found, count in (
        *_interaction_problems(dataset),
        *_item_problems(dataset),
        _text_problems(dataset),
    ):
        problems += found
        total += count
    if total:
        raise DatasetError.refuse(problems, total)
    dataset.times = np.floor(dataset.times).astype(np.int64)


def check_prefix(prefix: str) -> None:
    if not PREFIX.fullmatch(prefix):
        raise DatasetError(
            f"--prefix {prefix!r}: use 1 to 64 letters, digits or . _ + - (starting with a "
            "letter or digit)."
        )


def check_dense_ids(values: np.ndarray, origin: Origin, what: str) -> None:
    """Refuse row-number ids that are negative or would make the catalogue absurdly large."""
    found = [
        _rows(origin, values < 0, lambda r: f"{what} {values[r]} is negative"),
        _rows(
            origin,
            values >= MAX_DENSE_ITEMS,
            lambda r: (
                f"{what} {values[r]} is beyond the {MAX_DENSE_ITEMS:,} items a catalogue "
                "numbered by row may hold"
            ),
        ),
    ]
    _raise_if_any(found)


def map_items(raw: np.ndarray, index: dict[str, int], origin: Origin, item_file: str) -> np.ndarray:
    """Item positions for the dataset's item ids; ids missing from ``item_file`` are refused."""
    unique, inverse = np.unique(raw, return_inverse=True)
    mapped = np.array([index.get(str(k), -1) for k in unique.tolist()], dtype=np.int64)
    positions = mapped[inverse]
    missing = positions < 0
    _raise_if_any([_rows(origin, missing, lambda r: f"item {raw[r]} is not in {item_file}")])
    return positions


def _interaction_problems(dataset: Dataset) -> list[Found]:
    origin = dataset.origin or Origin.of(_unknown(dataset), np.zeros(len(dataset.user_keys)))
    users, items = dataset.user_keys, dataset.item_index
    ratings = np.asarray(dataset.ratings, dtype=np.float64)
    times = np.asarray(dataset.times, dtype=np.float64)
    rated = np.array([s.rated for s in origin.sources])[origin.source]
    n_items = len(dataset.item_keys)
    low, high = RATING_RANGE
    finite_time = np.isfinite(times)
    return [
        _rows(origin, users < 0, lambda r: f"user id {users[r]} is negative"),
        _rows(
            origin,
            (items < 0) | (items >= n_items),
            lambda r: f"item {items[r]} is not in the catalogue of {n_items:,} items",
        ),
        _rows(origin, rated & np.isnan(ratings), lambda r: "the rating is missing (nan)"),
        _rows(origin, rated & np.isinf(ratings), lambda r: f"rating {ratings[r]} is not finite"),
        _rows(
            origin,
            rated & np.isfinite(ratings) & ((ratings < low) | (ratings > high)),
            lambda r: f"rating {ratings[r]:g} is outside {low:g}..{high:g}",
        ),
        _rows(origin, ~finite_time, lambda r: f"time {times[r]} is not a finite number"),
        _rows(
            origin,
            finite_time & ((times < EARLIEST_TIME) | (times >= LATEST_TIME)),
            lambda r: (
                f"time {times[r]:g} is outside 1970-01-01..2100-01-01 "
                f"(unix seconds {EARLIEST_TIME}..{LATEST_TIME - 1})"
            ),
        ),
    ]


def _item_problems(dataset: Dataset) -> list[Found]:
    n = len(dataset.item_keys)
    origin = dataset.item_origin or Origin.of(_unknown(dataset), np.zeros(n))
    if n > MAX_DENSE_ITEMS:
        raise DatasetError(
            f"The {dataset.label} catalogue has {n:,} items; at most "
            f"{MAX_DENSE_ITEMS:,} can be imported."
        )
    reasons: list[str | None] = [integer_problem(key, "item id") for key in dataset.item_keys]
    first: dict[str, int] = {}
    for i, key in enumerate(dataset.item_keys):
        seen = first.setdefault(key, i)
        if seen != i and reasons[i] is None:
            reasons[i] = f"item id {key} is listed twice (first on line {origin.line[seen]})"
        released = dataset.released[i]
        if (
            released is not None
            and reasons[i] is None
            and not (EARLIEST_RELEASE <= released < LATEST_TIME)
        ):
            reasons[i] = "the release date lies outside 1800..2100"
    bad = np.array([r is not None for r in reasons], dtype=bool)
    return [_rows(origin, bad, lambda r: reasons[r] or "")]


def _text_problems(dataset: Dataset) -> Found:
    origin = dataset.item_origin or Origin.of(_unknown(dataset), np.zeros(len(dataset.titles)))
    problems: list[Problem] = []
    total = 0
    fields = zip(dataset.titles, dataset.genres, dataset.tags, strict=True)
    for i, (title, genres, tags) in enumerate(fields):
        named = [("title", title)] + [("genre", g) for g in genres] + [("tag", t) for t in tags]
        for what, text in named:
            reason = _text_problem(text)
            if reason is None:
                continue
            total += 1
            if len(problems) < SHOWN_PROBLEMS:
                where = dataset.tag_origin.get(text) if what == "tag" else None
                shown = f"{what} {_clip(text)} {reason}"
                problems.append(
                    Problem(where[0], where[1], shown) if where else origin.problem(i, shown)
                )
    return problems, total


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    return None


def _rows(origin: Origin, bad: np.ndarray, reason: Callable[[int], str]) -> Found:
    """The first bad rows by file and line, and how many there are."""
    rows = np.flatnonzero(bad)
    if rows.size > SHOWN_PROBLEMS:
        order = np.lexsort((origin.line[rows], origin.source[rows]))
        rows = rows[order[:SHOWN_PROBLEMS]]
    return [origin.problem(int(r), reason(int(r))) for r in rows.tolist()], int(bad.sum())


def _raise_if_any(found: list[Found]) -> None:
    total = sum(count for _, count in found)
    if total:
        raise DatasetError.refuse([p for problems, _ in found for p in problems], total)


def _unknown(dataset: Dataset) -> Source:
    """The source of rows whose dataset does not say where they came from."""
    return Source(f"the {dataset.label} dataset", rated=dataset.format != "lightgcn")


def _clip(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "...")
