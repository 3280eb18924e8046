"""Database id -> model row, over an array of ids rather than a dict.

A ``dict`` of a million items costs a server worker about 100 MB (the table and two int
objects per entry), and each worker builds its own. :class:`RowIndex` keeps the ids as one
int64 array (8 bytes an item) and answers by binary search; the model's id maps are sorted
by id, so it needs no permutation of its own then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

__all__ = ["RowIndex", "rows_of"]


class RowIndex(Mapping[int, int]):
    """A read-only ``{database id: row}`` for the ids ``ids`` (row ``r`` holds ``ids[r]``)."""

    def __init__(self, ids: Sequence[int] | np.ndarray) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        ascending = bool(np.all(self.ids[1:] > self.ids[:-1]))
        if not ascending and len(np.unique(self.ids)) != len(self.ids):
            raise ValueError("ids repeat")
        # rows in id order: None when the ids are ascending already (the model's id maps)
        self._order = None if ascending else np.argsort(self.ids, kind="stable")
        self._sorted = self.ids if ascending else self.ids[self._order]

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """The row of each of ``ids``, -1 for an id that has none."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self._sorted):
            return np.full(ids.shape, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, ids), len(self._sorted) - 1)
        found = self._sorted[at] == ids
        rows = at if self._order is None else self._order[at]
        return np.where(found, rows, -1)

    def __getitem__(self, item_id: int) -> int:
        row = self._row(item_id)
        if row < 0:
            raise KeyError(item_id)
        return row

    def __contains__(self, item_id: object) -> bool:
        return self._row(item_id) >= 0

    def __iter__(self) -> Iterator[int]:
        return (int(i) for i in self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def _row(self, item_id: object) -> int:
        if not isinstance(item_id, int | np.integer) or not len(self._sorted):
            return -1
        at = int(np.searchsorted(self._sorted, item_id))
        if at == len(self._sorted) or self._sorted[at] != item_id:
            return -1
        return at if self._order is None else int(self._order[at])


def rows_of(index: Mapping[int, int], ids: Sequence[int]) -> np.ndarray:
    """The row of each of ``ids`` in ``index``, -1 where it has none: one vectorised search
    for a :class:`RowIndex` (a lookup per id costs a binary search's Python overhead)."""
    if isinstance(index, RowIndex):
        return index.rows_of(np.asarray(ids, dtype=np.int64))
    return np.array([index.get(int(i), -1) for i in ids], dtype=np.int64)
