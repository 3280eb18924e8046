"""The model this process serves: loaded once, swapped atomically on a promotion.

A :class:`ServingModel` is everything one request needs from one model version: the
weights (numpy arrays for brute-force scoring, mapped read-only from the artifact so that
every worker of the server reads the same pages), the id maps in both directions, the
catalogue facts used by the filters, and the inverse norms of the item vectors, for the
unit vectors of diversity re-ranking and cosine similarity (a scale per item rather than a
normalised copy of the item matrix in every worker). It is immutable once built. The
registry holds one reference to the current one; a request reads that reference once and
uses the object it got to the end, so no request ever mixes two versions, and a promotion
builds the new object completely before swapping the reference under a lock.

Finding out that a promotion happened costs one cache read per request: saving a
:class:`~backend.recommendations.models.ModelVersion` bumps the ``lupi:model-version``
counter in the shared cache (see :func:`backend.recommendations.cache.connect_signals`),
and the registry asks the database which version is active only when that counter moved, or every
``check_interval`` seconds in case the cache was unreachable or flushed.

A version that cannot be loaded (missing directory, corrupted or inconsistent files) is
logged and not served: the registry reports no model and the service falls back to
trending items. It tries that version again after ``retry_interval`` seconds.
"""

from __future__ import annotations

import itertools
import logging
import math
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from django.db import DatabaseError

from backend.content.models import ContentItem
from backend.recommendations import cache
from backend.recommendations.export import TYPE_ORDER
from backend.recommendations.models import ModelVersion
from backend.recommendations.rows import RowIndex

__all__ = [
    "Catalogue",
    "ModelRegistry",
    "ScoringModel",
    "ServingModel",
    "load_serving_model",
    "registry",
]

logger = logging.getLogger(__name__)


class ScoringModel(Protocol):
    """What the service needs from a trained model (``gnn.LoadedModel`` provides it).

    Scores of a user vector ``e`` and history row ``q``: graph ``graph_weight * item_graph @
    e + q @ item_item``, content ``item_content @ e``, blended per item with ``blend`` (items
    with interactions) or ``cold_blend`` (items the graph only knows through their tags).
    """

    manifest: dict
    id_maps: dict[str, list]
    user_graph: np.ndarray
    item_graph: np.ndarray
    item_content: np.ndarray
    item_embeddings: np.ndarray
    # graph and content vectors blended at the model's own blend, graph_weight included
    item_scoring: np.ndarray
    item_warm: np.ndarray
    blend: float
    cold_blend: float
    graph_weight: float
    item_item: sp.csr_matrix | None
    user_rows: sp.csr_matrix | None
    # the tag-profile term of items without interactions (``cold_rows``); weight 0: none
    item_tags: sp.csr_matrix | None
    tag_weight: float
    cold_rows: np.ndarray

    @property
    def version(self) -> str: ...

    def history_row(
        self,
        item_rows: np.ndarray,
        weights: np.ndarray | None = None,
        times: np.ndarray | None = None,
    ) -> sp.csr_matrix: ...

    def tag_term(
        self, rows: sp.csr_matrix, unit_rows: sp.csr_matrix | None = None
    ) -> np.ndarray | None: ...

    def fold_in_user(
        self,
        item_rows: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        tag_rows: np.ndarray | None = None,
        category_rows: np.ndarray | None = None,
    ) -> np.ndarray: ...

    def embed_new_items(
        self,
        item_tags: list[np.ndarray] | None = None,
        item_category: np.ndarray | None = None,
        item_type: np.ndarray | None = None,
        item_text: list[str] | None = None,
    ) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Facts about the model's items, by item row, read from the database at load time.

    ``published`` is the publish time in unix seconds (NaN for an item that is no longer
    published or was deleted); ``category`` and ``creator`` are database ids (-1: none);
    ``tags`` is a CSR matrix of item rows by tag column (``tag_col`` maps a tag id to its
    column).
    """

    item_type: np.ndarray
    category: np.ndarray
    creator: np.ndarray
    published: np.ndarray
    tags: sp.csr_matrix
    tag_col: dict[int, int]
    tag_ids: np.ndarray
    max_item_id: int
    built_at: datetime

    def tags_of(self, row: int) -> list[int]:
        start, end = self.tags.indptr[row], self.tags.indptr[row + 1]
        return [int(self.tag_ids[col]) for col in self.tags.indices[start:end]]


@dataclass(frozen=True, eq=False)
class ServingModel:
    """One loaded model version with its id maps and catalogue; never mutated after build."""

    version: str
    version_id: int
    model: ScoringModel
    trained_at: datetime | None
    item_ids: np.ndarray
    item_row: Mapping[int, int]
    user_row: Mapping[int, int]
    tag_row: Mapping[int, int]
    category_row: Mapping[int, int]
    # 1 / |item_embeddings[i]| (1 for a zero vector, which stays zero)
    item_inverse_norms: np.ndarray
    catalogue: Catalogue
    # Content vectors of items published after training, computed once per item; the only
    # mutable part, guarded by its own lock, and never shared between versions.
    new_item_vectors: dict[int, np.ndarray] = field(default_factory=dict)
    new_item_lock: threading.Lock = field(default_factory=threading.Lock)
    # What the serving layer derives from this version and the catalogue (rebuilt when the
    # catalogue changes), under the same lock.
    derived: dict[str, object] = field(default_factory=dict)

    @property
    def type_row(self) -> dict[str, int]:
        return {value: row for row, value in enumerate(TYPE_ORDER)}

    def unit_item_vectors(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """The model's item embeddings at ``rows``, scaled to unit length."""
        rows = np.asarray(rows, dtype=np.int64)
        return self.model.item_embeddings[rows] * self.item_inverse_norms[rows, None]

    def item_cosines(self, target: np.ndarray) -> np.ndarray:
        """The cosine of every model item with the unit vector ``target``."""
        target = np.asarray(target, dtype=np.float32)
        return (self.model.item_embeddings @ target) * self.item_inverse_norms


def _inverse_norms(matrix: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """``1 / |row|`` of every row (1 for a zero row), by blocks: no temporary of the
    matrix's size."""
    out = np.ones(len(matrix), dtype=np.float32)
    for start in range(0, len(matrix), chunk):
        block = matrix[start : start + chunk]
        norms = np.sqrt(np.einsum("ij,ij->i", block, block, dtype=np.float64))
        out[start : start + chunk] = 1.0 / np.where(norms > 0, norms, 1.0)
    return out


def _item_facts(index: RowIndex) -> tuple[np.ndarray, ...]:
    """Type, category, creator and publish time of the published items, by model row."""
    n = len(index)
    item_type = np.full(n, "", dtype=object)
    category = np.full(n, -1, dtype=np.int64)
    creator = np.full(n, -1, dtype=np.int64)
    published = np.full(n, np.nan, dtype=np.float64)
    facts = ContentItem.objects.filter(published_at__isnull=False).values_list(
        "id", "type", "category_id", "creator_id", "published_at"
    )
    for item_id, kind, category_id, creator_id, published_at in facts.iterator(chunk_size=20_000):
        row = index.get(item_id)
        if row is None:
            continue
        # one string object per type, not one per item (8 bytes an item instead of ~60)
        item_type[row] = sys.intern(kind)
        category[row] = -1 if category_id is None else category_id
        creator[row] = creator_id
        published[row] = published_at.timestamp()
    return item_type, category, creator, published


def _item_tags(index: RowIndex) -> tuple[sp.csr_matrix, np.ndarray]:
    """The model's items by the tags they carry now (CSR), and the tag id of each column."""
    through = ContentItem.tags.through.objects.values_list("contentitem_id", "tag_id")
    # flat int arrays, not a list of pairs: a few million tuples would outweigh the matrix
    flat = np.fromiter(
        itertools.chain.from_iterable(through.iterator(chunk_size=50_000)), dtype=np.int64
    ).reshape(-1, 2)
    rows = index.rows_of(flat[:, 0])
    keep = rows >= 0
    tag_ids, cols = np.unique(flat[keep, 1], return_inverse=True)
    tags = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], cols.ravel())),
        shape=(len(index), len(tag_ids)),
    )
    return tags, tag_ids


def _build_catalogue(index: RowIndex, now: datetime) -> Catalogue:
    item_type, category, creator, published = _item_facts(index)
    tags, tag_ids = _item_tags(index)
    tag_col = {int(t): col for col, t in enumerate(tag_ids)}
    return Catalogue(
        item_type=item_type,
        category=category,
        creator=creator,
        published=published,
        tags=tags,
        tag_col=tag_col,
        tag_ids=tag_ids,
        max_item_id=int(index.ids.max(initial=0)),
        built_at=now,
    )


def load_serving_model(version: ModelVersion) -> ServingModel:
    """Load ``version``'s artifact and build its serving state (raises on any failure)."""
    from django.utils import timezone

    import gnn  # imported here: the web process pays for torch only when a model exists

    model = gnn.load_artifact(version.path)
    id_maps = model.id_maps
    item_row = RowIndex(id_maps["item"])
    run = version.training_run
    trained_at = run.started_at if run is not None else version.created_at
    return ServingModel(
        version=version.version,
        version_id=version.pk,
        model=model,
        trained_at=trained_at,
        item_ids=item_row.ids,
        item_row=item_row,
        user_row=RowIndex(id_maps.get("user", [])),
        tag_row=RowIndex(id_maps.get("tag", [])),
        category_row=RowIndex(id_maps.get("category", [])),
        item_inverse_norms=_inverse_norms(model.item_embeddings),
        catalogue=_build_catalogue(item_row, timezone.now()),
    )


class ModelRegistry:
    """Holds the current :class:`ServingModel` of this process; see the module docstring."""

    def __init__(self, check_interval: float = 5.0, retry_interval: float = 60.0) -> None:
        self.check_interval = check_interval
        self.retry_interval = retry_interval
        self._state: ServingModel | None = None
        self._lock = threading.Lock()
        self._token: object = object()
        # The token under which the served state was decided (see ``served_token``).
        self._served_token: object = object()
        self._checked_at = -math.inf
        # (id, version, path) of the active version last seen, and when it failed to load.
        self._active: tuple | None = None
        self._failed_at: float | None = None
        self._initialised = False
        self._none_confirmed = False
        # Versions other than the active one that an experiment's variant serves, by name.
        self._pinned: dict[str, ServingModel] = {}
        self._pinned_failed: dict[str, float] = {}
        self._pinned_lock = threading.Lock()

    PINNED_MAX = 2

    def current(self) -> ServingModel | None:
        """The model to serve now, or ``None`` when there is none that loads."""
        token = cache.model_token()
        if self._fresh(token):
            return self._state
        # One thread checks (and loads) at a time; the others keep serving the current
        # model meanwhile, except at start-up, when there is nothing to serve yet.
        if not self._lock.acquire(blocking=not self._initialised):
            return self._state
        try:
            if not self._fresh(token):
                self._refresh(token)
            return self._state
        finally:
            self._lock.release()

    def serving(self, version: str = "") -> ServingModel | None:
        """The model to serve a configuration naming ``version`` (blank: the active one).

        A named version that is not the active one is loaded once and kept (at most
        ``PINNED_MAX`` of them, artifacts being immutable); one that does not exist or
        cannot be loaded is logged and the active model serves instead: the served list's
        ``model_version`` always says which one answered.
        """
        active = self.current()
        if not version or (active is not None and active.version == version):
            return active
        state = self._pinned.get(version)
        if state is not None:
            return state
        failed_at = self._pinned_failed.get(version)
        if failed_at is not None and time.monotonic() - failed_at < self.retry_interval:
            return active
        with self._pinned_lock:
            if version not in self._pinned:
                self._load_pinned(version)
        return self._pinned.get(version, active)

    def _load_pinned(self, version: str) -> None:
        try:
            row = ModelVersion.objects.select_related("training_run").filter(version=version)
            found = row.first()
            if found is None:
                raise LookupError("no such model version")
            state = load_serving_model(found)
        except Exception as exc:  # a broken pinned version must not fail the request
            logger.warning(
                "model version %s cannot be served (%s: %s); serving the active one",
                version,
                type(exc).__name__,
                exc,
            )
            self._pinned_failed[version] = time.monotonic()
            return
        # A new dict, never one changed in place: other threads read it without the lock.
        kept = list(self._pinned.items())[-(self.PINNED_MAX - 1) :] if self.PINNED_MAX > 1 else []
        self._pinned = {**dict(kept), version: state}
        self._pinned_failed.pop(version, None)

    def served_token(self) -> object:
        """The model token in force when the model now served was chosen.

        While another thread loads a newly promoted version, requests are served by the old
        one: the cache's token has moved on, this one has not. A response computed while
        both are the same came from the version the token stands for.
        """
        return self._served_token

    def reset(self) -> None:
        """Forget the loaded model; the next request loads the active one again."""
        with self._lock:
            self._state = None
            self._token = object()
            self._served_token = object()
            self._checked_at = -math.inf
            self._active = None
            self._failed_at = None
            self._initialised = False
            self._none_confirmed = False
        with self._pinned_lock:
            self._pinned, self._pinned_failed = {}, {}

    def _fresh(self, token: object) -> bool:
        if not self._initialised:  # the first load is still running: wait for it
            return False
        if time.monotonic() - self._checked_at >= self.check_interval:
            return False
        return token is None or token == self._token

    def _refresh(self, token: object) -> None:
        try:
            self._load_active(token)
        finally:
            # Only now: until the first check has finished, every request waits for it
            # (an answer from the model, not a trending fallback while it loads).
            self._initialised = True

    def _load_active(self, token: object) -> None:
        try:
            active = (
                ModelVersion.objects.select_related("training_run").filter(is_active=True).first()
            )
        except DatabaseError as exc:
            # Keep serving what we have; the next check will try again.
            logger.warning("could not read the active model version: %s", exc)
            self._checked_at = time.monotonic()
            return
        self._checked_at = time.monotonic()
        self._token = token
        key = None if active is None else (active.pk, active.version, active.path)
        if active is not None:
            self._none_confirmed = False
        if key == self._active and (
            self._failed_at is None or time.monotonic() - self._failed_at < self.retry_interval
        ):
            self._served_token = token
            return
        if active is None and self._state is not None and not self._none_confirmed:
            # A promotion flips two rows; a reader that can see uncommitted writes (SQLite's
            # shared cache) may catch the instant between them. Keep serving, and look again
            # on the next request before dropping the model.
            self._none_confirmed = True
            self._checked_at = -math.inf
            return
        self._active = key
        if active is None:
            if self._state is not None:
                logger.warning("no model version is active; serving trending items")
            self._state, self._failed_at = None, None
            self._served_token = token
            return
        try:
            state = load_serving_model(active)
        except Exception as exc:  # any failure to load means: do not serve this version
            logger.warning(
                "model version %s at %s cannot be served (%s: %s); serving trending items",
                active.version,
                active.path,
                type(exc).__name__,
                exc,
            )
            self._state, self._failed_at = None, time.monotonic()
            self._served_token = token
            return
        self._state, self._failed_at = state, None
        self._served_token = token


registry = ModelRegistry()
