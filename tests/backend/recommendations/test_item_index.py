"""Serving from the item index: above the threshold the index's candidates are scored, and
the lists are the brute-force lists; a damaged index is served by brute force, logged."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

import gnn
from backend.accounts.models import User
from backend.demo.generator import seed_demo
from backend.interactions.models import Interaction
from backend.recommendations import impressions
from backend.recommendations.registry import registry
from backend.recommendations.retrieval import indexed_positions
from backend.recommendations.serving import (
    FRESHNESS_OFF,
    Method,
    RecommendationKnobs,
    recommend_for_user,
)
from backend.recommendations.training import run_training
from backend.recommendations.universe import Taste, universe_of
from tests.backend.conftest import SIMULATED_NOW

RERANKING_OFF = RecommendationKnobs(diversity=0.0, freshness_half_life_days=FRESHNESS_OFF)
THRESHOLD = 1000


@pytest.fixture
def indexed_platform(db, tmp_path, settings):
    """A generated platform of 3,000 items, trained with the index threshold below that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RECOMMENDATION_CACHE_TTL = 0
    settings.RECOMMENDATION_INDEX_MIN_ITEMS = THRESHOLD
    seed_demo(seed=5, users=120, items=3000, now=SIMULATED_NOW)
    config = gnn.TrainConfig(emb_dim=16, rank_grid=(16,), seed=1)
    run_training(config, progress=False, artifact_dir=tmp_path, build_atlas=False)
    registry.reset()
    yield settings
    impressions.flush()
    registry.reset()


def _readers(count: int) -> list[User]:
    ids = sorted(set(Interaction.objects.values_list("user_id", flat=True)))
    rng = np.random.default_rng(0)
    chosen = rng.choice(ids, size=min(count, len(ids)), replace=False)
    return list(User.objects.filter(pk__in=chosen.tolist()).order_by("pk"))


def _lists(readers: list[User], knobs: RecommendationKnobs | None) -> list[list[int]]:
    out = []
    for reader in readers:
        result = recommend_for_user(reader, 20, knobs=knobs, use_cache=False, log=False)
        assert result.method is Method.HYBRID
        out.append(result.item_ids)
    return out


def test_the_index_is_built_at_training_and_serves_above_the_threshold(indexed_platform):
    state = registry.current()
    model = state.model
    assert model.num_items >= THRESHOLD
    assert (Path(model.path) / "items.faiss").is_file()
    assert model.item_index is not None and model.item_index.ntotal == model.num_items
    universe = universe_of(state)
    taste = Taste(model.user_graph[0], model.user_rows[[0]])
    fresh = universe.freshness(SIMULATED_NOW.timestamp(), 7.0)
    everything = np.ones(len(universe.ids), dtype=bool)
    rows = indexed_positions(state, universe, taste, None, None, fresh, 100, everything)
    assert rows is not None and len(rows) < model.num_items / 2  # a part of the catalogue
    # a filter that refuses most candidates: brute force
    narrow = np.zeros(len(universe.ids), dtype=bool)
    narrow[rows[:50]] = True
    assert indexed_positions(state, universe, taste, None, None, fresh, 100, narrow) is None
    indexed_platform.RECOMMENDATION_INDEX_MIN_ITEMS = model.num_items + 1
    assert indexed_positions(state, universe, taste, None, None, fresh, 100, everything) is None


@pytest.mark.parametrize(("knobs", "overlap"), [(RERANKING_OFF, 0.99), (None, 0.9)])
def test_served_lists_from_the_index_are_the_brute_force_lists(indexed_platform, knobs, overlap):
    readers = _readers(25)
    indexed = _lists(readers, knobs)
    indexed_platform.RECOMMENDATION_INDEX_MIN_ITEMS = 0  # every item scored
    brute = _lists(readers, knobs)
    common = sum(len(set(a) & set(b)) for a, b in zip(indexed, brute, strict=True))
    assert common / sum(len(b) for b in brute) >= overlap
    if knobs is RERANKING_OFF:  # the plain order by score: the same lists, in order
        same = sum(a == b for a, b in zip(indexed, brute, strict=True))
        assert same >= len(readers) - 1


def test_a_damaged_index_is_served_by_brute_force_with_a_warning(indexed_platform, caplog):
    path = Path(registry.current().model.path) / "items.faiss"
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    registry.reset()
    with caplog.at_level(logging.WARNING, logger="gnn.artifact"):
        state = registry.current()
    assert state is not None and state.model.item_index is None
    assert "item index not used, scoring by brute force" in caplog.text
    readers = _readers(3)
    assert all(len(items) == 20 for items in _lists(readers, None))
