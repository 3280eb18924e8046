"""Writing a checked dataset into the platform's tables, in one transaction.

Every format goes through ``write_dataset``, which refuses a dataset that fails the checks
before it opens the transaction, so a refusal leaves the database as it was. Each dataset
gets one creator account (``<prefix>_catalogue``) owning its items, written in the
dataset's item order with consecutive ids (so for ``lightgcn`` the catalogue's k-th item by
id is the dataset's item k); its users are named ``<prefix>_<id>`` with unusable
passwords. Items are videos; the first genre is the category; genres and user
tags become tags. Ratings become interactions, with the rating as value: 4 stars and above a
like, any other rating a view. A rating records an item the user watched, whatever the
stars; a dislike on the platform means "show me less of this", which a two-star rating of a
watched film does not say (and the benchmark splits count every rating as an interaction).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import router, transaction
from django.utils.text import slugify

from backend.content.bulk import (
    bulk_insert,
    format_datetimes,
    next_id,
    refresh_statistics,
    reset_sequences,
)
from backend.content.importers.checks import check_dataset
from backend.content.importers.dataset import Dataset, DatasetError
from backend.content.importers.reading import read_dataset
from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.content.platform import flush_platform_data, unusable_passwords
from backend.interactions.models import Interaction, InteractionKind

__all__ = ["import_dataset", "write_dataset"]


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
    return write_dataset(dataset, flush=flush, progress=progress)


def write_dataset(dataset: Dataset, *, flush: bool = False, progress: bool = False) -> dict:
    """Check ``dataset``, then write it in one transaction; return the counts written."""
    check_dataset(dataset)
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
    connection = transaction.get_connection(router.db_for_write(ContentItem))
    order = np.lexsort((dataset.item_index, dataset.times))
    users, items = dataset.user_keys[order], dataset.item_index[order]
    ratings, times = dataset.ratings[order], dataset.times[order]
    published = _publication_times(dataset, items, times)
    creator_id = _write_creator(dataset, catalogue, int(min(published.min(), times.min())))
    item_ids, counts = _write_items(dataset, creator_id, published, connection, progress)
    user_keys, user_index = np.unique(users, return_inverse=True)
    user_ids = _write_users(dataset.prefix, user_keys, user_index, times, connection, progress)
    kinds = _kinds(ratings)
    bulk_insert(
        Interaction,
        {
            "user_id": user_ids[user_index],
            "item_id": item_ids[items],
            "kind": kinds.tolist(),
            "value": [None if r != r else float(r) for r in ratings.tolist()],
            "occurred_at": format_datetimes(times, connection),
        },
        desc="interactions",
        progress=progress,
    )
    return {
        "users": len(user_keys),
        **counts,
        "interactions": len(ratings),
        "likes": int((kinds == InteractionKind.LIKE.value).sum()),
        "views": int((kinds == InteractionKind.VIEW.value).sum()),
    }


def _publication_times(dataset: Dataset, items: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Items are published by their release date or their first interaction, whichever is
    first, so no interaction precedes publication."""
    n_items = len(dataset.item_keys)
    never = np.iinfo(np.int64).max
    first_seen = np.full(n_items, never)
    np.minimum.at(first_seen, items, times)
    fallback = int(times.min())
    published = np.empty(n_items, dtype=np.int64)
    for i, (released, year) in enumerate(zip(dataset.released, dataset.years, strict=True)):
        if released is None and year and 1800 < year < 2200:
            released = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
        seen = int(first_seen[i]) if first_seen[i] != never else None
        candidates = [t for t in (released, seen) if t is not None]
        published[i] = min(candidates) if candidates else fallback
    return published


def _write_creator(dataset: Dataset, catalogue: str, first_time: int) -> int:
    """The account and creator profile that own the dataset's items."""
    User = get_user_model()
    connection = transaction.get_connection(router.db_for_write(User))
    user_id = next_id(User)
    bulk_insert(
        User,
        {
            "id": [user_id],
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
            "user_id": [user_id],
            "display_name": [dataset.label[:120]],
            "bio": [f"The {dataset.label} catalogue, imported from the public dataset."],
        },
    )
    return creator_id


def _write_items(
    dataset: Dataset, creator_id: int, published: np.ndarray, connection, progress: bool
) -> tuple[np.ndarray, dict[str, int]]:
    """Items (ids in catalogue order), their categories and tags; returns the item ids."""
    n_items = len(dataset.item_keys)
    category_ids = _taxonomy_ids(Category, [g[0] for g in dataset.genres if g])
    labels = [dataset.genres[i] + dataset.tags[i] for i in range(n_items)]
    tag_ids = _taxonomy_ids(Tag, [t for names in labels for t in names])
    item_base = next_id(ContentItem)
    item_ids = np.arange(item_base, item_base + n_items)
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
            "excerpt": [_excerpt(dataset, i) for i in range(n_items)],
            "body": [_body(dataset, i) for i in range(n_items)],
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
        {(int(item_ids[i]), tag_ids[t]) for i in range(n_items) for t in labels[i] if t in tag_ids}
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
    counts = {
        "items": n_items,
        "categories": len(set(category_ids.values())),
        "tags": len(set(tag_ids.values())),
        "item_tags": len(pairs),
    }
    return item_ids, counts


def _excerpt(dataset: Dataset, i: int) -> str:
    genres, year = dataset.genres[i], dataset.years[i]
    bits = ([str(year)] if year else []) + ([", ".join(genres)] if genres else [])
    return " · ".join(bits)[:500]


def _body(dataset: Dataset, i: int) -> str:
    genres, tags = dataset.genres[i], dataset.tags[i]
    body = dataset.titles[i]
    if genres:
        body += f". Genres: {', '.join(genres)}"
    if tags:
        body += f". Tagged by viewers: {', '.join(tags[:30])}"
    return body + "."


def _write_users(
    prefix: str,
    user_keys: np.ndarray,
    user_index: np.ndarray,
    times: np.ndarray,
    connection,
    progress: bool,
) -> np.ndarray:
    """One account per dataset user, joined an hour before its first act; returns the ids."""
    User = get_user_model()
    user_base = next_id(User)
    user_ids = np.arange(user_base, user_base + len(user_keys))
    joined = np.full(len(user_keys), np.iinfo(np.int64).max)
    np.minimum.at(joined, user_index, times)
    bulk_insert(
        User,
        {
            "id": user_ids,
            "password": unusable_passwords(np.random.default_rng(len(user_keys)), len(user_keys)),
            "username": [f"{prefix}_{k}" for k in user_keys.tolist()],
            "date_joined": format_datetimes(joined - 3600, connection),
        },
        desc="users",
        progress=progress,
    )
    return user_ids


def _kinds(ratings: np.ndarray) -> np.ndarray:
    kinds = np.full(len(ratings), InteractionKind.VIEW.value, dtype=object)
    kinds[ratings >= 4] = InteractionKind.LIKE.value
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
