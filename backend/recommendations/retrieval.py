"""Which of the model's items a request scores: all of them, or the item index's candidates.

Below ``RECOMMENDATION_INDEX_MIN_ITEMS`` items (or for a model without an index, or one
whose index did not load) a request scores every item: one matrix product with the item
vectors. Above it, the model's approximate index (:mod:`gnn.vector_index`, built when the
version was trained) answers the dense term, and only these positions are scored, exactly,
with every term:

* the items the user's history reaches through the item-item matrix (their history term
  can lift them past the dense candidates), and the index's best by the dense term: as
  many as the re-ranking looks at (the pool, or the window of each category's best when
  diversifying), plus one per history item and per reached item
  (:func:`gnn.vector_index.candidate_rows` says why);
* the items the tag-profile term scores;
* the freshest items, as many again (the freshness boost does not depend on the user, so
  the list is kept with the boost);
* an evenly strided sample, which also gives the spread the scores are scaled by;
* every item published after training (not in the index; the content tower places them).

The other positions score ``-inf``: never eligible. A request whose filters refuse most
of the index's candidates is scored by brute force. The context term and the exploration of
the candidate sources see the candidates only. The index ranks by the model's own blended
vectors (``item_scoring``), so a request with a blend of its own, or a user placed by
interests alone where those differ from the embeddings, is scored by brute force.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings

from backend.recommendations.registry import ServingModel
from backend.recommendations.universe import Taste, Universe

__all__ = ["SPREAD_SAMPLE", "indexed_positions", "score_spread"]

# Positions in the strided sample that the spread of the scores is estimated from, and the
# widest sample, as a stride: a small catalogue is not scored whole through its sample.
SPREAD_SAMPLE = 4096
_MIN_STRIDE = 16


def indexed_positions(
    state: ServingModel,
    universe: Universe,
    taste: Taste,
    blend: float | None,
    tag_part: np.ndarray | None,
    fresh: np.ndarray,
    need: int,
    mask: np.ndarray,
) -> np.ndarray | None:
    """The model rows to score for this request (ascending), or ``None``: score them all.

    ``need`` is how many of the best the re-ranking looks at and ``mask`` the eligible
    positions: where fewer than ``need`` of the index's candidates are eligible (a filter by
    a narrow category or type refuses most of them) the request is scored by brute force."""
    model = state.model
    index = getattr(model, "item_index", None)
    rows = universe.positions.model_rows
    threshold = settings.RECOMMENDATION_INDEX_MIN_ITEMS
    if index is None or threshold <= 0 or rows < threshold or blend is not None:
        return None
    if taste.history is None and float(getattr(model, "graph_weight", 1.0)) != 1.0:
        return None  # scored by item_embeddings, not the indexed item_scoring
    from gnn.vector_index import candidate_rows  # here: gnn (and torch) load with a model

    item_item = getattr(model, "item_item", None)
    found = candidate_rows(index, taste.vector, need, taste.history, item_item, factor=1)
    if np.count_nonzero(mask[found]) < need:
        return None
    parts = [
        found,
        spread_sample(rows),
        universe.freshest(fresh, need),
    ]
    if tag_part is not None:
        parts.append(np.flatnonzero(tag_part[:rows]))
    return np.unique(np.concatenate(parts))


def spread_sample(rows: int) -> np.ndarray:
    """An evenly strided sample of at most about ``SPREAD_SAMPLE`` of the model's rows."""
    return np.arange(0, rows, max(_MIN_STRIDE, rows // SPREAD_SAMPLE), dtype=np.int64)


def score_spread(
    raw: np.ndarray, mask: np.ndarray, universe: Universe, scored: np.ndarray | None
) -> float:
    """The standard deviation of the eligible items' scores: over all of them, or, where
    only ``scored`` model rows were scored, over the eligible ones of the strided sample
    and the new items (all scored), an estimate of it."""
    if scored is None:
        return float(np.std(raw, where=mask))
    rows = universe.positions.model_rows
    at = np.concatenate([spread_sample(rows), np.arange(rows, len(raw))])
    at = at[mask[at]]
    return float(np.std(raw[at])) if len(at) > 1 else 0.0
