"""Stage 5: exposures (which reader met which item, when, on what) and the feedback funnel.

Each exposure happens after the item's publication and the reader's sign-up, mostly soon
after publication, at a local hour drawn from a weekday or weekend curve that depends on
the item's category and type (long reads in the evening, audio in the morning), on a device
that depends on the reader, the hour and the type (videos on TVs, long reads on desktops),
and runs a funnel: a view, then a click and a dwell (milliseconds), then like / save / share /
comment when the item fits the reader's taste, or skip / dislike / hide when it does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.content.bulk import bulk_insert, indexes_dropped
from backend.demo.items import Items
from backend.demo.plan import DAY, DemoPlan
from backend.demo.readers import TIMEZONE_NAMES, Readers
from backend.demo.sampling import (
    GroupSampler,
    categorical,
    row_categorical,
    rowwise_categorical,
    sigmoid,
    timezone_offsets,
)
from backend.demo.taxonomy import Taxonomy
from backend.demo.vocabulary import (
    BAND_DEVICES,
    DEVICES,
    DWELL_MEDIAN_MS,
    HOUR_BAND,
    HOURS_WEEKDAY,
    HOURS_WEEKEND,
    OTHER_DEVICE_SHARE,
    TYPE_BANDS,
    TYPE_DEVICES,
)
from backend.interactions.models import Interaction

__all__ = ["KINDS", "Exposures", "Feedback", "affinity", "build_interactions", "fit"]

# Interaction kinds by index, in funnel order.
KINDS = ["view", "click", "dwell", "like", "save", "share", "comment", "skip", "dislike", "hide"]
# Share of exposures that are exploration: a popular item, not chosen for taste.
EXPLORATION = 0.12


@dataclass(frozen=True)
class Exposures:
    """One per (reader, item) met: reader and item indices, the view's time."""

    user: np.ndarray
    item: np.ndarray
    time: np.ndarray
    explored: np.ndarray  # an exploration exposure, not a personal pick


@dataclass(frozen=True)
class Feedback:
    exposures: Exposures
    # Every interaction written: reader and item indices, KINDS index, Unix seconds.
    user: np.ndarray
    item: np.ndarray
    kind: np.ndarray
    time: np.ndarray
    counts: dict[str, int]


def affinity(readers: Readers, items: Items, user: np.ndarray, item: np.ndarray) -> np.ndarray:
    """How well items fit readers: category taste, tag affinity, type preference."""
    return fit(
        readers.taste,
        readers.tag_affinity,
        readers.type_preference,
        user,
        items.category[item],
        items.tags[item],
        items.type[item],
    )


def fit(
    taste: np.ndarray,
    tag_affinity: np.ndarray,
    type_preference: np.ndarray,
    user: np.ndarray,
    category: np.ndarray,
    tags: np.ndarray,
    item_type: np.ndarray,
) -> np.ndarray:
    """:func:`affinity` from the arrays themselves (the simulator keeps them apart from the
    generator's stages): reader rows ``user`` against items' category indices (-1: none),
    tag indices (last axis, -1 padded) and type indices."""
    share = np.where(category >= 0, taste[user, np.maximum(category, 0)], 0.0)
    cat = np.log(share + 0.01)
    tag_score = np.where(tags >= 0, tag_affinity[user[..., None], np.maximum(tags, 0)], 0.0).sum(
        axis=-1
    )
    typ = np.log(type_preference[user, item_type] + 0.05)
    return 0.6 * cat + 1.2 * tag_score + 0.5 * typ


def _choose(rng, taxonomy: Taxonomy, items: Items, readers: Readers, n_creators: int):
    """Which items each reader meets: from a favourite creator, by taste, or exploring."""
    user = np.repeat(np.arange(len(readers)), readers.activity)
    n = len(user)
    by_category = GroupSampler(items.category, items.popularity, taxonomy.n_categories)
    by_creator = GroupSampler(items.creator, items.popularity, n_creators)
    source = rng.random(n)
    explored = source < EXPLORATION
    cat = np.where(
        explored,
        categorical(rng, taxonomy.category_pop, n),
        rowwise_categorical(rng, readers.taste[user]),
    )
    k = 5
    cand = by_category.sample(rng, np.repeat(cat, k)).reshape(n, k)
    valid = cand >= 0
    cand = np.where(valid, cand, 0)
    gumbel = -np.log(-np.log(rng.random((n, k))))
    logit = affinity(readers, items, user[:, None], cand)
    item = cand[np.arange(n), np.argmax(np.where(valid, logit + gumbel, -np.inf), axis=1)]
    item = np.where(explored, cand[:, 0], item)
    from_fav = by_creator.sample(rng, readers.favourite_creators[user, rng.integers(0, 3, n)])
    use_fav = (source > 0.80) & (from_fav >= 0)
    item = np.where(use_fav, from_fav, item)
    ok = (valid.any(axis=1) | use_fav) & ~items.draft[item]
    user, item, explored = user[ok], item[ok], explored[ok]
    # One exposure per (user, item): repeats fold into the first.
    _, first = np.unique(user * len(items) + item, return_index=True)
    first.sort()
    return user[first], item[first], explored[first]


def _hour_curves(taxonomy: Taxonomy) -> np.ndarray:
    """Activity by local hour of each (category, type, weekend) as rows: the weekday or
    weekend curve times when in the day the category and the type are read."""
    days = np.stack([HOURS_WEEKDAY, HOURS_WEEKEND])
    cat = taxonomy.category_hours[:, HOUR_BAND]
    typ = TYPE_BANDS[:, HOUR_BAND]
    curves = cat[:, None, None, :] * typ[None, :, None, :] * days[None, None, :, :]
    return curves.reshape(-1, 24)


def _when(
    rng,
    plan: DemoPlan,
    taxonomy: Taxonomy,
    items: Items,
    readers: Readers,
    user,
    item,
    offsets,
    first_day,
):
    """After publication and sign-up, mostly soon after publication, at a local hour from
    the item's curve (:func:`_hour_curves`) shifted by the reader's chronotype."""
    n, n_days = len(user), offsets.shape[1]
    base = np.maximum(items.published[item], readers.joined[user])
    span = np.maximum(plan.now_s - base, 1).astype(np.float64)
    mean = 6.0 * DAY
    soon = -mean * np.log1p(-rng.random(n) * (1.0 - np.exp(-span / mean)))
    later = rng.random(n) * span
    t = base + np.where(rng.random(n) < 0.7, soon, later).astype(np.int64)
    tz = readers.timezone[user]
    day_idx = np.clip(t // DAY - first_day, 0, n_days - 1)
    local_day = (t + offsets[tz, day_idx]) // DAY
    weekend = ((local_day + 3) % 7) >= 5
    n_types = TYPE_BANDS.shape[0]
    curve = (items.category[item] * n_types + items.type[item]) * 2 + weekend
    hour = row_categorical(rng, _hour_curves(taxonomy), curve)
    hour = (hour + readers.chronotype[user]) % 24
    t = local_day * DAY + hour * 3600 + rng.integers(0, 3600, n) - offsets[tz, day_idx]
    t = np.where(t < base, t + DAY, t)
    t = np.where(t > plan.now_s, t - DAY, t)
    return np.clip(t, base, plan.now_s)


def _weekday_rhythm(rng, taxonomy, items, user, item, t, weekday) -> np.ndarray:
    """Leisure categories gain at weekends, work-ish ones on weekdays (a keep mask)."""
    lean = taxonomy.category_weekend[items.category[item]]
    keep = np.where(weekday >= 5, 0.55 + 0.45 * lean, 1.0 - 0.35 * lean)
    keep = np.where(user == 0, 1.0, keep)
    return rng.random(len(user)) < keep


def _devices(rng, readers: Readers, items: Items, user, item, local_hour, local_weekday):
    """The reader's usual device mostly, tilted by the item's type and the hour band (see
    vocabulary.TYPE_DEVICES and BAND_DEVICES), and desktops in office hours."""
    n = len(user)
    weights = np.tile(0.35 * OTHER_DEVICE_SHARE, (n, 1))
    weights[np.arange(n), readers.device[user]] += 0.65
    weights *= TYPE_DEVICES[items.type[item]] * BAND_DEVICES[HOUR_BAND[local_hour]]
    office = (local_weekday < 5) & (local_hour >= 9) & (local_hour <= 17)
    weights[office, DEVICES.index("desktop")] *= 2.0
    return rowwise_categorical(rng, weights)


def _funnel(rng, readers: Readers, items: Items, user, item, t):
    """(kind, happened mask, time, value) per KINDS entry, driven by fit and quality."""
    n = len(user)
    aff = affinity(readers, items, user, item)
    z = (aff - aff.mean()) / (aff.std() + 1e-9)
    q = items.quality[item]
    r = rng.random((n, 8))
    click = r[:, 0] < sigmoid(-0.5 + 1.3 * z + 0.3 * q)
    dislike = r[:, 1] < sigmoid(-3.4 - 1.6 * z - 0.3 * q)
    kept = click & ~dislike
    like = kept & (r[:, 2] < sigmoid(-1.2 + 1.2 * z + 0.5 * q))
    save = kept & (r[:, 3] < sigmoid(-2.8 + 1.0 * z))
    share = kept & (r[:, 4] < sigmoid(-3.6 + 0.8 * z + 0.5 * q))
    comment = click & (r[:, 5] < sigmoid(-3.7 + 0.6 * z + 0.3 * q))
    skip = ~click & (r[:, 6] < sigmoid(-0.9 - 1.4 * z))
    hide = ~click & (r[:, 7] < sigmoid(-4.0 - 1.6 * z))
    dwell_ms = DWELL_MEDIAN_MS[items.type[item]] * np.exp(0.45 * z + rng.normal(0.0, 0.6, n))
    skip_ms = rng.uniform(600, 4000, n)
    t_click = t + rng.integers(2, 25, n)
    t_dwell = t_click + (dwell_ms // 1000).astype(np.int64)
    t_react = t_dwell + rng.integers(1, 30, n)
    t_neg = t + rng.integers(3, 40, n)
    every = np.ones(n, bool)
    return [
        (every, t, None),
        (click, t_click, None),
        (click, t_dwell, np.round(dwell_ms)),
        (like, t_react, None),
        (save, t_react + 2, None),
        (share, t_react + 5, None),
        (comment, t_react + 40, None),
        (skip, t + (skip_ms // 1000).astype(np.int64), np.round(skip_ms)),
        (dislike, np.where(click, t_react, t_neg), None),
        (hide, t_neg + 1, None),
    ]


def _events(plan: DemoPlan, parts) -> tuple[np.ndarray, ...]:
    """Flatten the funnel into rows in time order, as they would have arrived."""
    idx, kinds, times, values = [], [], [], []
    for k, (mask, when, value) in enumerate(parts):
        rows = np.flatnonzero(mask)
        idx.append(rows)
        kinds.append(np.full(len(rows), k, dtype=np.int8))
        times.append(when[rows])
        values.append(value[rows] if value is not None else np.full(len(rows), np.nan))
    idx, kinds = np.concatenate(idx), np.concatenate(kinds)
    when, value = np.minimum(np.concatenate(times), plan.now_s), np.concatenate(values)
    order = np.lexsort((kinds, idx, when))
    return idx[order], kinds[order], when[order], value[order]


def build_interactions(
    plan: DemoPlan, taxonomy: Taxonomy, items: Items, readers: Readers
) -> Feedback:
    rng = plan.rng("interactions")
    user, item, explored = _choose(rng, taxonomy, items, readers, int(items.creator.max()) + 1)
    first_day = plan.start_s // DAY - 2
    offsets = timezone_offsets(TIMEZONE_NAMES, first_day, plan.days + 5)
    t = _when(rng, plan, taxonomy, items, readers, user, item, offsets, first_day)
    tz = readers.timezone[user]
    local = t + offsets[tz, np.clip(t // DAY - first_day, 0, offsets.shape[1] - 1)]
    ok = _weekday_rhythm(rng, taxonomy, items, user, item, t, ((local // DAY) + 3) % 7)
    user, item, explored, t, tz, local = (a[ok] for a in (user, item, explored, t, tz, local))
    local_hour, local_weekday = (local // 3600) % 24, ((local // DAY) + 3) % 7
    device = _devices(rng, readers, items, user, item, local_hour, local_weekday)
    idx, kinds, when, value = _events(plan, _funnel(rng, readers, items, user, item, t))
    with indexes_dropped(Interaction):
        bulk_insert(
            Interaction,
            {
                "user_id": readers.ids[user[idx]],
                "item_id": items.ids[item[idx]],
                "kind": [KINDS[k] for k in kinds.tolist()],
                "value": [None if v != v else float(v) for v in value.tolist()],
                "device": [DEVICES[d] for d in device[idx].tolist()],
                "client_timezone": [TIMEZONE_NAMES[z] for z in tz[idx].tolist()],
                "local_hour": local_hour[idx],
                "occurred_at": plan.times(when),
            },
            desc="interactions",
            progress=plan.progress,
        )
    counts = {f"interactions_{k}": int((kinds == i).sum()) for i, k in enumerate(KINDS)}
    counts["interactions"] = len(idx)
    return Feedback(Exposures(user, item, t, explored), user[idx], item[idx], kinds, when, counts)
