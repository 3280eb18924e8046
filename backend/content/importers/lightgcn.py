"""The LightGCN/NGCF ``train.txt`` (``user item item ...`` per line, 0-based row numbers).

Next to it, optionally: ``items.tsv`` and ``train_interactions.tsv`` of a temporal split
(see ``split``), or ``item_list.txt`` (``org_id remap_id``), which names the items. Pairs
without a rating become views at synthetic times that keep each user's order.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.utils.text import slugify
from tqdm import tqdm

from backend.content.importers.checks import check_dense_ids
from backend.content.importers.dataset import Dataset, DatasetError, Origin, Problems, Source
from backend.content.importers.files import integer_problem, need, numbered_lines, read_text
from backend.content.importers.split import Catalogue, read_item_table, read_split_ratings

__all__ = ["read_lightgcn"]

# Synthetic clock for datasets without times: 2020-01-01 UTC, one hour per step.
SYNTHETIC_EPOCH = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())


def read_lightgcn(folder: Path, progress: bool = False) -> Dataset:
    train = need(folder, "train.txt", "lightgcn")
    users, items, position, origin = _read_train(train, progress)
    catalogue = Catalogue.placeholders(int(items.max()) + 1, Source(train.name))
    if (folder / "items.tsv").is_file():
        read_item_table(folder / "items.tsv", catalogue)
    elif (folder / "item_list.txt").is_file():
        _read_item_list(folder / "item_list.txt", catalogue)
    # Synthetic times keep each user's order: one hour per step from a fixed epoch.
    times = (SYNTHETIC_EPOCH + position * 3600 + (users % 3600)).astype(np.float64)
    ratings = np.full(len(users), np.nan)
    notes = []
    if (folder / "train_interactions.tsv").is_file():
        found = read_split_ratings(
            folder / "train_interactions.tsv", users, items, ratings, times, origin
        )
        notes.append(f"ratings and times from train_interactions.tsv for {found:,} pairs")
    name = _dataset_name(folder)
    return Dataset(
        format="lightgcn",
        label=f"MovieLens {name[3:]}" if name.startswith("ml-") else name[:1].upper() + name[1:],
        prefix=(slugify(name).replace("-", "") or "lightgcn")[:64],
        item_keys=[str(i) for i in range(catalogue.size)],
        titles=catalogue.titles,
        years=catalogue.years,
        released=[None] * catalogue.size,
        genres=catalogue.genres,
        tags=catalogue.tags,
        user_keys=users,
        item_index=items,
        ratings=ratings,
        times=times,
        notes=notes,
        origin=origin,
        item_origin=catalogue.origin(),
    )


def _read_train(train: Path, progress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, Origin]:
    """Users, items, each pair's position in its user's line, and the pairs' lines."""
    lines, numbers = numbered_lines(read_text(train))
    users: list[np.ndarray] = []
    items: list[np.ndarray] = []
    problems = Problems()
    rows = tqdm(
        zip(lines, numbers.tolist(), strict=True),
        total=len(lines),
        desc=train.name,
        unit="lines",
        disable=not progress,
        file=sys.stderr,
    )
    for line, number in rows:
        try:
            ids = np.array(line.split(), dtype=np.int64)
        except (ValueError, OverflowError):
            ids = np.zeros(1, dtype=np.int64)
            problems.add(train.name, number, next(filter(None, map(_id_problem, line.split()))))
        users.append(np.full(len(ids) - 1, ids[0], dtype=np.int64))
        items.append(ids[1:])
    problems.raise_if_any()
    counts = np.array([len(row) for row in items], dtype=np.int64)
    if not counts.sum():
        raise DatasetError(f"{train.name} holds no interactions.")
    user_keys, item_keys = np.concatenate(users), np.concatenate(items)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.arange(len(item_keys), dtype=np.int64) - starts
    origin = Origin.of(Source(train.name), np.repeat(numbers, counts))
    check_dense_ids(item_keys, origin, "item")
    return user_keys, item_keys, position, origin


def _id_problem(token: str) -> str | None:
    """Why a token is not an int64 (negative ids are judged later, with the whole dataset)."""
    reason = integer_problem(token, "id")
    return None if reason and reason.endswith("is negative") else reason


def _read_item_list(file: Path, catalogue: Catalogue) -> None:
    """``org_id remap_id`` lines: the item numbered ``remap_id`` is titled after ``org_id``."""
    lines, numbers = numbered_lines(read_text(file), skip=1)
    for line, number in zip(lines, numbers.tolist(), strict=True):
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) < catalogue.size:
            catalogue.name(int(parts[1]), f"Item {parts[0]}", Source(file.name), number)


def _dataset_name(folder: Path) -> str:
    name = folder.resolve().name
    if name in {"split", "data"}:
        name = f"{folder.resolve().parent.name}-{name}"
    return name
