"""Vectorised draws the stages share: categorical draws, weighted members of groups."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from backend.demo.plan import DAY

__all__ = [
    "GroupSampler",
    "categorical",
    "dedupe_rows",
    "row_categorical",
    "rowwise_categorical",
    "sigmoid",
    "timezone_offsets",
]


def categorical(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """``size`` draws of an index with probability ∝ ``probs``."""
    cum = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(probs) - 1)


def rowwise_categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, k) matrix of non-negative weights."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


def row_categorical(rng: np.random.Generator, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One draw per entry of ``row``, of a column of ``table`` (rows of non-negative weights,
    each with a positive sum) with probability ∝ that row: one search over the flattened
    cumulative rows, however many draws."""
    cum = np.cumsum(table, axis=1)
    cum /= cum[:, -1:]
    flat = (cum + np.arange(len(table))[:, None]).ravel()
    u = row + rng.random(len(row)) * (1.0 - 1e-9)
    col = np.searchsorted(flat, u, side="right") - row * table.shape[1]
    return np.clip(col, 0, table.shape[1] - 1)


class GroupSampler:
    """Draw members of a group (e.g. items of a category) with probability ∝ weight."""

    def __init__(self, groups: np.ndarray, weights: np.ndarray, n_groups: int) -> None:
        self.order = np.argsort(groups, kind="stable")
        self.cum = np.concatenate([[0.0], np.cumsum(weights[self.order])])
        counts = np.bincount(groups, minlength=n_groups)
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.end = self.start + counts
        self.counts = counts

    def sample(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """One member per entry of ``group``; -1 where the group is empty."""
        lo = self.cum[self.start[group]]
        hi = self.cum[self.end[group]]
        target = lo + rng.random(len(group)) * (hi - lo)
        pos = np.searchsorted(self.cum, target, side="right") - 1
        pos = np.clip(pos, self.start[group], np.maximum(self.end[group] - 1, self.start[group]))
        out = self.order[np.minimum(pos, len(self.order) - 1)]
        return np.where(self.counts[group] > 0, out, -1)


def dedupe_rows(matrix: np.ndarray) -> np.ndarray:
    """Sort each row and blank (-1) repeated values."""
    m = np.sort(matrix, axis=1)
    dup = np.zeros_like(m, dtype=bool)
    dup[:, 1:] = m[:, 1:] == m[:, :-1]
    m[dup] = -1
    return m


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def timezone_offsets(names: list[str], first_day: int, n_days: int) -> np.ndarray:
    """(zone, day) -> UTC offset in seconds, daylight saving included."""
    table = np.zeros((len(names), n_days), dtype=np.int64)
    for z, name in enumerate(names):
        zone = ZoneInfo(name)
        for d in range(n_days):
            moment = datetime.fromtimestamp((first_day + d) * DAY + DAY // 2, tz=UTC)
            table[z, d] = int(moment.astimezone(zone).utcoffset().total_seconds())
    return table
