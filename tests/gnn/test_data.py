import numpy as np
import pytest

from gnn import TrainingData, snapshot_hash, temporal_split
from gnn.data import aggregate_interactions


def test_temporal_split_holds_out_latest_positives(data):
    train, valid = temporal_split(data, holdout=0.2)
    assert valid, "every user has enough positives to hold some out"
    for u, items in valid.items():
        mine = data.user == u
        pos_times = {
            int(i): int(t)
            for i, t, w in zip(data.item[mine], data.time[mine], data.weight[mine], strict=True)
            if w > 0
        }
        held = [pos_times[int(i)] for i in items]
        kept = [t for i, t in pos_times.items() if i not in set(items.tolist())]
        assert min(held) >= max(kept)
        assert len(items) == int(np.ceil(0.2 * len(pos_times)))
        # held-out pairs are gone from the training part
        assert not np.isin(items, train.item[train.user == u]).any()
    # negative feedback always stays in training
    assert (train.weight < 0).sum() == (data.weight < 0).sum()


def test_temporal_split_user_fraction(synthetic):
    data = synthetic(num_users=90)
    _, valid = temporal_split(data, holdout=0.1, user_fraction=0.3, seed=1)
    assert 10 <= len(valid) <= 50


def test_aggregate_sums_repeated_pairs():
    data = TrainingData(
        num_users=2,
        num_items=3,
        user=np.array([0, 0, 1]),
        item=np.array([1, 1, 2]),
        weight=np.array([1.0, 2.0, -1.0]),
        time=np.array([5, 9, 3]),
    )
    user, item, weight, time = aggregate_interactions(data)
    assert user.tolist() == [0, 1] and item.tolist() == [1, 2]
    assert weight.tolist() == [3.0, -1.0] and time.tolist() == [9, 3]


def test_snapshot_hash_is_stable_and_sensitive(data, synthetic):
    assert snapshot_hash(data) == snapshot_hash(synthetic())
    other = synthetic()
    other.weight[0] += 1
    assert snapshot_hash(other) != snapshot_hash(data)


def test_validation_rejects_bad_rows():
    with pytest.raises(ValueError, match="item rows"):
        TrainingData(num_users=1, num_items=2, user=np.array([0]), item=np.array([2]))
    with pytest.raises(ValueError, match="one row per item"):
        TrainingData(
            num_users=1,
            num_items=2,
            user=np.array([0]),
            item=np.array([1]),
            item_category=np.array([0]),
            num_categories=1,
        )
