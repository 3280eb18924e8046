"""The diversity knob on a catalogue with known categories and creators.

A reader's plain top-20 leans on their home category; raising the knob must bring in the
other categories and creators, and the intra-list diversity the service reports must rise
with it. Checked on the re-ranker alone and on lists the service serves from a model
trained through the product.
"""

from __future__ import annotations

import numpy as np
import pytest

from backend.accounts.models import User
from backend.recommendations.ranking import (
    candidate_pool,
    intra_list_diversity,
    mmr_rerank,
    unit_rows,
)
from backend.recommendations.serving import FRESHNESS_OFF, RecommendationKnobs, recommend_for_user

from .conftest import breakdown_total

KNOBS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _synthetic(seed: int = 0, categories: int = 8, per_category: int = 60):
    """Scores that favour category 0 strongly, embeddings clustered by category."""
    rng = np.random.default_rng(seed)
    category = np.repeat(np.arange(categories), per_category)
    centres = rng.standard_normal((categories, 16))
    vectors = unit_rows(centres[category] + 0.4 * rng.standard_normal((len(category), 16)))
    scores = rng.normal(0.0, 1.0, len(category)) - 0.6 * category + 2.5 * (category == 0)
    creators = category * 5 + rng.integers(0, 5, len(category))
    return scores, vectors, category, creators


def _rerank(knob: float, scores, vectors, category, creators) -> np.ndarray:
    pool = candidate_pool(scores, 100, categories=category, per_category=10, window=1000)
    picked = mmr_rerank(
        scores[pool],
        20,
        diversity=knob,
        embeddings=vectors[pool],
        creators=creators[pool],
        categories=category[pool],
    )
    return pool[picked.order]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_categories_and_diversity_grow_with_the_knob(seed):
    scores, vectors, category, creators = _synthetic(seed)
    lists = [_rerank(knob, scores, vectors, category, creators) for knob in KNOBS]
    spans = [len(set(category[top])) for top in lists]
    diversity = [intra_list_diversity(vectors[top]) for top in lists]
    assert spans[0] <= 2  # relevance alone: the favoured category
    assert spans == sorted(spans) and spans[-1] >= 5
    assert diversity == sorted(diversity) and diversity[-1] > diversity[0] + 0.2


def test_pool_holds_each_category_and_keeps_the_plain_top_first():
    scores, _, category, _ = _synthetic()
    scores[5] = -np.inf  # not eligible
    pool = candidate_pool(scores, 100, categories=category, per_category=10, window=1000)
    plain = candidate_pool(scores, 100)
    assert 5 not in pool and len(set(pool.tolist())) == len(pool)
    assert set(category[pool]) == set(category)
    assert np.all(np.diff(scores[pool]) <= 0)  # still best first
    assert pool[:20].tolist() == plain[:20].tolist()
    # with every knob at 0 the re-ranker is the plain ranking
    picked = mmr_rerank(scores[pool], 20, diversity=0.0, categories=category[pool])
    assert pool[picked.order].tolist() == plain[:20].tolist()


def test_items_without_a_category_are_not_counted_together():
    scores = np.array([3.0, 2.9, 2.8, 1.0])
    picked = mmr_rerank(scores, 3, diversity=1.0, categories=np.array([-1, -1, -1, 4]))
    assert picked.order == [0, 1, 2] and picked.penalties == [0.0, 0.0, 0.0]


def test_served_lists_span_more_categories_and_creators_as_the_knob_rises(served_catalogue):
    readers = [User.objects.get(pk=u) for u in served_catalogue.readers[:24]]
    table = []
    for knob in (0.0, 0.5, 1.0):
        knobs = RecommendationKnobs(diversity=knob, freshness_half_life_days=FRESHNESS_OFF)
        lists = [
            recommend_for_user(r, 20, knobs=knobs, use_cache=False, log=False) for r in readers
        ]
        table.append(
            (
                np.mean(
                    [len({served_catalogue.item_category[i] for i in x.item_ids}) for x in lists]
                ),
                np.mean(
                    [len({served_catalogue.item_creator[i] for i in x.item_ids}) for x in lists]
                ),
                np.mean([x.diversity for x in lists]),
            )
        )
    (cat0, cre0, div0), (cat5, cre5, div5), (cat1, cre1, div1) = table
    assert cat0 < cat5 <= cat1 and cat0 <= 3 and cat1 >= 5  # of 6
    assert cre0 <= cre5 <= cre1 and cre1 > cre0
    assert div0 < div5 < div1


def test_breakdown_adds_up_to_the_score_and_has_a_popularity_part(served_catalogue):
    reader = User.objects.get(pk=served_catalogue.readers[3])
    result = recommend_for_user(reader, 20, knobs=RecommendationKnobs(diversity=1.0), log=False)
    for rec in result.items:
        assert breakdown_total(rec.breakdown) == pytest.approx(rec.score, abs=1e-4)
    # items more and less popular than the median: the part has both signs
    parts = [rec.breakdown.popularity for rec in result.items]
    assert max(parts) > 0 > min(parts)
