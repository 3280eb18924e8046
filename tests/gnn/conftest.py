"""Tiny synthetic graphs: users and items in three taste clusters, with tags and text."""

from __future__ import annotations

import numpy as np
import pytest

from gnn import TrainConfig, TrainingData
from gnn.tower import TowerSetting

CLUSTERS = 3
WORDS = ["space rocket orbit", "garden flower soil", "guitar chord song"]


def make_data(
    num_users: int = 60, num_items: int = 90, per_user: int = 10, seed: int = 0
) -> TrainingData:
    """Users mostly consume items of their own cluster; tags and text reveal the cluster."""
    rng = np.random.default_rng(seed)
    user_cluster = np.arange(num_users) % CLUSTERS
    item_cluster = np.arange(num_items) % CLUSTERS
    users, items, weights, times = [], [], [], []
    for u in range(num_users):
        own = np.flatnonzero(item_cluster == user_cluster[u])
        chosen = rng.choice(own, per_user, replace=False)
        other = rng.choice(np.flatnonzero(item_cluster != user_cluster[u]), 2, replace=False)
        for k, i in enumerate(chosen):
            users.append(u)
            items.append(i)
            weights.append(3.0 if k % 4 == 0 else 1.0)  # some likes among views
            times.append(1_000 + 10 * k + u)
        users += [u, u]
        items += list(other)
        weights += [-1.0, -1.0]  # disliked items of other clusters
        times += [5_000, 5_001]
    tag_items = np.repeat(np.arange(num_items), 2)
    tag_rows = np.stack([2 * item_cluster, 2 * item_cluster + 1], axis=1).ravel()
    text = [f"{WORDS[c]} item {i}" for i, c in enumerate(item_cluster)]
    return TrainingData(
        num_users=num_users,
        num_items=num_items,
        user=np.array(users),
        item=np.array(items),
        weight=np.array(weights, dtype=np.float32),
        time=np.array(times),
        item_tags=(tag_items, tag_rows),
        num_tags=2 * CLUSTERS,
        item_category=item_cluster.copy(),
        num_categories=CLUSTERS,
        item_type=np.arange(num_items) % 2,
        num_types=2,
        item_creator=np.arange(num_items) % 7,
        item_text=text,
    )


@pytest.fixture
def synthetic():
    """The generator itself, for tests that need other sizes or seeds."""
    return make_data


@pytest.fixture
def data() -> TrainingData:
    return make_data()


@pytest.fixture
def small_config() -> TrainConfig:
    return TrainConfig(
        emb_dim=16,
        rank_grid=(16, 32),
        seed=0,
        text_dim=64,
        towers=(TowerSetting("ridge", reg=0.1), TowerSetting("bpr", epochs=5)),
    )


@pytest.fixture(autouse=True)
def _clear_cache():
    # Overrides the suite-wide fixture that empties Django's cache: gnn never touches Django,
    # and its tests must run without it.
    yield


@pytest.fixture(autouse=True)
def _private_var_dirs():
    # Overrides the suite-wide fixture that points Django settings at temporary folders:
    # gnn tests write only under their own tmp_path.
    yield
