"""The generated catalogue: deterministic per seed, in the split layout, with known tastes."""

from __future__ import annotations

import numpy as np

from gnn.bench import load_split
from gnn.data import snapshot_hash
from gnn.derive import main as derive
from gnn.synthetic import make_catalogue


def _small(seed: int, **kwargs):
    return make_catalogue(120, 200, num_topics=4, per_user=20, seed=seed, **kwargs)


def test_same_seed_same_catalogue_other_seed_other():
    a, b, c = _small(1), _small(1), _small(2)
    assert snapshot_hash(a.training_data()[0]) == snapshot_hash(b.training_data()[0])
    assert a.titles == b.titles and a.tags == b.tags and a.description == b.description
    assert np.array_equal(a.cold_items, b.cold_items)
    assert snapshot_hash(a.training_data()[0]) != snapshot_hash(c.training_data()[0])


def test_written_split_reads_back_as_the_in_memory_data(tmp_path):
    catalogue = _small(0, with_genres=True)
    catalogue.write_split(tmp_path)
    data, test, extra = load_split(tmp_path)
    same, same_test, same_extra = catalogue.training_data()
    assert snapshot_hash(data) == snapshot_hash(same)
    assert data.num_categories == 4 and (data.item_category >= 0).all()
    assert {u: v.tolist() for u, v in test.items()} == {u: v.tolist() for u, v in same_test.items()}
    assert extra["cold_items"].tolist() == same_extra["cold_items"].tolist()
    assert extra["cold_test"].keys() == same_extra["cold_test"].keys()


def test_cold_items_are_held_out_and_train_precedes_test():
    catalogue = _small(0)
    cold = set(catalogue.cold_items.tolist())
    assert cold and not cold & set(catalogue.item.tolist())
    assert all(set(v.tolist()) <= cold for v in catalogue.cold_test.values())
    assert all(not set(v.tolist()) & cold for v in catalogue.test.values())
    # times increase within each user's training pairs (the split is temporal)
    for u in range(catalogue.num_users):
        times = catalogue.time[catalogue.user == u]
        assert (np.diff(times) >= 0).all()


def test_tags_reveal_topics_and_users_follow_their_tastes():
    catalogue = make_catalogue(300, 400, num_topics=5, per_user=30, seed=0)
    topic = catalogue.item_topic
    tagged = [i for i, ts in enumerate(catalogue.tags) if ts]
    same = [
        len(set(catalogue.tags[i]) & set(catalogue.tags[j]))
        for i in tagged[:60]
        for j in tagged[:60]
        if i < j and topic[i] == topic[j]
    ]
    other = [
        len(set(catalogue.tags[i]) & set(catalogue.tags[j]))
        for i in tagged[:60]
        for j in tagged[:60]
        if i < j and topic[i] != topic[j]
    ]
    assert np.mean(same) > 3 * np.mean(other)
    # the share of a user's pairs in their favourite topic is far above the uniform 1/5
    favourite = catalogue.user_taste.argmax(axis=1)
    share = np.mean(topic[catalogue.item] == favourite[catalogue.user])
    assert share > 0.5


def test_command_writes_a_readable_split(tmp_path):
    out = tmp_path / "synthetic"
    assert derive(["synthetic", "--out", str(out), "--users", "50", "--items", "80"]) == 0
    data, test, extra = load_split(out)
    assert data.num_users == 50 and data.num_items == 80
    assert test and extra["cold_test"] and len(extra["cold_items"])
    assert data.item_tags is not None and data.num_categories == 1  # tags only, no genres
