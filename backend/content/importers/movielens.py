"""MovieLens "latest" (ml-latest, ml-latest-small, ml-25m, ...): ``ratings.csv``,
``movies.csv`` and, when present, ``tags.csv`` (viewer tags, which join the genres)."""

from __future__ import annotations

from pathlib import Path

from backend.content.importers.checks import map_items
from backend.content.importers.dataset import (
    Dataset,
    Origin,
    Problems,
    Source,
    genre_list,
    year_in_title,
)
from backend.content.importers.files import Column, csv_table, item_key, need, read_table

__all__ = ["read_movielens"]

RATINGS_HEADER = ["userId", "movieId", "rating", "timestamp"]
RATINGS = [
    Column("userId", integer=True),
    Column("movieId", integer=True),
    Column("rating"),
    Column("timestamp"),
]


def read_movielens(folder: Path, progress: bool = False) -> Dataset:
    movies = _read_movies(need(folder, "movies.csv", "movielens"))
    keys = movies["keys"]
    index: dict[str, int] = {}
    for i, key in enumerate(keys):
        index.setdefault(key, i)  # a key listed twice is refused by the checks
    tags, tag_origin = _read_tags(folder / "tags.csv", index, len(keys))
    ratings = need(folder, "ratings.csv", "movielens")
    table, lines = read_table(ratings, RATINGS, ",", header=RATINGS_HEADER)
    origin = Origin.of(Source(ratings.name, rated=True), lines)
    return Dataset(
        format="movielens",
        label="MovieLens",
        prefix="ml",
        item_keys=keys,
        titles=movies["titles"],
        years=[year_in_title(title) for title in movies["titles"]],
        released=[None] * len(keys),
        genres=movies["genres"],
        tags=tags,
        user_keys=table["userId"],
        item_index=map_items(table["movieId"], index, origin, "movies.csv"),
        ratings=table["rating"],
        times=table["timestamp"],
        origin=origin,
        item_origin=Origin.of(Source("movies.csv"), movies["lines"]),
        tag_origin=tag_origin,
    )


def _read_movies(file: Path) -> dict[str, list]:
    _, rows = csv_table(file, ["movieId", "title", "genres"])
    movies: dict[str, list] = {"keys": [], "titles": [], "genres": [], "lines": []}
    problems = Problems()
    for line, fields in rows:
        if len(fields) != 3:
            problems.add(
                file.name, line, f"expected 3 fields (movieId, title, genres), found {len(fields)}"
            )
            continue
        movies["keys"].append(item_key(fields[0]))
        movies["titles"].append(fields[1].strip())
        movies["genres"].append(genre_list(fields[2]))
        movies["lines"].append(line)
    problems.raise_if_any()
    return movies


def _read_tags(
    file: Path, index: dict[str, int], n_items: int
) -> tuple[list[list[str]], dict[str, tuple[str, int]]]:
    """Each movie's distinct viewer tags, and where each tag was first seen."""
    tags: list[list[str]] = [[] for _ in range(n_items)]
    origin: dict[str, tuple[str, int]] = {}
    if not file.is_file():
        return tags, origin
    _, rows = csv_table(file, ["userId", "movieId", "tag", "timestamp"])
    problems = Problems()
    for line, fields in rows:
        if len(fields) != 4:
            problems.add(
                file.name,
                line,
                f"expected 4 fields (userId, movieId, tag, timestamp), found {len(fields)}",
            )
            continue
        i = index.get(item_key(fields[1]))
        tag = fields[2].strip()
        if i is not None and tag and tag not in tags[i]:
            tags[i].append(tag)
            origin.setdefault(tag, (file.name, line))
    problems.raise_if_any()
    return tags, origin
