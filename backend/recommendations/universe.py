"""Every item a model version can serve, as flat arrays, and the parts of a score that do
not depend on the user.

A model knows the items it was trained on; items published since are placed by the content
tower. :class:`Universe` lays both out by *position* (the model's item rows first, then the
new items) and is rebuilt once per change of the catalogue (the catalogue token moves on
every item or tag write) and at least every ``MAX_AGE_S`` (bulk writes send no signals),
not per request: finding the new items is a scan of the item table.

Per request, scoring is then one matrix product with the model's items (graph and content
towers blended at the model's blend: the model's own ``item_scoring``, not a copy), the sum
of the user's rows of the model's item-item filter, and one product with the new items; the
freshness boost of every position is kept for a minute per half-life.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.db.models import Q

from backend.content.models import ContentItem
from backend.content.services import tag_ids_by_item
from backend.recommendations import cache
from backend.recommendations.context import HOUR_BANDS, RequestContext
from backend.recommendations.export import TYPE_ORDER
from backend.recommendations.ranking import freshness_boost, unit_rows
from backend.recommendations.registry import ScoringModel, ServingModel, registry
from backend.recommendations.rows import rows_of

__all__ = [
    "MAX_AGE_S",
    "NewItems",
    "Positions",
    "Taste",
    "Universe",
    "new_items",
    "universe_of",
    "warm_up",
]

logger = logging.getLogger(__name__)

MAX_AGE_S = 60.0
# A kept freshness array is recomputed after this long: a minute changes a boost with a
# half-life of days by less than a thousandth.
FRESHNESS_MAX_AGE_S = 60.0


@dataclass(frozen=True)
class Taste:
    """What a user is scored by: a vector, and the history row of the item-item part
    (``None`` for a user known only by declared interests)."""

    vector: np.ndarray
    history: sp.csr_matrix | None = None


@dataclass
class NewItems:
    ids: list[int]
    vectors: np.ndarray  # content vectors, comparable with item embeddings
    item_type: list[str]
    category: list[int]
    creator: list[int]
    published: list[float]
    tags: list[tuple[int, ...]]


@dataclass(frozen=True)
class Positions:
    """The three numberings of an item in one place: its database id, its model row and its
    position in the universe. The model's items come first, so a model item's position is
    its row; the new items follow, the ``k``-th new item at ``model_rows + k``."""

    ids: np.ndarray  # database id at every position
    model_rows: int
    row_of: Mapping[int, int]  # database id -> model row (the model's own map, not a copy)
    new_of: dict[int, int]  # database id -> position, for the new items

    def of(self, item_id: int) -> int | None:
        """The position of a database id, or ``None`` for an item not served."""
        row = self.row_of.get(item_id)
        return row if row is not None else self.new_of.get(item_id)

    def of_many(self, item_ids: list[int]) -> np.ndarray:
        """The position of each database id, -1 for one not served: one vectorised search
        for the model's items, a look-up for the few others."""
        found = rows_of(self.row_of, item_ids)
        for k in np.flatnonzero(found < 0):
            found[k] = self.new_of.get(int(item_ids[k]), -1)
        return found

    def in_model(self, positions: np.ndarray) -> np.ndarray:
        """Which of ``positions`` are model rows (the others are new items)."""
        return np.asarray(positions) < self.model_rows

    def new_index(self, positions: np.ndarray) -> np.ndarray:
        """The index among the new items of positions that are not model rows."""
        return np.asarray(positions) - self.model_rows


@dataclass
class Universe:
    """Servable positions of one model version; see the module docstring."""

    token: object
    built_at: float
    new: NewItems
    positions: Positions
    item_type: np.ndarray
    category: np.ndarray
    creator: np.ndarray
    published: np.ndarray
    new_unit: np.ndarray  # unit content vectors of the new items
    # the new items' tags in the model's tag rows, for its tag-profile term (None: no term)
    new_tag_rows: sp.csr_matrix | None = None
    # each position's row of the model's context lift table (its last row, of zeros, for an
    # item of no group); None where the model has no context affinities
    context_group: np.ndarray | None = None
    _freshness: dict[float, tuple[float, np.ndarray]] = field(default_factory=dict)
    # by count, the freshest model rows of a freshness array: (that array, the rows)
    _freshest: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def ids(self) -> np.ndarray:
        return self.positions.ids

    def unit_vectors(self, state: ServingModel, positions: np.ndarray) -> np.ndarray:
        """Unit embeddings at ``positions``."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.empty((len(positions), state.model.item_embeddings.shape[1]), dtype=np.float32)
        known = self.positions.in_model(positions)
        out[known] = state.unit_item_vectors(positions[known])
        out[~known] = self.new_unit[self.positions.new_index(positions[~known])]
        return out

    def rows_with_tags(self, state: ServingModel, tag_ids: set[int]) -> np.ndarray:
        """A mask over every position: the item carries one of ``tag_ids``.

        One pass over the catalogue's (item x tag) entries: a by-tag copy of the matrix
        would answer from the tag's items alone, but cost every worker as much memory as
        the catalogue's tags themselves (23 MB at 1,000,000 items)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        tags = state.catalogue.tags
        cols = [state.catalogue.tag_col[t] for t in tag_ids if t in state.catalogue.tag_col]
        if cols:
            entries = np.flatnonzero(np.isin(tags.indices, cols))
            mask[np.searchsorted(tags.indptr, entries, side="right") - 1] = True
        for i, item_tags in enumerate(self.new.tags):
            if tag_ids.intersection(item_tags):
                mask[self.positions.model_rows + i] = True
        return mask

    def blended(
        self,
        state: ServingModel,
        taste: Taste,
        blend: float | None,
        tag_part: np.ndarray | None,
        rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """``(1 - b) * graph + b * content`` at every position, for a user's taste;
        ``tag_part`` is :meth:`tag_part` for the same taste (read once per request).

        With ``rows`` (ascending model rows, see :mod:`backend.recommendations.retrieval`)
        only those of the model's items are scored, the others are ``-inf``; new items are
        always scored."""
        model, vector = state.model, np.asarray(taste.vector, dtype=np.float32)
        at = slice(None) if rows is None else rows
        share = _content_share(model, blend, rows)
        history = _history_part(model, taste.history)
        if history is not None:
            history = history[at]
        if history is None:  # interests only: the embeddings carry the graph score alone
            if blend is None:
                known = model.item_embeddings[at] @ vector
            else:
                graph = model.item_graph[at] @ vector
                known = (1.0 - share) * graph + share * (model.item_content[at] @ vector)
        elif blend is None:
            # the model's blended item vectors at its own blend: one matrix product
            known = model.item_scoring[at] @ vector + (1.0 - share) * history
        else:
            graph = _graph_weight(model) * (model.item_graph[at] @ vector)
            known = (1.0 - share) * (graph + history) + share * (model.item_content[at] @ vector)
        model_rows = self.positions.model_rows
        new = self.new.vectors @ vector
        if tag_part is not None:  # content only, so the content share applies (new: 1)
            known += share * tag_part[:model_rows][at]
            new += tag_part[model_rows:]
        if rows is not None:
            scored = np.full(model_rows, -np.inf, dtype=np.float32)
            scored[rows] = known
            known = scored
        return np.concatenate([known.astype(np.float32), new.astype(np.float32)])

    def tag_part(self, state: ServingModel, taste: Taste) -> np.ndarray | None:
        """The model's tag-profile term for the user's history at every position: its items
        without interactions (``model.cold_rows``) and the new items, 0 elsewhere; ``None``
        where the model has no such term or the user no history."""
        model = state.model
        if taste.history is None or not model.tag_weight:
            return None
        cold = model.tag_term(taste.history)
        new = None
        if self.new_tag_rows is not None and self.new_tag_rows.shape[0]:
            new = model.tag_term(taste.history, self.new_tag_rows)
        if cold is None and new is None:
            return None
        part = np.zeros(len(self.ids), dtype=np.float32)
        if cold is not None:
            part[model.cold_rows] = cold[0]
        if new is not None:
            part[self.positions.model_rows :] = new[0]
        return part

    def parts(
        self,
        state: ServingModel,
        taste: Taste,
        positions: list[int],
        blend: float | None,
        tag_part: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The graph and content parts of the blended score at a few ``positions``."""
        model = state.model
        vector = np.asarray(taste.vector, dtype=np.float32)
        rows = np.array(positions, dtype=np.int64)
        known = self.positions.in_model(rows)
        share = np.ones(len(rows), np.float32)  # new items: content only
        share[known] = _content_share(model, blend, rows[known])
        graph = np.zeros(len(rows), np.float32)
        content = np.zeros(len(rows), np.float32)
        history = _history_part(model, taste.history)
        weight = 1.0 if history is None else _graph_weight(model)
        graph[known] = weight * (model.item_graph[rows[known]] @ vector)
        if history is not None:
            graph[known] += history[rows[known]]
        content[known] = model.item_content[rows[known]] @ vector
        content[~known] = self.new.vectors[self.positions.new_index(rows[~known])] @ vector
        if tag_part is not None:
            content += tag_part[rows]
        return (1.0 - share) * graph, share * content

    def context_term(self, state: ServingModel, context: RequestContext) -> np.ndarray | None:
        """The context term at every position for the moment of a request (one gather from a
        column of the lift table), or ``None`` when it adds nothing: no context given, a model
        without affinities, or a weight of 0."""
        affinity = getattr(state.model, "context", None)
        if affinity is None or self.context_group is None or context.empty:
            return None
        band = None if context.band is None else HOUR_BANDS[context.band]
        band_row = affinity.bands.index(band) if band in affinity.bands else None
        device_row = affinity.devices.index(context.device) if context.device else None
        if context.device is not None and context.device not in affinity.devices:
            device_row = None
        column = affinity.column(band_row, device_row)
        return None if column is None else np.take(column, self.context_group)

    def freshest(self, fresh: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` model rows with the largest boost in ``fresh`` (an array that
        :meth:`freshness` returned), kept until another array is asked about."""
        count = min(count, self.positions.model_rows)
        kept = self._freshest.get(count)
        if kept is not None and kept[0] is fresh:
            return kept[1]
        if count <= 0:
            return np.zeros(0, dtype=np.int64)
        head = fresh[: self.positions.model_rows]
        rows = np.argpartition(-head, count - 1)[:count].astype(np.int64)
        if len(self._freshest) > 8:  # a client cycling through half-lives and sizes
            self._freshest.clear()
        self._freshest[count] = (fresh, rows)
        return rows

    def freshness(self, now_ts: float, half_life_days: float) -> np.ndarray:
        """The freshness boost at every position (kept a minute per half-life)."""
        kept = self._freshness.get(half_life_days)
        if kept is not None and 0 <= now_ts - kept[0] < FRESHNESS_MAX_AGE_S:
            return kept[1]
        age_days = (now_ts - np.nan_to_num(self.published, nan=now_ts)) / 86400.0
        boost = freshness_boost(age_days, half_life_days)
        if len(self._freshness) > 8:  # a client cycling through half-lives
            self._freshness.clear()
        self._freshness[half_life_days] = (now_ts, boost)
        return boost


def _content_share(
    model: ScoringModel, blend: float | None, rows: np.ndarray | None = None
) -> np.ndarray:
    """The content tower's share of the score of the model's items (all, or ``rows``):
    ``blend`` (the model's own when ``None``) for items with interactions, the model's cold
    blend for the others."""
    warm = np.asarray(model.item_warm, dtype=bool)
    if rows is not None:
        warm = warm[rows]
    warm_blend = model.blend if blend is None else blend
    return np.where(warm, warm_blend, model.cold_blend).astype(np.float32)


def _graph_weight(model: ScoringModel) -> float:
    return float(getattr(model, "graph_weight", 1.0))


def _history_part(model: ScoringModel, history: sp.csr_matrix | None) -> np.ndarray | None:
    """``q S``: the user's history row through the model's item-item filter (the sum of the
    rows of the user's items; a few sparse rows, whatever the catalogue's size)."""
    item_item = getattr(model, "item_item", None)
    if item_item is None or history is None or not history.nnz:
        return None
    from gnn.scoring import add_history_term  # here: gnn (and torch) load with a model

    part = np.zeros(item_item.shape[0], dtype=np.float32)
    add_history_term(part, history, item_item)  # the kernel bench.scoring measures
    return part


def universe_of(state: ServingModel) -> Universe:
    """The servable positions of ``state``, rebuilt when the catalogue has changed.

    With the cache unreachable (no token), the last one is used until it is ``MAX_AGE_S``
    old. One thread rebuilds; the others wait for its result rather than scan too.
    """
    token = cache.catalogue_token()
    built = state.derived.get("universe")
    if _current(built, token):
        return built
    with _rebuild_lock(state):
        built = state.derived.get("universe")
        if _current(built, token):
            return built
        universe = _build(state, token)
        state.derived["universe"] = universe
        return universe


def _current(built: object, token: object) -> bool:
    if not isinstance(built, Universe) or time.monotonic() - built.built_at >= MAX_AGE_S:
        return False
    return token is None or built.token == token


def _rebuild_lock(state: ServingModel) -> threading.Lock:
    with state.new_item_lock:
        lock = state.derived.get("universe_lock")
        if lock is None:
            lock = state.derived["universe_lock"] = threading.Lock()
        return lock


def _build(state: ServingModel, token: object) -> Universe:
    cat = state.catalogue
    new = new_items(state)
    item_type = _extended(cat.item_type, new.item_type)
    category = _extended(cat.category, new.category)
    return Universe(
        token=token,
        built_at=time.monotonic(),
        new=new,
        positions=Positions(
            ids=_extended(state.item_ids, new.ids),
            model_rows=len(state.item_ids),
            row_of=state.item_row,
            new_of={item_id: len(state.item_ids) + i for i, item_id in enumerate(new.ids)},
        ),
        item_type=item_type,
        category=category,
        creator=_extended(cat.creator, new.creator),
        published=_extended(cat.published, new.published),
        new_unit=unit_rows(new.vectors),
        new_tag_rows=_new_tag_rows(state, new),
        context_group=_context_groups(state, category, item_type),
    )


def _context_groups(
    state: ServingModel, category: np.ndarray, item_type: np.ndarray
) -> np.ndarray | None:
    """Each position's group of the model's context lift table, ``category row * types +
    type row``, from the catalogue as it is now; the table's zero row past its end for an
    item whose category or type the model does not know."""
    model = state.model
    lift = getattr(model, "context_lift", None)
    if lift is None:
        return None
    num_groups, num_types = lift.shape[0], int(model.context_num_types)
    category_rows = rows_of(state.category_row, category)
    type_rows = np.full(len(item_type), -1, dtype=np.int64)
    for row, value in enumerate(TYPE_ORDER[:num_types]):
        type_rows[item_type == value] = row
    known = (category_rows >= 0) & (type_rows >= 0)
    # the platform's own index type: a gather by a narrower one converts it on every request
    return np.where(known, category_rows * num_types + type_rows, num_groups).astype(np.intp)


def _extended(model_part: np.ndarray, new_part: list) -> np.ndarray:
    """The catalogue's array for the model's items followed by the new items' values: the
    catalogue's own array (not a copy of it) when there are no new items."""
    if not new_part:
        return model_part
    return np.concatenate([model_part, np.array(new_part, dtype=model_part.dtype)])


def _new_tag_rows(state: ServingModel, new: NewItems) -> sp.csr_matrix | None:
    """The new items' tags as the model's tag rows, for its tag-profile term."""
    model = state.model
    if not model.tag_weight or model.item_tags is None:
        return None
    from gnn.content import item_tag_matrix, unit_tag_rows  # here: gnn loads with a model

    pairs = [
        (i, state.tag_row[t]) for i, tags in enumerate(new.tags) for t in tags if t in state.tag_row
    ]
    rows = np.array([i for i, _ in pairs], dtype=np.int64)
    cols = np.array([c for _, c in pairs], dtype=np.int64)
    return unit_tag_rows(item_tag_matrix((rows, cols), len(new.ids), model.item_tags.shape[1]))


def new_items(state: ServingModel) -> NewItems:
    """Published items the model does not know (also those scheduled to appear later:
    callers compare publish times with the clock), placed by the content tower."""
    cat = state.catalogue
    # Anything the model was not trained on: created, edited or published since training
    # started (ids alone do not tell: a restored sequence, a backdated publish time).
    start = state.trained_at or cat.built_at
    since = Q(updated_at__gte=start) | Q(published_at__gte=start)
    rows = list(
        ContentItem.objects.filter(published_at__isnull=False)
        .filter(since | Q(id__gt=cat.max_item_id))
        .values_list("id", "type", "category_id", "creator_id", "published_at", "title", "excerpt")
    )
    rows = [r for r in rows if r[0] not in state.item_row]
    dim = state.model.item_embeddings.shape[1]
    if not rows:
        return NewItems([], np.zeros((0, dim), np.float32), [], [], [], [], [])
    ids = [r[0] for r in rows]
    tag_map = tag_ids_by_item(ids)
    missing = [r for r in rows if r[0] not in state.new_item_vectors]
    if missing:
        type_row = state.type_row
        vectors = state.model.embed_new_items(
            item_tags=[
                np.array([state.tag_row[t] for t in tag_map[r[0]] if t in state.tag_row], np.int64)
                for r in missing
            ],
            item_category=np.array(
                [state.category_row.get(r[2], -1) if r[2] is not None else -1 for r in missing],
                dtype=np.int64,
            ),
            item_type=np.array([type_row.get(r[1], -1) for r in missing], dtype=np.int64),
            item_text=[f"{r[5]}. {r[6]}" for r in missing],
        )
        with state.new_item_lock:
            for r, vec in zip(missing, vectors, strict=True):
                state.new_item_vectors[r[0]] = np.asarray(vec, dtype=np.float32)
    return NewItems(
        ids=ids,
        vectors=np.stack([state.new_item_vectors[i] for i in ids]).astype(np.float32),
        item_type=[r[1] for r in rows],
        category=[-1 if r[2] is None else r[2] for r in rows],
        creator=[r[3] for r in rows],
        published=[r[4].timestamp() for r in rows],
        tags=[tuple(tag_map[i]) for i in ids],
    )


def warm_up() -> ServingModel | None:
    """Load the active model and lay out what every request reads (its universe) now: a
    server worker calls this before it accepts connections, so that no request pays for
    the load. A worker that cannot load still starts (and loads on a later request);
    ``/readyz`` says whether a model is served."""
    from django.db import connections

    from backend.allocator import map_large_blocks, return_free_memory

    started = time.perf_counter()
    # The load's large temporaries, and later each request's, go back to the system when
    # freed, instead of staying with this worker (see backend.allocator).
    map_large_blocks()
    try:
        state = registry.current()
        if state is not None:
            universe = universe_of(state)
    except Exception as exc:  # a warm-up failure must not keep the worker from starting
        logger.warning("could not load the model before serving: %s: %s", type(exc).__name__, exc)
        return None
    finally:
        connections.close_all()  # this thread serves no request: give its connections back
        return_free_memory()
    if state is None:
        logger.info("no model to load before serving")
    else:
        logger.info(
            "model %s ready before serving: %d items in %.1f s",
            state.version,
            len(universe.ids),
            time.perf_counter() - started,
        )
    return state
