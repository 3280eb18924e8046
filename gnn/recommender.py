"""Inference on trained embeddings: top-N, similar items, user fold-in, new-item embeddings."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch

from .content import ContentSpec, build_content_matrix, tag_cosine, unit_tag_rows
from .context import ContextAffinity
from .history import damp, history_row

__all__ = ["ModelWeights"]


def _topk(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top ``k`` of a score matrix, best first (``torch.topk`` on a view, no copy)."""
    k = min(k, scores.shape[1])
    val, idx = torch.topk(torch.from_numpy(scores), k, dim=1)
    return val.numpy(), idx.numpy()


def _matmul_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` through torch: one thread pool with the top-k that follows, where mixing
    NumPy's BLAS threads with torch's makes the two pools fight over the cores."""
    with warnings.catch_warnings():
        # A loaded model's arrays are read-only (mapped from the artifact); torch warns that
        # it cannot protect them, and only reads them here.
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        right = torch.from_numpy(b)
    return (torch.from_numpy(np.ascontiguousarray(a)) @ right.T).numpy()


@dataclass
class ModelWeights:
    """Everything needed to score: the dense embeddings, the item-item filter, the content
    tower, the blend.

    Scores of user ``u`` for item ``i`` (see :mod:`gnn.filters` for where the parts come from):

    * graph: ``g(u, i) = graph_weight * e_u . g_i + (q_u S)_i``, the rank-``dim`` embedding
      term plus the pruned item-item filter ``S`` (``item_item``) applied to the user's
      history row ``q_u`` (``user_rows`` for the users trained on, :meth:`history_row` for a
      live history);
    * content: ``c(u, i) = e_u . c_i``, plus, for an item without interactions, ``tag_weight``
      times the cosine of the user's tag profile (the tags of the items in ``q_u``) with the
      item's tags (``item_tags``), where the recipe found that it ranks such items better;
    * blended: ``(1 - b_i) g + b_i c`` with ``b_i = blend`` for items with interactions and
      ``cold_blend`` for items without.

    ``item_scoring`` stores the blended dense item vectors, so that a score is one matrix
    product, plus a sum of the user's rows of ``S`` weighted by ``(1 - b_i)``.
    ``item_embeddings`` are the same vectors without ``graph_weight``: where items lie
    (similar items, list diversity, the atlas), whatever weight the score gives that term.

    ``context_lift`` (groups x bands + 1 x devices + 1, see :mod:`gnn.context`) with
    ``context_weight`` is the term serving adds for the moment of a request, to the score in
    units of its spread; items are grouped by ``category * context_num_types + type``.
    """

    user_graph: np.ndarray
    item_graph: np.ndarray
    tag_graph: np.ndarray
    category_graph: np.ndarray
    item_content: np.ndarray
    content_weight: np.ndarray
    content_spec: ContentSpec
    fold_in_map: np.ndarray
    item_warm: np.ndarray
    item_popularity: np.ndarray
    item_scale: np.ndarray
    blend: float = 0.0
    cold_blend: float = 1.0
    graph_weight: float = 1.0
    item_item: sp.csr_matrix | None = None
    user_rows: sp.csr_matrix | None = None
    recency: float = 0.0
    strength: str = "damped"
    item_tags: sp.csr_matrix | None = None
    tag_weight: float = 0.0
    context_lift: np.ndarray | None = None
    context_weight: float = 0.0
    context_num_types: int = 0
    context_bands: tuple[str, ...] = ()
    context_devices: tuple[str, ...] = ()
    item_embeddings: np.ndarray = field(init=False)
    item_scoring: np.ndarray = field(init=False)
    cold_rows: np.ndarray = field(init=False)
    cold_tag_rows: sp.csr_matrix | None = field(init=False)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the blended item vectors after ``blend`` or ``cold_blend`` changed."""
        b = self.content_share[:, None]
        self.item_embeddings = np.ascontiguousarray(
            (1.0 - b) * self.item_graph + b * self.item_content, dtype=np.float32
        )
        self.item_scoring = self.item_embeddings
        if self.graph_weight != 1.0:  # else the same vectors: one array, not two
            self.item_scoring = np.ascontiguousarray(
                (1.0 - b) * self.graph_weight * self.item_graph + b * self.item_content,
                dtype=np.float32,
            )
        self.cold_rows = np.flatnonzero(~np.asarray(self.item_warm, dtype=bool))
        self.cold_tag_rows = None
        if self.tag_weight and self.item_tags is not None:
            self.cold_tag_rows = unit_tag_rows(self.item_tags[self.cold_rows])

    @property
    def content_share(self) -> np.ndarray:
        """``b_i`` of every item: the blend for items with interactions, else the cold one."""
        return np.where(self.item_warm, self.blend, self.cold_blend).astype(np.float32)

    @property
    def context(self) -> ContextAffinity | None:
        """The context affinities, or ``None`` where the model has none."""
        if self.context_lift is None:
            return None
        return ContextAffinity(
            self.context_lift, self.context_weight, self.context_bands, self.context_devices
        )

    # -- shapes -------------------------------------------------------------------------
    @property
    def user_embeddings(self) -> np.ndarray:
        return self.user_graph

    @property
    def tag_embeddings(self) -> np.ndarray:
        return self.tag_graph

    @property
    def category_embeddings(self) -> np.ndarray:
        return self.category_graph

    @property
    def num_users(self) -> int:
        return self.user_graph.shape[0]

    @property
    def num_items(self) -> int:
        return self.item_graph.shape[0]

    @property
    def dim(self) -> int:
        return self.item_graph.shape[1]

    # -- scoring ------------------------------------------------------------------------
    def history_row(
        self,
        item_rows: np.ndarray,
        weights: np.ndarray | None = None,
        times: np.ndarray | None = None,
    ) -> sp.csr_matrix:
        """A live history as the model's query row, with the trained strength and recency."""
        return history_row(item_rows, weights, times, self.num_items, self.recency, self.strength)

    def history_scores(self, rows: sp.csr_matrix) -> np.ndarray | None:
        """``(q S) * (1 - b)`` for query rows ``q`` (rows x items); ``None`` without ``S``."""
        if self.item_item is None:
            return None
        part = np.asarray((rows @ self.item_item).todense(), dtype=np.float32)
        part *= 1.0 - self.content_share
        return part

    def tag_term(
        self, rows: sp.csr_matrix, unit_rows: sp.csr_matrix | None = None
    ) -> np.ndarray | None:
        """``tag_weight`` times the cosine of each query row's tag profile with the tags of
        the model's items without interactions (``cold_rows``), or of the items whose unit
        tag rows ``unit_rows`` (:func:`gnn.content.unit_tag_rows`) are given; ``None`` where
        the model has no such term."""
        target = self.cold_tag_rows if unit_rows is None else unit_rows
        if not self.tag_weight or self.item_tags is None or target is None:
            return None
        if not target.shape[0] or not rows.nnz:
            return None
        return self.tag_weight * tag_cosine(rows, self.item_tags, target)

    def _add_history_terms(self, scores: np.ndarray, rows: sp.csr_matrix) -> None:
        part = self.history_scores(rows)
        if part is not None:
            scores += part
        term = self.tag_term(rows)
        if term is not None:
            scores[:, self.cold_rows] += self.cold_blend * term

    def user_scores(self, user_rows: np.ndarray) -> np.ndarray:
        """Blended scores (users x items) of the users trained on."""
        user_rows = np.asarray(user_rows, dtype=np.int64)
        scores = _matmul_t(self.user_graph[user_rows], self.item_scoring)
        if self.user_rows is not None:
            self._add_history_terms(scores, self.user_rows[user_rows])
        return scores

    def score_breakdown(self, user_row: int, item_rows: np.ndarray) -> dict[str, np.ndarray]:
        """Graph and content scores of ``item_rows`` for one user, and the blend weights."""
        item_rows = np.asarray(item_rows, dtype=np.int64)
        e_u = self.user_graph[user_row]
        graph = self.graph_weight * (self.item_graph[item_rows] @ e_u)
        if self.item_item is not None and self.user_rows is not None:
            # the user's whole row, then the items: slicing S by column would walk all of it
            history = np.asarray((self.user_rows[[user_row]] @ self.item_item).todense()).ravel()
            graph = graph + history[item_rows]
        content = self.item_content[item_rows] @ e_u
        if self.user_rows is not None:
            term = self.tag_term(self.user_rows[[user_row]])
            if term is not None:
                by_row = np.zeros(self.num_items, np.float32)
                by_row[self.cold_rows] = term[0]
                content = content + by_row[item_rows]
        b = self.content_share[item_rows]
        return {
            "graph": graph,
            "content": content,
            "blend": b,
            "score": (1 - b) * graph + b * content,
        }

    def _exclude(self, scores: np.ndarray, exclude: Sequence[np.ndarray] | None) -> None:
        if exclude is None:
            return
        for row, items in enumerate(exclude):
            if items is not None and len(items):
                scores[row, np.asarray(items, dtype=np.int64)] = -np.inf

    def recommend(
        self, user_rows: np.ndarray, k: int, exclude: Sequence[np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` ``(scores, item_rows)`` for each user row, never an item of ``exclude``."""
        scores = self.user_scores(np.atleast_1d(user_rows))
        self._exclude(scores, exclude)
        return _topk(scores, k)

    def score_vector(
        self,
        user_vector: np.ndarray,
        exclude: np.ndarray | None = None,
        k: int = 20,
        *,
        history: sp.csr_matrix | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items for a user vector (e.g. from :meth:`fold_in_user`) and, when given,
        the user's history row (:meth:`history_row`) for the item-item part. Without a
        history (declared interests only) the embeddings carry the graph score alone."""
        vector = np.asarray(user_vector, dtype=np.float32)
        if history is None or self.item_item is None:
            scores = (self.item_embeddings @ vector)[None, :]
        else:
            scores = (self.item_scoring @ vector)[None, :]
        if history is not None:
            self._add_history_terms(scores, history)
        self._exclude(scores, None if exclude is None else [exclude])
        val, idx = _topk(scores, k)
        return val[0], idx[0]

    def similar_items(self, item_row: int, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` items most cosine-similar to ``item_row`` (itself excluded)."""
        emb = self.item_embeddings
        norms = np.maximum(np.linalg.norm(emb, axis=1), 1e-12)
        sims = (emb @ emb[item_row]) / (norms * norms[item_row])
        sims[item_row] = -np.inf
        val, idx = _topk(sims[None, :].astype(np.float32), k)
        return val[0], idx[0]

    # -- cold start ---------------------------------------------------------------------
    def _interaction_row(self, item_rows: np.ndarray, weights: np.ndarray | None) -> sp.csr_matrix:
        item_rows = np.asarray(item_rows, dtype=np.int64)
        w = np.ones(len(item_rows), np.float32) if weights is None else np.asarray(weights)
        w = np.maximum(damp(w), 0.0)
        deg = max(float(w.sum()), 1e-12)
        return sp.csr_matrix(
            (w / np.sqrt(deg), (np.zeros(len(item_rows), np.int64), item_rows)),
            shape=(1, self.num_items),
        )

    def fold_in_user(
        self,
        item_rows: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        tag_rows: np.ndarray | None = None,
        category_rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """Embed a user who is not in the model from interactions and/or declared interests.

        Interactions are propagated like one LightGCN layer (``r^_u`` times the unscaled item
        embeddings, negative weights dropped) and mapped into user space by ``fold_in_map``, a
        ridge regression fitted on the training users. Declared tags and categories are
        context nodes like users, so their embeddings are averaged in directly. Returns a
        zero vector when nothing is given (the caller falls back to trending items).
        """
        parts: list[np.ndarray] = []
        if item_rows is not None and len(item_rows):
            row = self._interaction_row(item_rows, weights).tocsr()
            # The user's items' rows only, gathered: a sparse row times item_graph made
            # scipy convert the whole float32 matrix to the row's float64 first (about
            # 45 ms at 100,000 items, per request of a user with feedback newer than the
            # model); unscaled by item_scale for the same reason.
            scaled = row.data / self.item_scale[row.indices]
            graph = np.asarray(self.item_graph[row.indices], dtype=np.float64)
            parts.append((scaled @ graph) @ self.fold_in_map)
        interests = []
        if tag_rows is not None and len(tag_rows):
            interests.append(self.tag_graph[np.asarray(tag_rows, dtype=np.int64)])
        if category_rows is not None and len(category_rows):
            interests.append(self.category_graph[np.asarray(category_rows, dtype=np.int64)])
        if interests:
            # Interests are scaled to the typical user norm so that they weigh like one user.
            vec = np.concatenate(interests).mean(axis=0)
            parts.append(vec * self._user_norm / max(float(np.linalg.norm(vec)), 1e-12))
        if not parts:
            return np.zeros(self.dim, dtype=np.float32)
        return np.mean(parts, axis=0).astype(np.float32)

    @property
    def _user_norm(self) -> float:
        if not self.num_users:
            return 1.0
        return float(np.median(np.linalg.norm(self.user_graph, axis=1)))

    def content_features(
        self,
        item_tags: Sequence[np.ndarray] | None = None,
        item_category: np.ndarray | None = None,
        item_type: np.ndarray | None = None,
        item_text: list[str] | None = None,
    ) -> sp.csr_matrix:
        """Content feature rows of new items, featurised exactly as in training."""
        n = _count(item_tags, item_category, item_type, item_text)
        pairs = None
        if item_tags is not None:
            rows = np.concatenate([np.full(len(t), i) for i, t in enumerate(item_tags)] + [[]])
            tags = np.concatenate([np.asarray(t) for t in item_tags] + [[]])
            pairs = (rows.astype(np.int64), tags.astype(np.int64))
        return build_content_matrix(
            self.content_spec,
            n,
            item_tags=pairs,
            item_category=None if item_category is None else np.asarray(item_category),
            item_type=None if item_type is None else np.asarray(item_type),
            item_text=item_text,
        )

    def embed_new_items(
        self,
        item_tags: Sequence[np.ndarray] | None = None,
        item_category: np.ndarray | None = None,
        item_type: np.ndarray | None = None,
        item_text: list[str] | None = None,
    ) -> np.ndarray:
        """Vectors for items unseen in training, from content alone (the content tower).

        ``item_tags`` is one array of tag rows per item. The result is comparable with
        ``item_embeddings``: ``user_vector @ result.T`` scores the new items.
        """
        feats = self.content_features(item_tags, item_category, item_type, item_text)
        return np.asarray(feats @ self.content_weight, dtype=np.float32)


def _count(*parts: object) -> int:
    for part in parts:
        if part is not None:
            return len(part)  # type: ignore[arg-type]
    raise ValueError("give at least one of tags, category, type or text")
