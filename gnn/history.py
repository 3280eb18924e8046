"""A user's history as the query row the model scores: damped weights, a recency tilt, the
degree normalisation of the graph.

Training builds every user's row from the aggregated interactions (:func:`query_rows`);
serving builds one live row from a user's current feedback (:func:`history_row`). Both go
through the same damping and tilt, so a user scores the same either way.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .data import TrainingData, aggregate_interactions

__all__ = [
    "STRENGTHS",
    "damp",
    "history_row",
    "query_rows",
    "recency_fraction",
    "strength",
    "training_queries",
]

#: How an act's summed weight counts in the graph and in a user's row: ``"damped"`` (a like
#: outweighs a view) or ``"binary"`` (every positive pair counts once). Which one predicts a
#: platform's next interactions better is chosen per data set (:func:`gnn.recipe.choose`).
STRENGTHS = ("damped", "binary")


def damp(weight: np.ndarray) -> np.ndarray:
    """``1 + log w`` for ``w >= 1``: a like outweighs a view without a binge of views
    dominating a user (or, in the graph, an item)."""
    w = np.asarray(weight, dtype=np.float32)
    return np.where(w >= 1.0, 1.0 + np.log(np.maximum(w, 1.0)), w).astype(np.float32)


def strength(weight: np.ndarray, kind: str = "damped") -> np.ndarray:
    """Positive summed weights as they count under ``kind`` (one of :data:`STRENGTHS`)."""
    if kind == "binary":
        return np.ones(np.shape(weight), dtype=np.float32)
    if kind != "damped":
        raise ValueError(f"unknown strength {kind!r}; expected one of {STRENGTHS}")
    return damp(weight)


def _normalise_rows(rows: sp.csr_matrix, degree: np.ndarray) -> sp.csr_matrix:
    scale = 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0))
    return (sp.diags(scale.astype(np.float32)) @ rows).tocsr().astype(np.float32)


def recency_fraction(
    user: np.ndarray, item: np.ndarray, time: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix | None:
    """Each pair's rank by time within its user, as a fraction in ``(0, 1]`` (1: the latest).

    Ties share their mean rank, so a user whose interactions carry no time gets a constant
    fraction. Returns ``None`` when no user has two distinct times (nothing to weight).
    """
    if not len(user):
        return None
    order = np.lexsort((time, user))
    u_s, t_s = user[order], time[order]
    starts = np.searchsorted(u_s, np.arange(shape[0] + 1))
    counts = np.diff(starts).astype(np.float64)
    pos = np.arange(len(u_s)) - starts[u_s] + 1.0
    new = np.r_[True, (u_s[1:] != u_s[:-1]) | (t_s[1:] != t_s[:-1])]
    if int(new.sum()) == int((counts > 0).sum()):
        return None
    group = np.cumsum(new) - 1
    mean_pos = (np.bincount(group, weights=pos) / np.bincount(group))[group]
    frac = np.empty(len(u_s))
    frac[order] = mean_pos / counts[u_s]
    return sp.csr_matrix((frac.astype(np.float32), (user, item)), shape=shape)


def query_rows(rows: sp.csr_matrix, fraction: sp.csr_matrix | None, power: float) -> sp.csr_matrix:
    """Users' queries: damped weights times ``fraction ** power``, over ``sqrt`` of the degree.

    The recency factor tilts a profile towards what the user did last (``power = 0``: no
    tilt); rows keep their total weight, so only the mix within a user changes.
    """
    degree = np.asarray(rows.sum(axis=1)).ravel()
    if fraction is None or power == 0:
        return _normalise_rows(rows, degree)
    tilted = rows.multiply(fraction.power(power)).tocsr()
    mass = np.asarray(tilted.sum(axis=1)).ravel()
    factor = np.where(mass > 0, degree / np.where(mass > 0, mass, 1.0), 0.0)
    tilted = (sp.diags(factor.astype(np.float32)) @ tilted).tocsr()
    return _normalise_rows(tilted, degree)


def training_queries(data: TrainingData, power: float, kind: str = "damped") -> sp.csr_matrix:
    """Every user's query row from the positive, aggregated interactions of ``data``."""
    user, item, weight, when = aggregate_interactions(data)
    keep = weight > 0
    user, item, weight, when = user[keep], item[keep], weight[keep], when[keep]
    shape = (data.num_users, data.num_items)
    rows = sp.csr_matrix((strength(weight, kind), (user, item)), shape=shape)
    fraction = recency_fraction(user, item, when, shape) if power else None
    return query_rows(rows, fraction, power)


def history_row(
    item_rows: np.ndarray,
    weights: np.ndarray | None,
    times: np.ndarray | None,
    num_items: int,
    power: float,
    kind: str = "damped",
) -> sp.csr_matrix:
    """One user's query row (``1 x num_items``) from their positive feedback, as in training.

    Repeated items are merged like :func:`gnn.data.aggregate_interactions` does (weights
    summed, the latest time kept); non-positive totals are dropped.
    """
    item_rows = np.asarray(item_rows, dtype=np.int64)
    w = np.ones(len(item_rows), np.float32) if weights is None else np.asarray(weights, np.float32)
    t = np.zeros(len(item_rows), np.int64) if times is None else np.asarray(times, np.int64)
    uniq, inv = np.unique(item_rows, return_inverse=True)
    total = np.zeros(len(uniq), np.float64)
    np.add.at(total, inv, w)
    latest = np.full(len(uniq), np.iinfo(np.int64).min, np.int64)
    np.maximum.at(latest, inv, t)
    keep = total > 0
    uniq, total, latest = uniq[keep], total[keep].astype(np.float32), latest[keep]
    zeros = np.zeros(len(uniq), np.int64)
    shape = (1, num_items)
    rows = sp.csr_matrix((strength(total, kind), (zeros, uniq)), shape=shape)
    fraction = recency_fraction(zeros, uniq, latest, shape) if power else None
    return query_rows(rows, fraction, power)
