"""Served = evaluated: with re-ranking off, the service's top-20 is the library's top-20.

The model is trained through the product (``run_training``, the path of ``train_gnn``) on a
generated platform; for sampled readers, the list ``recommend_for_user`` serves with
``diversity=0`` and the freshness boost off, excluding only the reader's own items, must be
the top-20 that ``gnn``'s evaluation ranks for the same reader from the saved artifact.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import gnn
from backend.accounts.models import User
from backend.interactions.models import Interaction
from backend.recommendations.registry import registry
from backend.recommendations.serving import (
    FRESHNESS_OFF,
    Method,
    RecommendationKnobs,
    recommend_for_user,
)

RERANKING_OFF = RecommendationKnobs(diversity=0.0, freshness_half_life_days=FRESHNESS_OFF)


def _evaluated_top(model: gnn.LoadedModel, user_ids: list[int], k: int = 20) -> list[list[int]]:
    """The library's top-``k`` (database ids) with each user's own items excluded."""
    user_row = {int(u): r for r, u in enumerate(model.id_maps["user"])}
    item_row = {int(i): r for r, i in enumerate(model.id_maps["item"])}
    pairs = Interaction.objects.filter(user_id__in=user_ids).values_list("user_id", "item_id")
    rows = [(user_row[u], item_row[i]) for u, i in pairs]
    seen = sp.csr_matrix(
        (np.ones(len(rows), np.float32), ([r for r, _ in rows], [c for _, c in rows])),
        shape=(model.num_users, model.num_items),
    )
    top = gnn.topk_items(
        model.user_scores, np.array([user_row[u] for u in user_ids]), k, exclude=seen
    )
    item_ids = np.asarray(model.id_maps["item"], dtype=np.int64)
    return [item_ids[row[row >= 0]].tolist() for row in top]


def test_served_top20_equals_evaluated_top20(served_catalogue):
    model = registry.current().model
    rng = np.random.default_rng(0)
    sample = sorted(rng.choice(served_catalogue.readers, size=30, replace=False).tolist())
    evaluated = _evaluated_top(model, sample)
    scores = model.user_scores(np.array([model.id_maps["user"].index(u) for u in sample]))
    item_row = {int(i): r for r, i in enumerate(model.id_maps["item"])}
    for user_id, expected, user_scores in zip(sample, evaluated, scores, strict=True):
        result = recommend_for_user(
            User.objects.get(pk=user_id), 20, knobs=RERANKING_OFF, use_cache=False, log=False
        )
        assert result.method == Method.HYBRID
        got = result.item_ids
        assert len(got) == 20 and len(expected) == 20
        if got != expected:  # only exact score ties may be ordered differently
            np.testing.assert_array_equal(
                user_scores[[item_row[i] for i in got]],
                user_scores[[item_row[i] for i in expected]],
                err_msg=f"user {user_id}: served {got} but evaluated {expected}",
            )
        assert all(rec.breakdown.freshness == 0.0 for rec in result.items)
        assert all(rec.breakdown.diversity_penalty == 0.0 for rec in result.items)


def test_reranking_off_is_the_plain_order_and_default_knobs_rerank(served_catalogue):
    reader = User.objects.get(pk=served_catalogue.readers[0])
    plain = recommend_for_user(reader, 20, knobs=RERANKING_OFF, use_cache=False, log=False)
    default = recommend_for_user(reader, 20, use_cache=False, log=False)
    scores = [rec.score for rec in plain.items]
    assert scores == sorted(scores, reverse=True)
    assert default.item_ids != plain.item_ids  # the default knobs do re-rank
    assert any(rec.breakdown.freshness > 0 for rec in default.items)
