"""Public recommendation datasets, read into the platform's tables.

Three layouts are understood:

- ``movielens``: MovieLens "latest" (``ratings.csv``, ``movies.csv``, optional ``tags.csv``);
- ``movielens-100k``: MovieLens 100K (``u.data``, ``u.item``, ``u.genre``);
- ``lightgcn``: the LightGCN/NGCF ``train.txt`` (``user item item ...`` per line), with an
  optional ``items.tsv`` (``item_id`` plus any of ``title``, ``year``, ``release_date``,
  ``genres``, ``tags``; lists ``|``-separated), an optional ``train_interactions.tsv``
  (``user_id item_id rating timestamp``: real ratings and times for the same pairs) and an
  optional ``item_list.txt`` (``org_id remap_id``).

Everything is read and checked before anything is written; the write is one transaction.
Each dataset gets one creator account (``<prefix>_catalogue``) owning its items, written in
the dataset's item order with consecutive ids (so for ``lightgcn`` the catalogue's k-th item
by id is the dataset's item k); its users are named ``<prefix>_<id>`` with unusable
passwords. Items are videos; the first genre is the
category; genres and user tags become tags. Ratings become interactions: 4 and above a
like, 2 and below a dislike, otherwise a view, with the rating as value. ``train.txt`` pairs
without ratings become views at synthetic times that keep each user's order.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import router, transaction
from django.utils.text import slugify
from tqdm import tqdm

from backend.content.bulk import (
    bulk_insert,
    format_datetimes,
    next_id,
    refresh_statistics,
    reset_sequences,
)
from backend.content.demo import flush_platform_data, unusable_passwords
from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.interactions.models import Interaction, InteractionKind

__all__ = ["FORMATS", "Dataset", "DatasetError", "detect_format", "import_dataset", "read_dataset"]

FORMATS = ("movielens", "movielens-100k", "lightgcn")
# Synthetic clock for datasets without times: 2020-01-01 UTC, one hour per step.
SYNTHETIC_EPOCH = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
NO_GENRE = {"(no genres listed)", "unknown", ""}
YEAR_IN_TITLE = re.compile(r"\((\d{4})\)\s*$")


class DatasetError(Exception):
    """The dataset cannot be read: missing files, unknown format, malformed lines."""


@dataclass
class Dataset:
    """A dataset in memory: items with metadata, and (user, item, rating, time) rows."""

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
    times: np.ndarray  # unix seconds
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Detecting the format.
# --------------------------------------------------------------------------------------------
def detect_format(path: Path) -> tuple[str, Path]:
    """The format of ``path`` (a folder or one of its files) and the folder to read."""
    if not path.exists():
        raise DatasetError(f"{path} does not exist.")
    if path.is_file():
        by_name = {
            "ratings.csv": "movielens",
            "movies.csv": "movielens",
            "tags.csv": "movielens",
            "u.data": "movielens-100k",
            "u.item": "movielens-100k",
            "u.genre": "movielens-100k",
            "train.txt": "lightgcn",
        }
        if path.name in by_name:
            return by_name[path.name], path.parent
        raise DatasetError(
            f"Cannot tell the format of {path}: pass the dataset folder, or ratings.csv "
            "(MovieLens), u.data (MovieLens 100K) or train.txt (LightGCN)."
        )
    if (path / "ratings.csv").is_file():
        return "movielens", path
    if (path / "u.data").is_file():
        return "movielens-100k", path
    if (path / "train.txt").is_file():
        return "lightgcn", path
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
    path = Path(path)
    if format not in ("auto", *FORMATS):
        raise DatasetError(f"Unknown format {format!r}: use auto, {', '.join(FORMATS)}.")
    if format == "auto":
        format, folder = detect_format(path)
    else:
        if not path.exists():
            raise DatasetError(f"{path} does not exist.")
        folder = path if path.is_dir() else path.parent
    reader = {
        "movielens": _read_movielens,
        "movielens-100k": _read_movielens_100k,
        "lightgcn": _read_lightgcn,
    }[format]
    dataset = reader(folder, progress)
    if prefix:
        dataset.prefix = prefix
    if limit_users is not None:
        _limit_users(dataset, limit_users)
    return dataset


def _need(folder: Path, name: str, format: str) -> Path:
    file = folder / name
    if not file.is_file():
        raise DatasetError(f"{folder} has no {name} (needed for --format {format}).")
    return file


def _load_table(file: Path, delimiter: str | None, columns: int, skip_header: bool) -> np.ndarray:
    try:
        table = np.loadtxt(
            file,
            delimiter=delimiter,
            skiprows=int(skip_header),
            ndmin=2,
            dtype=np.float64,
            usecols=range(columns),
        )
    except ValueError as exc:
        raise DatasetError(f"{file.name}: {exc}") from exc
    return table


def _check_header(file: Path, expected: list[str]) -> None:
    with file.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    if [h.strip() for h in header[: len(expected)]] != expected:
        raise DatasetError(
            f"{file.name}: expected the header {','.join(expected)}, found {','.join(header)}."
        )


def _year(title: str) -> int | None:
    match = YEAR_IN_TITLE.search(title)
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------------------------
# Readers.
# --------------------------------------------------------------------------------------------
def _read_movielens(folder: Path, progress: bool) -> Dataset:
    movies = _need(folder, "movies.csv", "movielens")
    ratings = _need(folder, "ratings.csv", "movielens")
    _check_header(movies, ["movieId", "title", "genres"])
    _check_header(ratings, ["userId", "movieId", "rating", "timestamp"])
    keys, titles, years, genres = [], [], [], []
    with movies.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            keys.append(row["movieId"].strip())
            title = row["title"].strip()
            titles.append(title)
            years.append(_year(title))
            genres.append([g for g in row["genres"].split("|") if g.strip() not in NO_GENRE])
    index = {key: i for i, key in enumerate(keys)}
    tags: list[list[str]] = [[] for _ in keys]
    tag_file = folder / "tags.csv"
    if tag_file.is_file():
        _check_header(tag_file, ["userId", "movieId", "tag", "timestamp"])
        with tag_file.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                i = index.get(row["movieId"].strip())
                tag = (row["tag"] or "").strip()
                if i is not None and tag and tag not in tags[i]:
                    tags[i].append(tag)
    table = _load_table(ratings, ",", 4, skip_header=True)
    item_index = _map_items(table[:, 1], index, ratings.name)
    return Dataset(
        format="movielens",
        label="MovieLens",
        prefix="ml",
        item_keys=keys,
        titles=titles,
        years=years,
        released=[None] * len(keys),
        genres=genres,
        tags=tags,
        user_keys=table[:, 0].astype(np.int64),
        item_index=item_index,
        ratings=table[:, 2],
        times=table[:, 3].astype(np.int64),
    )


def _read_movielens_100k(folder: Path, progress: bool) -> Dataset:
    data = _need(folder, "u.data", "movielens-100k")
    item_file = _need(folder, "u.item", "movielens-100k")
    genre_names: dict[int, str] = {}
    genre_file = folder / "u.genre"
    if genre_file.is_file():
        for line in genre_file.read_text(encoding="latin-1").splitlines():
            if "|" in line:
                name, number = line.rsplit("|", 1)
                genre_names[int(number)] = name
    keys, titles, years, released, genres = [], [], [], [], []
    for number, line in enumerate(item_file.read_text(encoding="latin-1").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("|")
        if len(parts) < 6:
            raise DatasetError(f"u.item line {number}: expected id|title|date|...|genre flags.")
        keys.append(parts[0].strip())
        titles.append(parts[1].strip())
        moment = None
        if parts[2].strip():
            try:
                moment = datetime.strptime(parts[2].strip(), "%d-%b-%Y").replace(tzinfo=UTC)
            except ValueError:
                moment = None
        released.append(int(moment.timestamp()) if moment else None)
        years.append(moment.year if moment else _year(parts[1]))
        flags = parts[5:]
        genres.append(
            [
                genre_names.get(g, f"genre {g}")
                for g, flag in enumerate(flags)
                if flag.strip() == "1" and genre_names.get(g, "") not in NO_GENRE
            ]
        )
    index = {key: i for i, key in enumerate(keys)}
    table = _load_table(data, "\t", 4, skip_header=False)
    item_index = _map_items(table[:, 1], index, data.name)
    return Dataset(
        format="movielens-100k",
        label="MovieLens 100K",
        prefix="ml100k",
        item_keys=keys,
        titles=titles,
        years=years,
        released=released,
        genres=genres,
        tags=[[] for _ in keys],
        user_keys=table[:, 0].astype(np.int64),
        item_index=item_index,
        ratings=table[:, 2],
        times=table[:, 3].astype(np.int64),
    )


def _read_lightgcn(folder: Path, progress: bool) -> Dataset:
    train = _need(folder, "train.txt", "lightgcn")
    name = folder.resolve().name
    if name in {"split", "data"}:
        name = f"{folder.resolve().parent.name}-{name}"
    users: list[np.ndarray] = []
    items: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    with train.open(encoding="utf-8") as handle:
        for number, line in enumerate(
            tqdm(handle, desc="train.txt", unit="lines", disable=not progress, file=sys.stderr),
            1,
        ):
            parts = line.split()
            if not parts:
                continue
            try:
                ids = np.array(parts, dtype=np.int64)
            except ValueError as exc:
                raise DatasetError(f"train.txt line {number}: expected integers ({exc}).") from exc
            row_items = ids[1:]
            users.append(np.full(len(row_items), ids[0], dtype=np.int64))
            items.append(row_items)
            positions.append(np.arange(len(row_items), dtype=np.int64))
    if not users:
        raise DatasetError(f"{train} holds no interactions.")
    user_keys = np.concatenate(users)
    raw_items = np.concatenate(items)
    position = np.concatenate(positions)
    if (raw_items < 0).any() or (user_keys < 0).any():
        raise DatasetError("train.txt: ids must be non-negative integers.")
    n_items = int(raw_items.max()) + 1

    titles = [f"Item {i}" for i in range(n_items)]
    years: list[int | None] = [None] * n_items
    genres: list[list[str]] = [[] for _ in range(n_items)]
    tags: list[list[str]] = [[] for _ in range(n_items)]
    meta = folder / "items.tsv"
    item_list = folder / "item_list.txt"
    if meta.is_file():
        with meta.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            if "item_id" not in (reader.fieldnames or []):
                raise DatasetError("items.tsv: expected an item_id column.")
            for row in reader:
                i = int(row["item_id"])
                if i >= n_items:
                    titles += [f"Item {k}" for k in range(n_items, i + 1)]
                    years += [None] * (i + 1 - n_items)
                    genres += [[] for _ in range(n_items, i + 1)]
                    tags += [[] for _ in range(n_items, i + 1)]
                    n_items = i + 1
                titles[i] = (row.get("title") or titles[i]).strip()
                year = (row.get("year") or "").strip()
                date = (row.get("release_date") or "").strip()
                years[i] = (
                    int(year)
                    if year.isdigit()
                    else (int(date[-4:]) if date[-4:].isdigit() else _year(titles[i]))
                )
                genres[i] = [
                    g for g in (row.get("genres") or "").split("|") if g.strip() not in NO_GENRE
                ]
                tags[i] = [t.strip() for t in (row.get("tags") or "").split("|") if t.strip()]
    elif item_list.is_file():
        with item_list.open(encoding="utf-8") as handle:
            next(handle, None)
            for line in handle:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) < n_items:
                    titles[int(parts[1])] = f"Item {parts[0]}"

    ratings = np.full(len(user_keys), np.nan)
    # Synthetic times keep each user's order: one hour per step from a fixed epoch.
    times = SYNTHETIC_EPOCH + position * 3600 + (user_keys % 3600)
    notes = []
    detail = folder / "train_interactions.tsv"
    if detail.is_file():
        table = _load_table(detail, "\t", 4, skip_header=True)
        lookup = {(int(u), int(i)): (r, int(t)) for u, i, r, t in table.tolist()}
        found = 0
        for k, (u, i) in enumerate(zip(user_keys.tolist(), raw_items.tolist(), strict=True)):
            hit = lookup.get((u, i))
            if hit is not None:
                ratings[k], times[k] = hit
                found += 1
        notes.append(f"ratings and times from train_interactions.tsv for {found:,} pairs")
    return Dataset(
        format="lightgcn",
        label=f"MovieLens {name[3:]}" if name.startswith("ml-") else name[:1].upper() + name[1:],
        prefix=slugify(name).replace("-", "") or "lightgcn",
        item_keys=[str(i) for i in range(n_items)],
        titles=titles,
        years=years,
        released=[None] * n_items,
        genres=genres,
        tags=tags,
        user_keys=user_keys,
        item_index=raw_items,
        ratings=ratings,
        times=times,
        notes=notes,
    )


def _map_items(raw: np.ndarray, index: dict[str, int], source: str) -> np.ndarray:
    keys = raw.astype(np.int64)
    unique, inverse = np.unique(keys, return_inverse=True)
    mapped = np.array([index.get(str(k), -1) for k in unique.tolist()], dtype=np.int64)
    if (mapped < 0).any():
        missing = unique[mapped < 0][:5].tolist()
        raise DatasetError(f"{source} refers to items not in the item file, e.g. {missing}.")
    return mapped[inverse]


def _limit_users(dataset: Dataset, limit: int) -> None:
    """Keep the first ``limit`` users (by id) and the items they touched."""
    if limit < 1:
        raise DatasetError("--limit-users must be at least 1.")
    kept_users = np.unique(dataset.user_keys)[:limit]
    mask = np.isin(dataset.user_keys, kept_users)
    for name in ("user_keys", "item_index", "ratings", "times"):
        setattr(dataset, name, getattr(dataset, name)[mask])
    used = np.unique(dataset.item_index)
    remap = np.full(len(dataset.item_keys), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    dataset.item_index = remap[dataset.item_index]
    for name in ("item_keys", "titles", "years", "released", "genres", "tags"):
        values = getattr(dataset, name)
        setattr(dataset, name, [values[i] for i in used.tolist()])


# --------------------------------------------------------------------------------------------
# Writing.
# --------------------------------------------------------------------------------------------
def _kinds(ratings: np.ndarray) -> np.ndarray:
    kinds = np.full(len(ratings), InteractionKind.VIEW.value, dtype=object)
    kinds[ratings >= 4] = InteractionKind.LIKE.value
    kinds[ratings <= 2] = InteractionKind.DISLIKE.value
    return kinds


def _taxonomy_ids(model, names: list[str]) -> dict[str, int]:
    """Ids for names (matched by slug, then name), creating the missing ones in bulk."""
    by_slug = dict(model.objects.values_list("slug", "id"))
    by_name = {name.lower(): pk for name, pk in model.objects.values_list("name", "id")}
    result: dict[str, int] = {}
    new_names, new_slugs = [], []
    for name in names:
        if name in result:
            continue
        slug = slugify(name)[:80]
        pk = by_slug.get(slug) or by_name.get(name.lower()[:80])
        if pk is None and slug in new_slugs:
            pk = -1 - new_slugs.index(slug)
        if pk is None:
            if not slug:
                continue
            new_names.append(name[:80])
            new_slugs.append(slug)
            pk = -len(new_slugs)
        result[name] = pk
    if new_names:
        base = next_id(model)
        bulk_insert(
            model, {"id": range(base, base + len(new_names)), "name": new_names, "slug": new_slugs}
        )
        result = {k: (base - 1 - v if v < 0 else v) for k, v in result.items()}
    return result


def import_dataset(
    path: str | Path,
    *,
    format: str = "auto",
    limit_users: int | None = None,
    flush: bool = False,
    prefix: str | None = None,
    progress: bool = False,
) -> dict[str, int]:
    """Read a dataset and write it in one transaction; return the counts written."""
    dataset = read_dataset(path, format, limit_users=limit_users, prefix=prefix, progress=progress)
    User = get_user_model()
    catalogue = f"{dataset.prefix}_catalogue"
    with transaction.atomic(using=router.db_for_write(ContentItem)):
        if flush:
            flush_platform_data()
        elif User.objects.filter(username=catalogue).exists():
            raise DatasetError(
                f"{dataset.label} is already imported (account {catalogue!r} exists); pass "
                "--flush to replace the platform's data, or --prefix to import it again "
                "under other names."
            )
        counts = _write(dataset, catalogue, progress)
        reset_sequences([User, Category, Tag, Creator, ContentItem])
        refresh_statistics([User, Category, Tag, Creator, ContentItem, Interaction])
    return counts


def _write(dataset: Dataset, catalogue: str, progress: bool) -> dict[str, int]:
    User = get_user_model()
    connection = transaction.get_connection(router.db_for_write(ContentItem))
    n_items = len(dataset.item_keys)
    order = np.lexsort((dataset.item_index, dataset.times))
    users, items = dataset.user_keys[order], dataset.item_index[order]
    ratings, times = dataset.ratings[order], dataset.times[order]

    # Items are published by their release date or their first interaction, whichever is
    # first, so no interaction precedes publication.
    never = np.iinfo(np.int64).max
    first_seen = np.full(n_items, never)
    np.minimum.at(first_seen, items, times)
    fallback = int(times.min()) if len(times) else SYNTHETIC_EPOCH
    published = np.empty(n_items, dtype=np.int64)
    for i, (released, year) in enumerate(zip(dataset.released, dataset.years, strict=True)):
        if released is None and year and 1800 < year < 2200:
            released = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
        seen = int(first_seen[i]) if first_seen[i] != never else None
        candidates = [t for t in (released, seen) if t is not None]
        published[i] = min(candidates) if candidates else fallback

    category_ids = _taxonomy_ids(Category, [g[0] for g in dataset.genres if g])
    tag_ids = _taxonomy_ids(
        Tag, [t for i in range(n_items) for t in dataset.genres[i] + dataset.tags[i]]
    )

    creator_user = next_id(User)
    first_time = int(min(published.min(), times.min() if len(times) else published.min()))
    bulk_insert(
        User,
        {
            "id": [creator_user],
            "password": unusable_passwords(np.random.default_rng(0), 1),
            "username": [catalogue],
            "first_name": [dataset.label[:150]],
            "date_joined": format_datetimes(np.array([first_time - 86_400]), connection),
        },
    )
    creator_id = next_id(Creator)
    bulk_insert(
        Creator,
        {
            "id": [creator_id],
            "user_id": [creator_user],
            "display_name": [dataset.label],
            "bio": [f"The {dataset.label} catalogue, imported from the public dataset."],
        },
    )

    item_base = next_id(ContentItem)
    item_ids = np.arange(item_base, item_base + n_items)
    excerpts, bodies = [], []
    for i in range(n_items):
        genres, tags, year = dataset.genres[i], dataset.tags[i], dataset.years[i]
        bits = ([str(year)] if year else []) + ([", ".join(genres)] if genres else [])
        excerpts.append(" · ".join(bits)[:500])
        body = dataset.titles[i]
        if genres:
            body += f". Genres: {', '.join(genres)}"
        if tags:
            body += f". Tagged by viewers: {', '.join(tags[:30])}"
        bodies.append(body + ".")
    pub_text = format_datetimes(published, connection)
    bulk_insert(
        ContentItem,
        {
            "id": item_ids,
            "type": [ContentType.VIDEO.value] * n_items,
            "title": [
                t[:200] or f"Item {k}"
                for t, k in zip(dataset.titles, dataset.item_keys, strict=True)
            ],
            "excerpt": excerpts,
            "body": bodies,
            "creator_id": [creator_id] * n_items,
            "category_id": [category_ids.get(g[0]) if g else None for g in dataset.genres],
            "published_at": pub_text,
            "created_at": pub_text,
            "updated_at": pub_text,
        },
        desc="items",
        progress=progress,
    )
    pairs = sorted(
        {
            (int(item_ids[i]), tag_ids[t])
            for i in range(n_items)
            for t in dataset.genres[i] + dataset.tags[i]
            if t in tag_ids
        }
    )
    through = ContentItem.tags.through
    field = ContentItem._meta.get_field("tags")
    bulk_insert(
        through,
        {
            through._meta.get_field(field.m2m_field_name()).attname: [p[0] for p in pairs],
            through._meta.get_field(field.m2m_reverse_field_name()).attname: [p[1] for p in pairs],
        },
        desc="item tags",
        progress=progress,
    )

    user_keys, user_index = np.unique(users, return_inverse=True)
    user_base = next_id(User)
    user_ids = np.arange(user_base, user_base + len(user_keys))
    joined = np.full(len(user_keys), np.iinfo(np.int64).max)
    np.minimum.at(joined, user_index, times)
    names = [f"{dataset.prefix}_{k}" for k in user_keys.tolist()]
    bulk_insert(
        User,
        {
            "id": user_ids,
            "password": unusable_passwords(np.random.default_rng(len(user_keys)), len(user_keys)),
            "username": names,
            "date_joined": format_datetimes(joined - 3600, connection),
        },
        desc="users",
        progress=progress,
    )

    values = [None if r != r else float(r) for r in ratings.tolist()]
    bulk_insert(
        Interaction,
        {
            "user_id": user_ids[user_index],
            "item_id": item_ids[items],
            "kind": _kinds(ratings).tolist(),
            "value": values,
            "occurred_at": format_datetimes(times, connection),
        },
        desc="interactions",
        progress=progress,
    )
    kinds = _kinds(ratings)
    return {
        "users": len(user_keys),
        "items": n_items,
        "categories": len(set(category_ids.values())),
        "tags": len(set(tag_ids.values())),
        "item_tags": len(pairs),
        "interactions": len(ratings),
        "likes": int((kinds == InteractionKind.LIKE.value).sum()),
        "dislikes": int((kinds == InteractionKind.DISLIKE.value).sum()),
        "views": int((kinds == InteractionKind.VIEW.value).sum()),
    }
