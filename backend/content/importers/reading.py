"""Which format a path holds, and reading it into a checked ``Dataset``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from backend.content.importers.checks import check_dataset, check_prefix
from backend.content.importers.dataset import Dataset, DatasetError
from backend.content.importers.lightgcn import read_lightgcn
from backend.content.importers.movielens import read_movielens
from backend.content.importers.movielens_100k import read_movielens_100k

__all__ = ["FORMATS", "detect_format", "read_dataset"]

READERS: dict[str, Callable[[Path, bool], Dataset]] = {
    "movielens": read_movielens,
    "movielens-100k": read_movielens_100k,
    "lightgcn": read_lightgcn,
}
FORMATS = tuple(READERS)
# The file that marks each format in a folder, and the files that name one when given.
MARKERS = {"movielens": "ratings.csv", "movielens-100k": "u.data", "lightgcn": "train.txt"}
FILES = {
    "ratings.csv": "movielens",
    "movies.csv": "movielens",
    "tags.csv": "movielens",
    "u.data": "movielens-100k",
    "u.item": "movielens-100k",
    "u.genre": "movielens-100k",
    "train.txt": "lightgcn",
}


def detect_format(path: Path) -> tuple[str, Path]:
    """The format of ``path`` (a folder or one of its files) and the folder to read."""
    if not path.exists():
        raise DatasetError(f"{path} does not exist.")
    if path.is_file():
        if path.name in FILES:
            return FILES[path.name], path.parent
        raise DatasetError(
            f"Cannot tell the format of {path}: pass the dataset folder, or ratings.csv "
            "(MovieLens), u.data (MovieLens 100K) or train.txt (LightGCN)."
        )
    for format, marker in MARKERS.items():
        if (path / marker).is_file():
            return format, path
    raise DatasetError(
        f"Cannot tell the format of {path}: expected ratings.csv (MovieLens), u.data "
        "(MovieLens 100K) or train.txt (LightGCN) in it."
    )


def read_dataset(
    path: str | Path,
    format: str = "auto",
    *,
    limit_users: int | None = None,
    prefix: str | None = None,
    progress: bool = False,
) -> Dataset:
    """Read and check a dataset (every row of it, before ``limit_users`` keeps the first)."""
    path = Path(path)
    if format not in ("auto", *FORMATS):
        raise DatasetError(f"Unknown format {format!r}: use auto, {', '.join(FORMATS)}.")
    if limit_users is not None and limit_users < 1:
        raise DatasetError("--limit-users must be at least 1.")
    if prefix:
        check_prefix(prefix)
    if format == "auto":
        format, folder = detect_format(path)
    else:
        if not path.exists():
            raise DatasetError(f"{path} does not exist.")
        folder = path if path.is_dir() else path.parent
    dataset = READERS[format](folder, progress)
    if prefix:
        dataset.prefix = prefix
    check_dataset(dataset)
    if limit_users is not None:
        limit_to_first_users(dataset, limit_users)
    return dataset


def limit_to_first_users(dataset: Dataset, limit: int) -> None:
    """Keep the first ``limit`` users (by id) and the items they touched."""
    kept_users = np.unique(dataset.user_keys)[:limit]
    dataset.keep_rows(np.isin(dataset.user_keys, kept_users))
    dataset.keep_items(np.unique(dataset.item_index))
