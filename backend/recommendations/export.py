"""Turns the platform's tables into the arrays the ``gnn`` library trains on.

The recommender sees rows, not database ids: every user, item, tag and category gets a
dense row number here, and the id maps travel with the model artifact so serving can
translate back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from backend.accounts.models import User
from backend.content.models import Category, ContentItem, ContentType, Tag
from backend.interactions.models import Interaction, InteractionKind
from backend.recommendations.context import DEVICES, HOUR_BANDS, band_of_hour

# How much one act says about taste. A view is weak evidence, a like or a save strong; a
# dislike or hide is an explicit "no" that must outweigh the view that preceded it.
KIND_WEIGHTS: dict[str, float] = {
    InteractionKind.VIEW: 1.0,
    InteractionKind.CLICK: 1.5,
    InteractionKind.DWELL: 1.0,
    InteractionKind.COMMENT: 3.0,
    InteractionKind.LIKE: 4.0,
    InteractionKind.SAVE: 4.0,
    InteractionKind.SHARE: 5.0,
    InteractionKind.SKIP: -1.0,
    InteractionKind.DISLIKE: -6.0,
    InteractionKind.HIDE: -8.0,
}
TYPE_ORDER = [value for value, _ in ContentType.choices]


class ExportError(Exception):
    """The platform's data cannot be turned into training arrays; the message says why."""


@dataclass
class PlatformSnapshot:
    """Everything the trainer needs, as arrays, plus the id maps to undo the row numbers."""

    arrays: dict[str, object]
    id_maps: dict[str, list[int]]
    counts: dict[str, int] = field(default_factory=dict)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for key in ("user", "item", "weight", "time"):
            digest.update(np.ascontiguousarray(self.arrays[key]).tobytes())
        for key in ("user", "item", "tag", "category"):
            digest.update(np.asarray(self.id_maps[key], dtype=np.int64).tobytes())
        return digest.hexdigest()


def _rows(ids: list[int]) -> dict[int, int]:
    return {db_id: row for row, db_id in enumerate(ids)}


def export_platform() -> PlatformSnapshot:
    """Read users, items, tags, categories and interactions into training arrays.

    Interactions are collapsed to one weighted edge per (user, item): the kinds' weights
    are summed, so a view followed by a hide comes out negative, and the edge keeps the
    time of the latest act (the temporal holdout splits on it).
    """
    user_ids = list(User.objects.order_by("id").values_list("id", flat=True))
    tag_ids = list(Tag.objects.order_by("id").values_list("id", flat=True))
    category_ids = list(Category.objects.order_by("id").values_list("id", flat=True))
    items = list(
        ContentItem.objects.filter(published_at__isnull=False)
        .order_by("id")
        .values_list("id", "type", "category_id", "creator_id", "title", "excerpt")
    )
    item_ids = [row[0] for row in items]
    user_row, item_row = _rows(user_ids), _rows(item_ids)
    tag_row, category_row = _rows(tag_ids), _rows(category_ids)
    type_row = {value: row for row, value in enumerate(TYPE_ORDER)}

    item_category = np.array(
        [category_row.get(cat, -1) if cat is not None else -1 for _, _, cat, *_ in items],
        dtype=np.int64,
    )
    item_type = np.array([type_row.get(kind, 0) for _, kind, *_ in items], dtype=np.int64)
    item_creator = np.array([creator for *_, creator, _, _ in items], dtype=np.int64)
    item_text = [f"{title}. {excerpt}" for *_, title, excerpt in items]

    through = ContentItem.tags.through.objects.values_list("contentitem_id", "tag_id")
    pairs = [
        (item_row[i], tag_row[t]) for i, t in through.iterator(chunk_size=20_000) if i in item_row
    ]
    tag_pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)

    acts = Interaction.objects.values_list(
        "id", "user_id", "item_id", "kind", "occurred_at", "local_hour", "device"
    )
    users, itms, weights, times, timeless = [], [], [], [], []
    # (index of the act, hour band, device) of the positive acts that carry a context
    contexts: list[tuple[int, int, int]] = []
    device_rows = {name: row for row, name in enumerate(DEVICES)}
    for act_id, user_id, item_id, kind, occurred_at, hour, device in acts.iterator(
        chunk_size=50_000
    ):
        row = item_row.get(item_id)
        if row is None:
            continue
        if occurred_at is None:  # SQLite reads a stored time it cannot parse as None
            timeless.append(act_id)
            continue
        weight = KIND_WEIGHTS.get(kind, 0.0)
        band = -1 if hour is None else band_of_hour(hour)
        device_row = device_rows.get(device, -1)
        if weight > 0 and (band >= 0 or device_row >= 0):
            contexts.append((len(users), band, device_row))
        users.append(user_row[user_id])
        itms.append(row)
        weights.append(weight)
        times.append(int(occurred_at.timestamp()))
    if timeless:
        shown = ", ".join(map(str, sorted(timeless)[:5]))
        raise ExportError(
            f"{len(timeless):,} interactions have no readable time (ids {shown}"
            f"{', ...' if len(timeless) > 5 else ''}); fix or delete them before training"
        )
    act_users, act_items = np.array(users, dtype=np.int64), np.array(itms, dtype=np.int64)
    act_times = np.array(times, dtype=np.int64)
    user_arr, item_arr, weight_arr, time_arr = _collapse(
        act_users,
        act_items,
        np.array(weights, dtype=np.float32),
        act_times,
        num_items=len(item_ids),
    )
    context = np.array(contexts, dtype=np.int64).reshape(-1, 3)
    act = context[:, 0]
    arrays: dict[str, object] = {
        "num_users": len(user_ids),
        "num_items": len(item_ids),
        "user": user_arr,
        "item": item_arr,
        "weight": weight_arr,
        "time": time_arr,
        "item_tags": (tag_pairs[:, 0].copy(), tag_pairs[:, 1].copy()),
        "num_tags": len(tag_ids),
        "item_category": item_category,
        "num_categories": len(category_ids),
        "item_type": item_type,
        "num_types": len(TYPE_ORDER),
        "item_creator": item_creator,
        "item_text": item_text,
        # the context arrays of gnn.context.ContextActs (the trainer builds the dataclass)
        "context": {
            "user": act_users[act],
            "item": act_items[act],
            "time": act_times[act],
            "band": context[:, 1],
            "device": context[:, 2],
            "bands": HOUR_BANDS,
            "devices": DEVICES,
        },
    }
    id_maps = {
        "user": user_ids,
        "item": item_ids,
        "tag": tag_ids,
        "category": category_ids,
        "type": list(range(len(TYPE_ORDER))),
    }
    counts = {
        "users": len(user_ids),
        "items": len(item_ids),
        "edges": int(user_arr.size),
        "positive_edges": int((weight_arr > 0).sum()),
        "context_acts": len(context),
    }
    return PlatformSnapshot(arrays=arrays, id_maps=id_maps, counts=counts)


def _collapse(
    users: np.ndarray, items: np.ndarray, weights: np.ndarray, times: np.ndarray, num_items: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sum weights and keep the latest time per (user, item) pair, sorted by pair."""
    if users.size == 0:
        return users, items, weights, times
    key = users * max(num_items, 1) + items
    unique, inverse = np.unique(key, return_inverse=True)
    summed = np.zeros(unique.size, dtype=np.float64)
    np.add.at(summed, inverse, weights)
    latest = np.zeros(unique.size, dtype=np.int64)
    np.maximum.at(latest, inverse, times)
    pair_users = (unique // max(num_items, 1)).astype(np.int64)
    pair_items = (unique % max(num_items, 1)).astype(np.int64)
    # A pair whose acts cancel out carries no signal either way.
    keep = summed != 0
    return pair_users[keep], pair_items[keep], summed[keep].astype(np.float32), latest[keep]
