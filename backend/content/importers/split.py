"""The side files of a temporal split next to its ``train.txt``: ``items.tsv`` (``item_id``
plus any of ``title``, ``year``, ``release_date``, ``genres``, ``tags``; lists
``|``-separated) and ``train_interactions.tsv`` (``user_id item_id rating timestamp``: real
ratings and times for the pairs of ``train.txt``). ``users.tsv`` is not read: the platform
has no place for demographics."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backend.content.importers.checks import MAX_DENSE_ITEMS
from backend.content.importers.dataset import (
    DatasetError,
    Origin,
    Problems,
    Source,
    genre_list,
    year_in_title,
)
from backend.content.importers.files import Column, csv_table, integer_problem, read_table

__all__ = ["Catalogue", "read_item_table", "read_split_ratings"]

SPLIT_RATINGS_HEADER = ["user_id", "item_id", "rating", "timestamp"]
SPLIT_RATINGS = [
    Column("user_id", integer=True),
    Column("item_id", integer=True),
    Column("rating"),
    Column("timestamp"),
]


class Catalogue:
    """Items numbered by row, with their metadata and the line each was described on."""

    def __init__(self, source: Source) -> None:
        self.titles: list[str] = []
        self.years: list[int | None] = []
        self.genres: list[list[str]] = []
        self.tags: list[list[str]] = []
        self.sources = [source]
        self.source: list[int] = []
        self.line: list[int] = []

    @classmethod
    def placeholders(cls, size: int, source: Source) -> Catalogue:
        """``size`` items titled ``Item <n>``, described nowhere yet (line 0 of ``source``)."""
        catalogue = cls(source)
        catalogue.grow(size)
        return catalogue

    @property
    def size(self) -> int:
        return len(self.titles)

    def grow(self, size: int) -> None:
        extra = range(self.size, size)
        self.titles += [f"Item {k}" for k in extra]
        self.years += [None] * len(extra)
        self.genres += [[] for _ in extra]
        self.tags += [[] for _ in extra]
        self.source += [0] * len(extra)
        self.line += [0] * len(extra)

    def name(self, item: int, title: str, source: Source, line: int) -> None:
        if source not in self.sources:
            self.sources.append(source)
        self.titles[item] = title
        self.source[item] = self.sources.index(source)
        self.line[item] = line

    def origin(self) -> Origin:
        return Origin(
            self.sources,
            np.array(self.source, dtype=np.int8),
            np.array(self.line, dtype=np.int64),
        )


def read_item_table(file: Path, catalogue: Catalogue) -> None:
    """Titles, years, genres and tags from ``items.tsv``; items it adds extend the catalogue."""
    header, rows = csv_table(file, None, delimiter="\t")
    if "item_id" not in header:
        raise DatasetError(f"{file.name} line 1: expected an item_id column.")
    problems = Problems()
    source = Source(file.name)
    first: dict[int, int] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            problems.add(file.name, line, f"expected {len(header)} fields, found {len(fields)}")
            continue
        row = dict(zip(header, fields, strict=True))
        reason = _item_id_problem(row["item_id"])
        item = -1 if reason else int(row["item_id"])
        if item in first:
            reason = f"item_id {item} is listed twice (first on line {first[item]})"
        if reason:
            problems.add(file.name, line, reason)
            continue
        first[item] = line
        if item >= catalogue.size:
            catalogue.grow(item + 1)
        title = (row.get("title") or "").strip() or catalogue.titles[item]
        catalogue.name(item, title, source, line)
        catalogue.years[item] = _year(row, title)
        catalogue.genres[item] = genre_list(row.get("genres") or "")
        catalogue.tags[item] = [t.strip() for t in (row.get("tags") or "").split("|") if t.strip()]
    problems.raise_if_any()


def _item_id_problem(value: str) -> str | None:
    reason = integer_problem(value, "item_id")
    if reason is None and int(value) >= MAX_DENSE_ITEMS:
        reason = f"item_id {int(value)} is beyond the {MAX_DENSE_ITEMS:,} items a catalogue "
        reason += "numbered by row may hold"
    return reason


def _year(row: dict[str, str], title: str) -> int | None:
    year = (row.get("year") or "").strip()
    date = (row.get("release_date") or "").strip()
    if year.isascii() and year.isdigit():
        return int(year)
    if date[-4:].isascii() and date[-4:].isdigit():
        return int(date[-4:])
    return year_in_title(title)


def read_split_ratings(
    file: Path,
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    times: np.ndarray,
    origin: Origin,
) -> int:
    """Fill in the ratings and times ``file`` gives for the pairs of ``train.txt``; those
    pairs are then judged by, and refused with, the line of ``file`` they came from."""
    table, lines = read_table(file, SPLIT_RATINGS, "\t", header=SPLIT_RATINGS_HEADER)
    lookup = {
        pair: k
        for k, pair in enumerate(
            zip(table["user_id"].tolist(), table["item_id"].tolist(), strict=True)
        )
    }
    rows = [lookup.get(pair, -1) for pair in zip(users.tolist(), items.tolist(), strict=True)]
    hits = np.array(rows, dtype=np.int64)
    matched = hits >= 0
    source = Source(file.name, rated=True)
    origin.sources.append(source)
    ratings[matched] = table["rating"][hits[matched]]
    times[matched] = table["timestamp"][hits[matched]]
    origin.source[matched] = len(origin.sources) - 1
    origin.line[matched] = lines[hits[matched]]
    return int(matched.sum())
