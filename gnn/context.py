"""Context affinities: how much more (or less) each kind of item is engaged with in a moment
(an hour band of the day, a device) than it is overall.

Items fall into *groups* (``category * num_types + type``). From the positive acts that
carry a context, count ``n[g, b, d]``: acts on items of group ``g`` in hour band ``b`` on
device ``d``, with one more band and one more device, ``ANY``, for the margins (an act whose
device is unknown counts in ``n[g, b, ANY]`` only). The lift of a group in a context is the
smoothed log ratio of what was observed to what the group's overall share predicts,

    ``lift[g, b, d] = log((n[g, b, d] + prior) / (E[g, b, d] + prior))``,
    ``E[g, b, d] = n[., b, d] * n[g, ANY, ANY] / n[., ANY, ANY]``,

so that a cell with few acts stays near 0 and ``lift[:, ANY, ANY] = 0``: a request without
context gets no term at all. Scores are in the units serving ranks in (a user's scores over
the spread of their candidates); the term added is ``weight * lift[group, b, d]``, with the
weight chosen on a validation split (:func:`choose_weight`), never on a test set. On data
where the context says nothing every lift is 0 and so is the term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "ContextActs",
    "ContextAffinity",
    "DEFAULT_PRIOR",
    "WeightChoice",
    "choose_weight",
    "fit_lift",
    "item_groups",
    "latest_contexts",
]

# Pseudo-acts each cell's observed count and its expected count start from.
DEFAULT_PRIOR = 20.0
# Validation requests the weight is chosen on, at most (sampled with the seed beyond).
MAX_REQUESTS = 4000
# A weight must beat no term by this much (relative recall) to be kept: noise in the lifts of
# an uninformative context must not buy a term.
TOLERANCE = 0.005


@dataclass
class ContextActs:
    """Positive acts with their context, as rows: ``user[k]`` acted on ``item[k]`` at
    ``time[k]`` in hour band ``band[k]`` on device ``device[k]`` (-1: not known)."""

    user: np.ndarray
    item: np.ndarray
    time: np.ndarray
    band: np.ndarray
    device: np.ndarray
    bands: tuple[str, ...]
    devices: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in ("user", "item", "time", "band", "device"):
            setattr(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.int64))
        n = len(self.user)
        if any(len(getattr(self, a)) != n for a in ("item", "time", "band", "device")):
            raise ValueError("context acts: every array needs one row per act")
        for name, count in (("band", len(self.bands)), ("device", len(self.devices))):
            values = getattr(self, name)
            if len(values) and (values.min() < -1 or values.max() >= count):
                raise ValueError(f"context acts: {name} must lie in [-1, {count})")

    def __len__(self) -> int:
        return len(self.user)

    def subset(self, keep: np.ndarray) -> ContextActs:
        return ContextActs(
            self.user[keep],
            self.item[keep],
            self.time[keep],
            self.band[keep],
            self.device[keep],
            self.bands,
            self.devices,
        )


def item_groups(item_category: np.ndarray, item_type: np.ndarray, num_types: int) -> np.ndarray:
    """``category * num_types + type`` per item, -1 where either is unknown (-1)."""
    cat = np.asarray(item_category, dtype=np.int64)
    typ = np.asarray(item_type, dtype=np.int64)
    return np.where((cat >= 0) & (typ >= 0), cat * num_types + typ, -1)


def fit_lift(
    groups: np.ndarray,
    acts: ContextActs,
    num_groups: int,
    prior: float = DEFAULT_PRIOR,
) -> np.ndarray:
    """The lift table ``(groups, bands + 1, devices + 1)`` (last band and device: ANY) of the
    acts, ``groups`` being the group of every item row (see the module docstring)."""
    nb, nd = len(acts.bands), len(acts.devices)
    g = groups[acts.item]
    known = (g >= 0) & ((acts.band >= 0) | (acts.device >= 0))
    g, band, device = g[known], acts.band[known], acts.device[known]
    band = np.where(band >= 0, band, nb)
    device = np.where(device >= 0, device, nd)
    shape = (num_groups, nb + 1, nd + 1)
    # every act counts in its own cell, in the margins of its band and of its device when it
    # has both, and in its group's total
    both = (band < nb) & (device < nd)
    flat = np.concatenate(
        [
            np.ravel_multi_index((g, band, device), shape),
            np.ravel_multi_index((g[both], band[both], np.full(both.sum(), nd)), shape),
            np.ravel_multi_index((g[both], np.full(both.sum(), nb), device[both]), shape),
            np.ravel_multi_index((g, np.full(len(g), nb), np.full(len(g), nd)), shape),
        ]
    )
    counts = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.float64)
    total = counts[:, nb, nd].sum()
    if total <= 0:
        return np.zeros(shape, dtype=np.float32)
    share = counts[:, nb, nd] / total
    expected = counts.sum(axis=0, keepdims=True) * share[:, None, None]
    lift = np.log((counts + prior) / (expected + prior))
    # exactly 0 where the context says nothing (not a rounding error's worth of a term)
    lift[np.abs(lift) < 1e-6] = 0.0
    lift[:, nb, nd] = 0.0
    return lift.astype(np.float32)


@dataclass
class ContextAffinity:
    """A fitted lift table and the weight serving gives it."""

    lift: np.ndarray
    weight: float
    bands: tuple[str, ...]
    devices: tuple[str, ...]

    def column(self, band: int | None, device: int | None) -> np.ndarray | None:
        """``weight * lift[:, band, device]`` with a trailing 0 (for items of no group: index
        them with ``num_groups``), or ``None`` when the request has no context or the term
        no weight."""
        if self.weight == 0.0 or (band is None and device is None):
            return None
        b = len(self.bands) if band is None else band
        d = len(self.devices) if device is None else device
        return np.append(self.weight * self.lift[:, b, d], np.float32(0.0)).astype(np.float32)


def latest_contexts(acts: ContextActs, num_items: int, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """The band and device of the latest act of each ``user * num_items + item`` key (-1, -1
    where none carries a context)."""
    act_keys = acts.user * np.int64(num_items) + acts.item
    order = np.lexsort((acts.time, act_keys))
    sorted_keys = act_keys[order]
    last = np.r_[sorted_keys[1:] != sorted_keys[:-1], True] if len(order) else np.zeros(0, bool)
    unique, rows = sorted_keys[last], order[last]
    at = np.minimum(np.searchsorted(unique, keys), max(len(unique) - 1, 0))
    found = (unique[at] == keys) if len(unique) else np.zeros(len(keys), bool)
    band = np.where(found, acts.band[rows[at]] if len(rows) else -1, -1)
    device = np.where(found, acts.device[rows[at]] if len(rows) else -1, -1)
    return band, device


@dataclass
class WeightChoice:
    weight: float
    recall: float  # validation recall@k of the contextual requests at that weight
    base_recall: float  # the same requests without the term
    ndcg: float
    base_ndcg: float
    requests: int


def choose_weight(
    user_scores,
    valid: dict[int, np.ndarray],
    exclude,
    groups: np.ndarray,
    acts: ContextActs,
    lift: np.ndarray,
    grid: tuple[float, ...],
    *,
    k: int = 20,
    seed: int = 0,
    batch: int = 256,
) -> WeightChoice:
    """The weight of ``grid`` whose term ranks the held-out items best, one request per
    (user, band, device) of the held-out pairs, each judged on the items the user engaged
    with in that context: by recall@k, ties (a term that only reorders the top) by
    NDCG@k; a weight must beat no term by ``TOLERANCE``. ``user_scores(rows)`` gives a batch
    of users' scores (users x items) and ``exclude`` (CSR, users x items) the training items
    never ranked."""
    requests = _requests(valid, acts, exclude.shape[1], seed)
    if not requests[0].size or not any(grid):
        return WeightChoice(0.0, 0.0, 0.0, 0.0, 0.0, int(requests[0].size))
    users, bands, devices, truths = requests
    padded = np.concatenate([lift, np.zeros((1, *lift.shape[1:]), np.float32)])
    by_item = padded[np.where(groups >= 0, groups, len(lift))]  # (items, bands+1, devices+1)
    sums = {w: np.zeros(2) for w in (0.0, *grid)}
    order = np.argsort(users, kind="stable")
    for start in range(0, len(order), batch):
        chunk = order[start : start + batch]
        rows, inverse = np.unique(users[chunk], return_inverse=True)
        scores = _unit_scores(user_scores(rows), exclude[rows])[inverse]
        term = by_item[:, bands[chunk], devices[chunk]].T  # (requests, items)
        held = [truths[i] for i in chunk]
        for w in sums:
            ranked = scores + np.float32(w) * term if w else scores
            top = torch.topk(torch.from_numpy(ranked), min(k, ranked.shape[1]), dim=1).indices
            sums[w] += _judge(top.numpy(), held, k)
    means = {w: s / len(users) for w, s in sums.items()}
    base = means[0.0]
    best = max(grid, key=lambda w: (round(means[w][0], 9), round(means[w][1], 9), -w))
    gain = means[best] - base
    if not (gain[0] > base[0] * TOLERANCE or (gain[0] >= 0 and gain[1] > base[1] * TOLERANCE)):
        best = 0.0
    chosen = means[best]
    return WeightChoice(float(best), chosen[0], base[0], chosen[1], base[1], len(users))


def _requests(valid: dict[int, np.ndarray], acts: ContextActs, num_items: int, seed: int):
    """(user, band, device, held-out items) of every validation request, sampled to
    ``MAX_REQUESTS``; an unknown band or device is the margin ANY."""
    users = np.repeat(
        np.array(list(valid), dtype=np.int64), [len(v) for v in valid.values()]
    ).astype(np.int64)
    items = np.concatenate([np.asarray(v, np.int64) for v in valid.values()] or [np.zeros(0)])
    items = items.astype(np.int64)
    band, device = latest_contexts(acts, num_items, users * np.int64(num_items) + items)
    known = (band >= 0) | (device >= 0)
    users, items = users[known], items[known]
    band = np.where(band[known] >= 0, band[known], len(acts.bands))
    device = np.where(device[known] >= 0, device[known], len(acts.devices))
    key = (users * (len(acts.bands) + 1) + band) * (len(acts.devices) + 1) + device
    unique, inverse = np.unique(key, return_inverse=True)
    truths = [[] for _ in range(len(unique))]
    for r, item in zip(inverse.tolist(), items.tolist(), strict=True):
        truths[r].append(item)
    firsts = np.unique(inverse, return_index=True)[1]
    picked = np.arange(len(unique))
    if len(unique) > MAX_REQUESTS:
        picked = np.sort(np.random.default_rng(seed).choice(len(unique), MAX_REQUESTS, False))
    rows = firsts[picked]
    return (
        users[rows],
        band[rows],
        device[rows],
        [np.array(truths[r], dtype=np.int64) for r in picked],
    )


def _unit_scores(scores: np.ndarray, seen) -> np.ndarray:
    """Each row over its spread among the items it may rank, training items at -inf: the
    units serving adds the term in."""
    scores = np.array(scores, dtype=np.float32)
    mask = np.zeros(scores.shape, bool)
    coo = seen.tocoo()
    mask[coo.row, coo.col] = True
    spread = np.std(scores, axis=1, where=~mask, keepdims=True)
    scores /= np.where(np.isfinite(spread) & (spread > 1e-9), spread, 1.0)
    scores[mask] = -np.inf
    return scores


def _judge(top: np.ndarray, held: list[np.ndarray], k: int) -> np.ndarray:
    """Sums of recall@k and NDCG@k over requests: ``top`` holds each request's ranked
    items, ``held`` the items it is judged on."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)
    total = np.zeros(2)
    for row, truth in zip(top, held, strict=True):
        hit = np.isin(row, truth)
        total[0] += hit.sum() / len(truth)
        total[1] += discount[: len(row)][hit].sum() / ideal[min(len(truth), k) - 1]
    return total
