"""Where a user stands for the model: a vector and the history row of its item-item part
(see ``serving``'s docstring for the methods).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from backend.recommendations.profile import Profile
from backend.recommendations.registry import ScoringModel, ServingModel
from backend.recommendations.request import Method
from backend.recommendations.rows import rows_of

__all__ = ["place_user"]


# How strongly interactions since training pull the trained user vector: with n of them
# the fold-in gets weight n / (n + REALTIME_PRIOR).
REALTIME_PRIOR = 3.0


def place_user(
    state: ServingModel, profile: Profile, user_id: int
) -> tuple[np.ndarray | None, sp.csr_matrix | None, Method]:
    """The user's vector and history row (the model's query for its item-item part)."""
    model = state.model
    trained = state.trained_at.timestamp() if state.trained_at else -math.inf
    act_rows = rows_of(state.item_row, [act[0] for act in profile.acts])
    known = [
        (int(row), w, t)
        for row, (_, w, t, _) in zip(act_rows, profile.acts, strict=True)
        if row >= 0
    ]
    positive = [(row, w, t) for row, w, t in known if w > 0]
    user_row = state.user_row.get(user_id)
    # The trained vector means something only for a user who had positive feedback then.
    if user_row is not None and any(t < trained for _, _, t in positive):
        vector = np.asarray(model.user_graph[user_row], dtype=np.float32)
        recent = [(row, w) for row, w, t in positive if t >= trained]
        if not recent:
            return vector, _trained_history(model, user_row), Method.HYBRID
        rows = np.array([r for r, _ in recent], dtype=np.int64)
        weights = np.array([w for _, w in recent], dtype=np.float32)
        folded = model.fold_in_user(rows, weights)
        alpha = len(recent) / (len(recent) + REALTIME_PRIOR)
        vector = (1.0 - alpha) * vector + alpha * folded
        return vector, _live_history(model, known), Method.HYBRID
    if positive:
        rows = np.array([r for r, _, _ in positive], dtype=np.int64)
        weights = np.array([w for _, w, _ in positive], dtype=np.float32)
        return model.fold_in_user(rows, weights), _live_history(model, known), Method.HYBRID
    tags = np.array([state.tag_row[t] for t in profile.interest_tags if t in state.tag_row])
    cats = np.array(
        [state.category_row[c] for c in profile.interest_categories if c in state.category_row]
    )
    if len(tags) or len(cats):
        vector = model.fold_in_user(
            tag_rows=tags.astype(np.int64) if len(tags) else None,
            category_rows=cats.astype(np.int64) if len(cats) else None,
        )
        if np.any(vector):
            return vector, None, Method.CONTENT
    return None, None, Method.TRENDING


def _trained_history(model: ScoringModel, user_row: int) -> sp.csr_matrix | None:
    """The query row the model was fitted with: what evaluation scored this user by."""
    rows = getattr(model, "user_rows", None)
    return None if rows is None else rows[[user_row]]


def _live_history(model: ScoringModel, known: list[tuple[int, float, float]]) -> sp.csr_matrix:
    """The user's current feedback as the model's query row, built as in training."""
    rows = np.array([r for r, _, _ in known], dtype=np.int64)
    weights = np.array([w for _, w, _ in known], dtype=np.float32)
    times = np.array([t for _, _, t in known], dtype=np.float64).astype(np.int64)
    return model.history_row(rows, weights, times)
