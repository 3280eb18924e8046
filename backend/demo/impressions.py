"""Stage 6: the served lists the exposures came from, and lists nobody opened anything in.

Every viewed item was first shown in a list: a reader's views less than ``SESSION_GAP``
apart (at most ``MAX_OPENED`` of them) share one list, shown a little before the first of
them. The opened items take positions drawn with a position bias (the top of a list gets
more attention), the other places are filled with items the same kind of list would have
held (for the reader's taste, or trending), published by then. On top of these come lists
in which nothing was opened. So clicks follow from impressions, and CTR falls with the
position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from backend.content.bulk import bulk_insert, indexes_dropped
from backend.demo.interactions import Exposures
from backend.demo.items import Items
from backend.demo.plan import DAY, DemoPlan
from backend.demo.readers import Readers
from backend.demo.sampling import GroupSampler, categorical
from backend.demo.taxonomy import Taxonomy
from backend.interactions.models import Impression

__all__ = ["LIST_LENGTH", "METHODS", "ServedLists", "build_impressions", "served_lists"]

# The values of backend.recommendations.serving.Method, by index.
METHODS = ("hybrid", "content", "trending", "fallback")
HYBRID, CONTENT, TRENDING, FALLBACK = range(4)
LIST_LENGTH = 10
SESSION_GAP = 3600
MAX_OPENED = 4
# Lists in which nothing was opened, per exposure.
UNOPENED_LISTS = 0.2
# Attention by position: 1 / (position + 1) ** POSITION_BIAS.
POSITION_BIAS = 0.8
# New readers get content-based lists (or trending ones) for their first days.
NEW_READER_S = 3 * DAY
# The model is retrained weekly; now and then it is down for a few hours (fallback lists).
RETRAIN_S = 7 * DAY
OUTAGE_S = 6 * 3600


@dataclass(frozen=True)
class ServedLists:
    """One row per impression (item index, position, list index) and per list its reader,
    time, method and model version index (-1: none)."""

    item: np.ndarray
    position: np.ndarray
    list: np.ndarray
    list_user: np.ndarray
    list_time: np.ndarray
    list_method: np.ndarray
    list_version: np.ndarray


def _sessions(rng, exposures: Exposures, items: Items, readers: Readers):
    """Group each reader's views into lists; returns (views in order, list per view, list
    times). A view whose item was not yet published when the list was shown starts a list."""
    order = np.lexsort((exposures.time, exposures.user))
    user, item, t = exposures.user[order], exposures.item[order], exposures.time[order]
    n = len(user)
    lead = rng.integers(5, 240, n)
    start = np.ones(n, bool)
    start[1:] = (user[1:] != user[:-1]) | (t[1:] - t[:-1] > SESSION_GAP)
    while True:
        idx = np.arange(n)
        rank = idx - np.maximum.accumulate(np.where(start, idx, 0))
        start |= rank % MAX_OPENED == 0
        first = np.flatnonzero(start)
        shown = np.maximum(t[first] - lead[first], readers.joined[user[first]])
        shown = np.maximum(shown, items.published[item[first]])
        session = np.cumsum(start) - 1
        late = items.published[item] > shown[session]
        if not late.any():
            return order, session, user[first], shown
        start |= late


def _opened_positions(rng, session: np.ndarray, n_lists: int) -> np.ndarray:
    """A position per opened item, distinct within a list, biased towards the top."""
    bias = -POSITION_BIAS * np.log(np.arange(LIST_LENGTH) + 1.0)
    gumbel = -np.log(-np.log(rng.random((n_lists, LIST_LENGTH))))
    ranked = np.argsort(-(bias + gumbel), axis=1)
    rank = np.arange(len(session)) - np.searchsorted(session, session)
    return ranked[session, rank]


def _unopened(rng, exposures: Exposures, readers: Readers, plan: DemoPlan):
    """Lists shown to readers around the times they are active, in which they opened nothing."""
    pick = rng.integers(0, len(exposures.user), int(UNOPENED_LISTS * len(exposures.user)))
    user = exposures.user[pick]
    shift = rng.integers(-3, 4, len(pick)) * DAY + rng.integers(-3 * 3600, 3 * 3600, len(pick))
    shown = np.clip(exposures.time[pick] + shift, readers.joined[user], plan.now_s)
    return user, np.maximum(shown, plan.start_s)


def _methods(rng, plan: DemoPlan, readers: Readers, user, shown, explored) -> np.ndarray:
    """How each list was made: hybrid for known readers, content or trending for new ones
    and exploration, fallback while the model was down."""
    method = np.full(len(user), HYBRID)
    new = shown - readers.joined[user] < NEW_READER_S
    method[new] = np.where(rng.random(new.sum()) < 0.6, CONTENT, TRENDING)
    method[explored] = TRENDING
    outages = plan.start_s + rng.random(max(1, plan.days // 60)) * plan.days * DAY
    down = ((shown[:, None] >= outages) & (shown[:, None] < outages + OUTAGE_S)).any(axis=1)
    method[down] = FALLBACK
    return method


def _fillers(rng, taxonomy, items: Items, readers: Readers, user, shown, personal):
    """An item for each free place: by the reader's taste (personal lists) or by
    popularity, published by the time the list was shown; -1 where none was found."""
    n = len(user)
    cum = np.cumsum(readers.taste, axis=1)
    cum /= cum[:, -1:]
    flat = (cum + np.arange(len(cum))[:, None]).ravel()
    k = taxonomy.n_categories
    cat = np.searchsorted(flat, user + rng.random(n) * (1 - 1e-9), side="right") - user * k
    cat = np.clip(cat, 0, k - 1)
    by_category = GroupSampler(items.category, items.popularity, k)
    out = np.full(n, -1)
    for _ in range(3):
        todo = np.flatnonzero(out < 0)
        cand = np.where(
            personal[todo],
            by_category.sample(rng, cat[todo]),
            categorical(rng, items.popularity, len(todo)),
        )
        ok = (cand >= 0) & (items.published[np.maximum(cand, 0)] <= shown[todo])
        out[todo[ok]] = cand[ok]
    return out


def _assemble(opened: tuple, filled: tuple, n_items: int) -> tuple[np.ndarray, ...]:
    """Opened and filler rows, one per (list, item) (opened first), positions 0.. in order."""
    lists = np.concatenate([opened[0], filled[0]])
    position = np.concatenate([opened[1], filled[1]])
    item = np.concatenate([opened[2], filled[2]])
    is_filler = np.concatenate([np.zeros(len(opened[0]), bool), np.ones(len(filled[0]), bool)])
    keep = item >= 0
    lists, position, item, is_filler = lists[keep], position[keep], item[keep], is_filler[keep]
    order = np.lexsort((is_filler, lists * n_items + item))
    key = (lists * n_items + item)[order]
    first = order[np.concatenate([[True], key[1:] != key[:-1]])]
    lists, position, item = lists[first], position[first], item[first]
    order = np.lexsort((position, lists))
    lists, item = lists[order], item[order]
    compact = np.arange(len(lists)) - np.searchsorted(lists, lists)
    return lists, compact, item


def served_lists(
    plan: DemoPlan, taxonomy: Taxonomy, items: Items, readers: Readers, exposures: Exposures
) -> ServedLists:
    """Draw every served list (pure: writes nothing)."""
    rng = plan.rng("impressions")
    order, session, opened_user, opened_time = _sessions(rng, exposures, items, readers)
    n_opened_lists = len(opened_user)
    opened = (session, _opened_positions(rng, session, n_opened_lists), exposures.item[order])
    extra_user, extra_time = _unopened(rng, exposures, readers, plan)
    list_user = np.concatenate([opened_user, extra_user])
    list_time = np.concatenate([opened_time, extra_time])
    # A list is trending when the view that led to it was exploration.
    led_by_exploration = np.zeros(len(list_user), bool)
    first_view = np.flatnonzero(np.diff(session, prepend=-1))
    led_by_exploration[:n_opened_lists] = exposures.explored[order][first_view]
    method = _methods(rng, plan, readers, list_user, list_time, led_by_exploration)
    # Every free place of every list.
    taken = np.zeros((len(list_user), LIST_LENGTH), bool)
    taken[opened[0], opened[1]] = True
    free_list, free_pos = np.nonzero(~taken)
    personal = method[free_list] <= CONTENT
    filler = _fillers(
        rng, taxonomy, items, readers, list_user[free_list], list_time[free_list], personal
    )
    lists, position, item = _assemble(opened, (free_list, free_pos, filler), len(items))
    week = np.clip((list_time - plan.start_s) // RETRAIN_S, 0, None)
    version = np.where(method == FALLBACK, -1, week)
    return ServedLists(item, position, lists, list_user, list_time, method, version)


def _model_versions(rng, plan: DemoPlan) -> list[str]:
    """Names like the trainer's (``<UTC time>-<data hash>-r<run>``), one per weekly run."""
    weeks = plan.days * DAY // RETRAIN_S + 1
    hashes = rng.integers(0, 1 << 32, weeks).tolist()
    names = []
    for w in range(weeks):
        trained = datetime.fromtimestamp(plan.start_s + w * RETRAIN_S - 4 * 3600, tz=UTC)
        names.append(f"{trained:%Y%m%dT%H%M%S}-{hashes[w]:08x}-r{w + 1}")
    return names


def build_impressions(
    plan: DemoPlan, taxonomy: Taxonomy, items: Items, readers: Readers, exposures: Exposures
) -> dict[str, int]:
    served = served_lists(plan, taxonomy, items, readers, exposures)
    rng = plan.rng("request ids")
    n_lists = len(served.list_user)
    words = rng.integers(0, 1 << 62, size=(n_lists, 2)).tolist()
    request_ids = np.array([f"{a:016x}{b:016x}" for a, b in words], dtype=object)
    versions = np.array(["", *_model_versions(rng, plan)], dtype=object)
    shown_text = np.array(plan.times(served.list_time), dtype=object)
    # In the order they were shown, as a server would have logged them.
    order = np.argsort(served.list_time[served.list], kind="stable")
    rows = served.list[order]
    with indexes_dropped(Impression):
        written = bulk_insert(
            Impression,
            {
                "user_id": readers.ids[served.list_user[rows]],
                "item_id": items.ids[served.item[order]],
                "position": served.position[order],
                "method": np.array(METHODS, dtype=object)[served.list_method[rows]],
                "model_version": versions[served.list_version[rows] + 1],
                "variant": [""] * len(rows),
                "request_id": request_ids[rows],
                "shown_at": shown_text[rows],
            },
            desc="impressions",
            progress=plan.progress,
        )
    # A list whose places found no item published by then is not written.
    return {"impressions": written, "impression_lists": len(np.unique(served.list))}
