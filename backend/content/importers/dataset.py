"""A dataset in memory, where each of its rows came from, and the refusal of bad rows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Dataset",
    "DatasetError",
    "Origin",
    "Problem",
    "Problems",
    "Source",
    "genre_list",
    "year_in_title",
]

# Problems shown in a refusal; the rest are counted.
SHOWN_PROBLEMS = 10
NO_GENRE = {"(no genres listed)", "unknown", ""}
YEAR_IN_TITLE = re.compile(r"\((\d{4})\)\s*$")


@dataclass(frozen=True, order=True)
class Problem:
    """One bad row: the file, its line (1-based; 0 when the file as a whole is wrong), why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file} line {self.line}: {self.reason}"
        return f"{self.file}: {self.reason}"


class DatasetError(Exception):
    """The dataset cannot be imported: missing files, unknown format, bad rows.

    ``problems`` lists the bad rows found (file and line), at most ``SHOWN_PROBLEMS`` of them;
    ``total`` counts them all.
    """

    def __init__(self, message: str, problems: Iterable[Problem] = (), total: int = 0) -> None:
        self.problems = sorted(problems)[:SHOWN_PROBLEMS]
        self.total = max(total, len(self.problems))
        lines = [message, *(f"  {p}" for p in self.problems)]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems):,} more")
        super().__init__("\n".join(lines))

    @classmethod
    def refuse(cls, problems: list[Problem], total: int | None = None) -> DatasetError:
        total = len(problems) if total is None else total
        files = ", ".join(dict.fromkeys(p.file for p in sorted(problems)))
        noun = "bad row" if total == 1 else "bad rows"
        return cls(f"Refused {files}: {total:,} {noun}; nothing was written.", problems, total)


class Problems:
    """Bad rows found while reading a file: the first few kept, all of them counted."""

    def __init__(self) -> None:
        self.found: list[Problem] = []
        self.total = 0

    def add(self, file: str, line: int, reason: str) -> None:
        self.total += 1
        if len(self.found) < SHOWN_PROBLEMS:
            self.found.append(Problem(file, line, reason))

    def raise_if_any(self) -> None:
        if self.total:
            raise DatasetError.refuse(self.found, self.total)


@dataclass(frozen=True)
class Source:
    """A file rows are read from; ``rated`` when each of its rows carries a rating."""

    name: str
    rated: bool = False


@dataclass
class Origin:
    """Where each row came from: an index into ``sources`` and a line number, per row."""

    sources: list[Source]
    source: np.ndarray  # int8, index into sources
    line: np.ndarray  # int64, 1-based

    @classmethod
    def of(cls, source: Source, lines: np.ndarray) -> Origin:
        lines = np.asarray(lines, dtype=np.int64)
        return cls([source], np.zeros(len(lines), dtype=np.int8), lines)

    def take(self, keep: np.ndarray) -> Origin:
        return Origin(self.sources, self.source[keep], self.line[keep])

    def problem(self, row: int, reason: str) -> Problem:
        return Problem(self.sources[int(self.source[row])].name, int(self.line[row]), reason)


@dataclass
class Dataset:
    """A dataset in memory: items with metadata, and (user, item, rating, time) rows.

    Item ``i`` of the catalogue is ``item_keys[i]`` in the dataset; it is written as the
    ``i``-th new content item, and user ``k`` as the account ``<prefix>_<k>``.
    """

    format: str
    label: str  # shown as the creator's name, e.g. "MovieLens"
    prefix: str  # usernames are <prefix>_<external user id>
    item_keys: list[str]
    titles: list[str]
    years: list[int | None]
    released: list[int | None]  # unix seconds, when known
    genres: list[list[str]]
    tags: list[list[str]]
    user_keys: np.ndarray  # external user ids of the interactions
    item_index: np.ndarray  # index into item_keys
    ratings: np.ndarray  # float, NaN where the dataset has none
    times: np.ndarray  # unix seconds (float as read; int64 once checked)
    notes: list[str] = field(default_factory=list)
    # Where interactions and items came from, so a refusal can name the file and line.
    origin: Origin | None = None
    item_origin: Origin | None = None
    # First (file, line) of each viewer tag read from a file of its own (MovieLens tags.csv).
    tag_origin: dict[str, tuple[str, int]] = field(default_factory=dict)

    def keep_rows(self, keep: np.ndarray) -> None:
        for name in ("user_keys", "item_index", "ratings", "times"):
            setattr(self, name, getattr(self, name)[keep])
        if self.origin is not None:
            self.origin = self.origin.take(keep)

    def keep_items(self, used: np.ndarray) -> None:
        """Keep only the items ``used`` (sorted indices), renumbering the rows' items."""
        remap = np.full(len(self.item_keys), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        self.item_index = remap[self.item_index]
        for name in ("item_keys", "titles", "years", "released", "genres", "tags"):
            values = getattr(self, name)
            setattr(self, name, [values[i] for i in used.tolist()])
        if self.item_origin is not None:
            self.item_origin = self.item_origin.take(used)


def year_in_title(title: str) -> int | None:
    match = YEAR_IN_TITLE.search(title)
    return int(match.group(1)) if match else None


def genre_list(text: str, separator: str = "|") -> list[str]:
    return [g for g in text.split(separator) if g.strip() not in NO_GENRE]
