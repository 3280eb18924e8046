"""MovieLens 100K: ``u.data`` (ratings), ``u.item`` (titles, release dates, genre flags)
and, when present, ``u.genre`` (the flags' names). Its text files are latin-1, as is
customary for this dataset; ``u.data`` is numbers only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from backend.content.importers.checks import map_items
from backend.content.importers.dataset import (
    NO_GENRE,
    Dataset,
    Origin,
    Problems,
    Source,
    year_in_title,
)
from backend.content.importers.files import (
    INTEGER,
    Column,
    item_key,
    need,
    numbered_lines,
    read_table,
    read_text,
)

__all__ = ["read_movielens_100k"]

U_DATA = [
    Column("user id", integer=True),
    Column("item id", integer=True),
    Column("rating"),
    Column("timestamp"),
]


def read_movielens_100k(folder: Path, progress: bool = False) -> Dataset:
    data = need(folder, "u.data", "movielens-100k")
    items = _read_items(need(folder, "u.item", "movielens-100k"), _read_genres(folder / "u.genre"))
    index: dict[str, int] = {}
    for i, key in enumerate(items["keys"]):
        index.setdefault(key, i)  # a key listed twice is refused by the checks
    table, lines = read_table(data, U_DATA, "\t")
    origin = Origin.of(Source(data.name, rated=True), lines)
    keys = items["keys"]
    return Dataset(
        format="movielens-100k",
        label="MovieLens 100K",
        prefix="ml100k",
        item_keys=keys,
        titles=items["titles"],
        years=items["years"],
        released=items["released"],
        genres=items["genres"],
        tags=[[] for _ in keys],
        user_keys=table["user id"],
        item_index=map_items(table["item id"], index, origin, "u.item"),
        ratings=table["rating"],
        times=table["timestamp"],
        origin=origin,
        item_origin=Origin.of(Source("u.item"), items["lines"]),
    )


def _read_genres(file: Path) -> dict[int, str]:
    """Genre flag position -> name, from lines ``name|position``."""
    names: dict[int, str] = {}
    if not file.is_file():
        return names
    problems = Problems()
    lines, numbers = numbered_lines(read_text(file, "latin-1"))
    for line, number in zip(lines, numbers.tolist(), strict=True):
        name, _, position = line.rpartition("|")
        if not INTEGER.fullmatch(position):
            problems.add(file.name, number, "expected name|number")
            continue
        names[int(position)] = name
    problems.raise_if_any()
    return names


def _read_items(file: Path, genre_names: dict[int, str]) -> dict[str, list]:
    items: dict[str, list] = {
        "keys": [],
        "titles": [],
        "years": [],
        "released": [],
        "genres": [],
        "lines": [],
    }
    problems = Problems()
    lines, numbers = numbered_lines(read_text(file, "latin-1"))
    for line, number in zip(lines, numbers.tolist(), strict=True):
        parts = line.split("|")
        if len(parts) < 6:
            problems.add(file.name, number, "expected id|title|date|video date|URL|genre flags")
            continue
        title = parts[1].strip()
        moment = _release_date(parts[2].strip())
        items["keys"].append(item_key(parts[0]))
        items["titles"].append(title)
        items["released"].append(int(moment.timestamp()) if moment else None)
        items["years"].append(moment.year if moment else year_in_title(title))
        items["genres"].append(
            [
                genre_names.get(g, f"genre {g}")
                for g, flag in enumerate(parts[5:])
                if flag.strip() == "1" and genre_names.get(g, "") not in NO_GENRE
            ]
        )
        items["lines"].append(number)
    problems.raise_if_any()
    return items


def _release_date(text: str) -> datetime | None:
    """``01-Jan-1995`` as a UTC time; an empty or unreadable date is simply unknown."""
    try:
        return datetime.strptime(text, "%d-%b-%Y").replace(tzinfo=UTC) if text else None
    except ValueError:
        return None
