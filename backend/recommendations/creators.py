"""Creators like a creator, from the active model's item embeddings.

A creator is placed at the mean of their items' unit embeddings; two creators are similar
when those centroids point the same way. Creator insights inject this as their
``similar_creators_fn``.
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.sparse as sp

from backend.recommendations.registry import ServingModel, registry

_centroids: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_lock = threading.Lock()


def _creator_centroids(state: ServingModel) -> tuple[np.ndarray, np.ndarray]:
    """(creator ids, unit centroid rows) for ``state``, computed once per model version."""
    with _lock:
        cached = _centroids.get(state.version_id)
        if cached is not None:
            return cached
    creators = state.catalogue.creator
    known = np.flatnonzero(creators >= 0)
    ids, inverse = np.unique(creators[known], return_inverse=True)
    # creators x items, each item weighted by its inverse norm: the sums of unit vectors
    # without a unit copy of the item matrix (float32 like it: scipy would otherwise convert
    # the whole item matrix to the sparse matrix's type first)
    membership = sp.csr_matrix(
        (state.item_inverse_norms[known], (inverse.ravel(), known)),
        shape=(ids.size, len(creators)),
        dtype=np.float32,
    )
    sums = np.asarray(membership @ state.model.item_embeddings, dtype=np.float64)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    centroids = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
    with _lock:
        # Keep only the current version's centroids: older versions are never asked again.
        _centroids.clear()
        _centroids[state.version_id] = (ids, centroids)
    return ids, centroids


def similar_creators(creator_id: int, k: int) -> list[tuple[int, float]]:
    """Up to ``k`` other creators by cosine of embedding centroids; empty without a model."""
    state = registry.current()
    if state is None:
        return []
    ids, centroids = _creator_centroids(state)
    where = np.flatnonzero(ids == creator_id)
    if where.size == 0:
        return []
    scores = centroids @ centroids[where[0]]
    scores[where[0]] = -np.inf
    top = np.argsort(-scores)[:k]
    return [(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]
