"""Training data as plain arrays, its validation, a time-based holdout and a snapshot hash.

The backend exports its database into a :class:`TrainingData`; everything in ``gnn`` works on
these arrays and never on ORM objects.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np

from .context import ContextActs

__all__ = ["TrainingData", "aggregate_interactions", "snapshot_hash", "temporal_split"]


def _i64(a: np.ndarray | list[int] | None) -> np.ndarray | None:
    return None if a is None else np.ascontiguousarray(np.asarray(a, dtype=np.int64))


@dataclass
class TrainingData:
    """Users, items, their interactions and the items' content, all as row indices.

    ``user[k]`` interacted with ``item[k]`` at ``time[k]`` (unix seconds) with strength
    ``weight[k]``. A positive weight is implicit or explicit approval (a like weighs more than
    a view); a negative weight is negative feedback (dislike, hide, skip): such pairs are never
    used as positives and serve as hard negatives. Repeated ``(user, item)`` rows are summed.

    Item content: ``item_tags`` is a pair of arrays (item rows, tag rows); ``item_category``,
    ``item_type`` and ``item_creator`` hold one row per item (``-1`` = none); ``item_text`` is
    the title and excerpt of each item.

    ``context``: the positive acts (one row per act, not per pair) with the hour band and
    device they happened in, for the context affinities of :mod:`gnn.context`; a mapping of
    its fields is turned into :class:`~gnn.context.ContextActs`.
    """

    num_users: int
    num_items: int
    user: np.ndarray
    item: np.ndarray
    weight: np.ndarray | None = None
    time: np.ndarray | None = None
    item_tags: tuple[np.ndarray, np.ndarray] | None = None
    num_tags: int = 0
    item_category: np.ndarray | None = None
    num_categories: int = 0
    item_type: np.ndarray | None = None
    num_types: int = 0
    item_creator: np.ndarray | None = None
    item_text: list[str] | None = None
    context: ContextActs | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.user = _i64(self.user)
        self.item = _i64(self.item)
        n = len(self.user)
        if self.weight is None:
            self.weight = np.ones(n, dtype=np.float32)
        self.weight = np.ascontiguousarray(np.asarray(self.weight, dtype=np.float32))
        if self.time is None:
            self.time = np.zeros(n, dtype=np.int64)
        self.time = _i64(self.time)
        if self.item_tags is not None:
            self.item_tags = (_i64(self.item_tags[0]), _i64(self.item_tags[1]))
        self.item_category = _i64(self.item_category)
        self.item_type = _i64(self.item_type)
        self.item_creator = _i64(self.item_creator)
        if self.context is not None and not isinstance(self.context, ContextActs):
            fields = dict(self.context)
            fields["bands"], fields["devices"] = tuple(fields["bands"]), tuple(fields["devices"])
            self.context = ContextActs(**fields)
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` when an array has the wrong length or an out-of-range row."""
        n = len(self.user)
        for name in ("item", "weight", "time"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} rows, user has {n}")
        if not np.isfinite(self.weight).all():
            raise ValueError("weight has non-finite values")
        _check_range("user", self.user, self.num_users)
        _check_range("item", self.item, self.num_items)
        if self.item_tags is not None:
            rows, tags = self.item_tags
            if len(rows) != len(tags):
                raise ValueError("item_tags arrays differ in length")
            _check_range("item_tags items", rows, self.num_items)
            _check_range("item_tags tags", tags, self.num_tags)
        for name, count in (("item_category", self.num_categories), ("item_type", self.num_types)):
            arr = getattr(self, name)
            if arr is None:
                continue
            if len(arr) != self.num_items:
                raise ValueError(f"{name} needs one row per item ({self.num_items})")
            _check_range(name, arr[arr >= 0], count)
        if self.item_creator is not None and len(self.item_creator) != self.num_items:
            raise ValueError("item_creator needs one row per item")
        if self.item_text is not None and len(self.item_text) != self.num_items:
            raise ValueError("item_text needs one string per item")
        if self.context is not None:
            _check_range("context users", self.context.user, self.num_users)
            _check_range("context items", self.context.item, self.num_items)

    @property
    def num_interactions(self) -> int:
        return len(self.user)


def _check_range(name: str, arr: np.ndarray, upper: int) -> None:
    if len(arr) and (arr.min() < 0 or arr.max() >= upper):
        raise ValueError(f"{name} rows must lie in [0, {upper})")


def aggregate_interactions(
    data: TrainingData,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge repeated ``(user, item)`` rows: weights are summed, the latest time is kept.

    Returns ``(user, item, weight, time)`` sorted by user then item.
    """
    key = data.user * np.int64(data.num_items) + data.item
    uniq, inv = np.unique(key, return_inverse=True)
    weight = np.zeros(len(uniq), dtype=np.float64)
    np.add.at(weight, inv, data.weight)
    time = np.full(len(uniq), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(time, inv, data.time)
    return (uniq // data.num_items, uniq % data.num_items, weight.astype(np.float32), time)


def temporal_split(
    data: TrainingData,
    holdout: float = 0.1,
    *,
    min_train: int = 1,
    user_fraction: float = 1.0,
    seed: int = 0,
) -> tuple[TrainingData, dict[int, np.ndarray]]:
    """Hold out each user's most recent positive interactions for validation.

    Interactions are first aggregated per ``(user, item)`` pair. For every user (or a random
    ``user_fraction`` of them, which keeps almost all data for training on large sets) the
    latest ``ceil(holdout * n_positive)`` positive pairs are held out, provided at least
    ``min_train`` positives remain. Ties in time (or data without times) are broken at random
    with ``seed``. Negative feedback always stays in the training part.

    Returns ``(train, valid)`` where ``valid`` maps a user row to the array of its held-out
    item rows; users without held-out items are absent.
    """
    if not 0.0 < holdout < 1.0:
        raise ValueError("holdout must lie in (0, 1)")
    user, item, weight, time = aggregate_interactions(data)
    rng = np.random.default_rng(seed)
    tiebreak = rng.random(len(user))
    order = np.lexsort((tiebreak, time, user))  # by user, then time, then random
    user, item, weight, time = user[order], item[order], weight[order], time[order]
    chosen = np.ones(data.num_users, dtype=bool)
    if user_fraction < 1.0:
        chosen = rng.random(data.num_users) < user_fraction
    keep = np.ones(len(user), dtype=bool)
    valid: dict[int, np.ndarray] = {}
    positive = weight > 0
    bounds = np.searchsorted(user, np.arange(data.num_users + 1))
    for u in np.flatnonzero(chosen):
        lo, hi = bounds[u], bounds[u + 1]
        pos = lo + np.flatnonzero(positive[lo:hi])
        n_out = int(np.ceil(holdout * len(pos)))
        if n_out == 0 or len(pos) - n_out < min_train:
            continue
        out = pos[-n_out:]
        keep[out] = False
        valid[int(u)] = item[out].copy()
    train = replace(data, user=user[keep], item=item[keep], weight=weight[keep], time=time[keep])
    return train, valid


def snapshot_hash(data: TrainingData) -> str:
    """A sha256 over every array and string of ``data``: equal data gives an equal hash."""
    h = hashlib.sha256()
    h.update(f"{data.num_users}:{data.num_items}:{data.num_tags}:".encode())
    h.update(f"{data.num_categories}:{data.num_types}".encode())
    arrays: list[np.ndarray | None] = [data.user, data.item, data.weight, data.time]
    arrays += list(data.item_tags) if data.item_tags is not None else [None, None]
    arrays += [data.item_category, data.item_type, data.item_creator]
    if data.context is not None:
        c = data.context
        h.update(f"context:{c.bands}:{c.devices}".encode())
        arrays += [c.user, c.item, c.time, c.band, c.device]
    for arr in arrays:
        if arr is None:
            h.update(b"-")
            continue
        h.update(str(arr.dtype).encode() + str(arr.shape).encode())
        h.update(np.ascontiguousarray(arr).tobytes())
    for text in data.item_text or []:
        h.update(text.encode("utf-8") + b"\x00")
    return h.hexdigest()
