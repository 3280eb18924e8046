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
from backend.content.models import ContentItem
from backend.interactions.models import Interaction
from backend.recommendations.registry import registry
from backend.recommendations.serving import (
    FRESHNESS_OFF,
    Method,
    RecommendationKnobs,
    recommend_for_user,
)
from backend.recommendations.universe import Taste, universe_of
from gnn.content import item_tag_matrix

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
    rng = np.random.default_rng(0)
    sample = sorted(rng.choice(served_catalogue.readers, size=30, replace=False).tolist())
    _assert_served_is_evaluated(registry.current().model, sample)


def test_the_tag_profile_term_is_served_as_evaluated(served_catalogue):
    """Where the recipe chose the tag-profile term, items without interactions are scored
    with it by the service as by the library: 60 items made cold, the term weighted so that
    they reach the lists."""
    model = _with_tag_term(registry.current())
    rng = np.random.default_rng(1)
    sample = sorted(rng.choice(served_catalogue.readers, size=30, replace=False).tolist())
    served = _assert_served_is_evaluated(model, sample)
    cold = {int(model.id_maps["item"][r]) for r in model.cold_rows}
    assert sum(len(cold.intersection(ids)) for ids in served) >= 30


def _with_tag_term(state) -> gnn.LoadedModel:
    """The served model with 60 of its items made cold and a tag-profile term strong enough
    for them to reach the lists (the recipe's choice on this catalogue may be no term)."""
    model = state.model
    item_row = {int(i): r for r, i in enumerate(model.id_maps["item"])}
    tag_row = {int(t): r for r, t in enumerate(model.id_maps["tag"])}
    pairs = [
        (item_row[i], tag_row[t])
        for i, t in ContentItem.tags.through.objects.values_list("contentitem_id", "tag_id")
        if i in item_row and t in tag_row
    ]
    rng = np.random.default_rng(1)
    scores = model.user_scores(rng.choice(model.num_users, 30, replace=False))
    model.item_warm = model.item_warm.copy()
    model.item_warm[rng.choice(model.num_items, 60, replace=False)] = False
    model.item_tags = item_tag_matrix(
        (np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])),
        model.num_items,
        len(tag_row),
    )
    model.tag_weight = 3.0 * float(scores.std())
    model.refresh()
    state.derived.clear()  # the universe is laid out again for the changed model
    return model


def _assert_served_is_evaluated(model: gnn.LoadedModel, sample: list[int]) -> list[list[int]]:
    evaluated = _evaluated_top(model, sample)
    scores = model.user_scores(np.array([list(model.id_maps["user"]).index(u) for u in sample]))
    item_row = {int(i): r for r, i in enumerate(model.id_maps["item"])}
    served: list[list[int]] = []
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
        served.append(got)
    return served


def test_reranking_off_is_the_plain_order_and_default_knobs_rerank(served_catalogue):
    reader = User.objects.get(pk=served_catalogue.readers[0])
    plain = recommend_for_user(reader, 20, knobs=RERANKING_OFF, use_cache=False, log=False)
    default = recommend_for_user(reader, 20, use_cache=False, log=False)
    scores = [rec.score for rec in plain.items]
    assert scores == sorted(scores, reverse=True)
    assert default.item_ids != plain.item_ids  # the default knobs do re-rank
    assert any(rec.breakdown.freshness > 0 for rec in default.items)


def test_a_new_item_is_scored_like_a_cold_item_with_the_same_content(served_catalogue):
    """An item published after training gets the score that the model gives an item without
    interactions with the same content: tower and tag-profile term alike."""
    state = registry.current()
    model = _with_tag_term(state)
    tagged = [r for r in model.cold_rows if model.item_tags[r].nnz]
    original = ContentItem.objects.get(pk=int(model.id_maps["item"][tagged[0]]))
    twin = ContentItem.objects.get(pk=original.pk)
    twin.pk = None
    twin.save()
    twin.tags.set(original.tags.all())
    universe = universe_of(state)
    position = universe.positions.of(twin.pk)
    assert position is not None and position >= model.num_items
    reader = served_catalogue.readers[0]
    history = model.user_rows[[list(model.id_maps["user"]).index(reader)]]
    taste = Taste(model.user_graph[list(model.id_maps["user"]).index(reader)], history)
    tag_part = universe.tag_part(state, taste)
    assert tag_part is not None and np.any(tag_part[model.cold_rows])
    scores = universe.blended(state, taste, None, tag_part)
    np.testing.assert_allclose(scores[position], scores[tagged[0]], rtol=1e-5)
