"""Context affinities: the lift table, its smoothing and margins, the weight chosen on
validation, and their place in the artifact."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from gnn import ArtifactError, fit, load_artifact, save_artifact
from gnn.context import ContextActs, fit_lift, item_groups, latest_contexts

BANDS = ("night", "morning", "day", "evening")
DEVICES = ("mobile", "tablet", "desktop", "tv")
MORNING, EVENING, MOBILE, DESKTOP, ANY_BAND, ANY_DEVICE = 1, 3, 0, 2, 4, 4


def _acts(item, band, device, user=None, time=None) -> ContextActs:
    n = len(item)
    return ContextActs(
        user=np.zeros(n, np.int64) if user is None else user,
        item=np.asarray(item),
        time=np.arange(n) if time is None else time,
        band=np.asarray(band),
        device=np.asarray(device),
        bands=BANDS,
        devices=DEVICES,
    )


def test_an_informative_context_lifts_the_kinds_read_then():
    # item 0 (group 0) is read on mobile in the morning, item 1 (group 1) on desktop at night
    item = np.r_[np.zeros(300, int), np.ones(300, int)]
    band = np.r_[np.full(270, MORNING), np.full(30, EVENING), np.full(300, EVENING)]
    device = np.r_[np.full(270, MOBILE), np.full(30, DESKTOP), np.full(300, DESKTOP)]
    lift = fit_lift(np.array([0, 1]), _acts(item, band, device), num_groups=2)
    assert lift.shape == (2, 5, 5)
    assert lift[0, MORNING, MOBILE] > 0.5 and lift[1, MORNING, MOBILE] < -1.0
    assert lift[1, EVENING, DESKTOP] > 0.3 and lift[0, EVENING, DESKTOP] < -1.0
    # the margins: a request that gives only its hour, or only its device
    assert lift[0, MORNING, ANY_DEVICE] > 0.5 and lift[0, ANY_BAND, MOBILE] > 0.5
    assert (lift[:, ANY_BAND, ANY_DEVICE] == 0).all()
    # a context nobody was seen in says nothing
    assert (lift[:, 0, 1] == 0).all()


def test_where_the_context_says_nothing_every_lift_is_zero():
    """Each kind of item read as much in every context: not a rounding error of a term."""
    item = np.repeat([0, 1, 2], 40)
    band = np.tile([MORNING, EVENING], 60)
    device = np.tile([MOBILE, MOBILE, DESKTOP, DESKTOP], 30)
    lift = fit_lift(np.array([0, 1, 2]), _acts(item, band, device), num_groups=3)
    assert not lift.any()


def test_a_few_acts_stay_near_zero():
    item = np.r_[np.zeros(500, int), [1]]
    band = np.r_[np.full(500, EVENING), [MORNING]]
    device = np.full(501, MOBILE)
    lift = fit_lift(np.array([0, 1]), _acts(item, band, device), num_groups=2)
    assert 0 < lift[1, MORNING, MOBILE] < 0.1


def test_an_act_with_half_a_context_counts_in_its_margin_only():
    # group 0's acts say only their band, group 1's only their device
    item = np.r_[np.zeros(200, int), np.ones(200, int)]
    band = np.r_[np.full(200, MORNING), np.full(200, -1)]
    device = np.r_[np.full(200, -1), np.full(200, DESKTOP)]
    lift = fit_lift(np.array([0, 1]), _acts(item, band, device), num_groups=2)
    assert lift[0, MORNING, ANY_DEVICE] > 0.5 and lift[1, ANY_BAND, DESKTOP] > 0.5
    assert (lift[:, :4, :4] == 0).all()


def test_items_without_category_or_type_have_no_group():
    groups = item_groups(np.array([0, 2, -1, 1]), np.array([1, 0, 1, -1]), num_types=2)
    assert groups.tolist() == [1, 4, -1, -1]


def test_latest_contexts_are_those_of_each_pair_s_last_act():
    acts = _acts(
        item=[3, 3, 1],
        band=[MORNING, EVENING, 0],
        device=[MOBILE, DESKTOP, -1],
        user=np.array([0, 0, 1]),
        time=np.array([10, 20, 5]),
    )
    band, device = latest_contexts(acts, 5, np.array([0 * 5 + 3, 1 * 5 + 1, 1 * 5 + 3]))
    assert band.tolist() == [EVENING, 0, -1] and device.tolist() == [DESKTOP, -1, -1]


def _with_context(data, informative: bool):
    """Every positive act with a context: by the item's type (type 0 on mobile in the
    morning, type 1 on desktop in the evening), or every act in both contexts."""
    positive = data.weight > 0
    user, item, time = data.user[positive], data.item[positive], data.time[positive]
    kind = data.item_type[item]
    band = np.where(kind == 0, MORNING, EVENING)
    device = np.where(kind == 0, MOBILE, DESKTOP)
    if not informative:
        user, item, time = np.tile(user, 2), np.tile(item, 2), np.tile(time, 2)
        band = np.r_[np.full(len(band), MORNING), np.full(len(band), EVENING)]
        device = np.r_[np.full(len(device), MOBILE), np.full(len(device), DESKTOP)]
    acts = ContextActs(user, item, time, band, device, BANDS, DEVICES)
    return replace(data, context=acts)


def test_fit_weighs_an_informative_context_chosen_on_validation(data, small_config):
    result = fit(_with_context(data, informative=True), small_config, progress=False)
    weights = result.weights
    assert result.choice.context_weight > 0 and weights.context_weight > 0
    assert result.metrics["context_recall@20"] > result.metrics["context_free_recall@20"]
    assert weights.context_lift.shape == (3 * 2, 5, 5)
    assert weights.context_lift[0, MORNING, MOBILE] > 0 > weights.context_lift[1, MORNING, MOBILE]
    assert any(h["stage"] == "context" for h in result.history)


def test_fit_gives_an_uninformative_context_no_weight(data, small_config):
    result = fit(_with_context(data, informative=False), small_config, progress=False)
    assert result.choice.context_weight == 0.0
    assert not result.weights.context_lift.any()
    assert result.weights.context.column(MORNING, MOBILE) is None


def test_without_context_the_model_has_no_affinities(data, small_config):
    result = fit(data, small_config, progress=False)
    assert result.weights.context is None and result.choice.context_weight == 0.0
    assert "context_recall@20" not in result.metrics


def _ids(data):
    return {
        "user": list(range(data.num_users)),
        "item": list(range(data.num_items)),
        "tag": list(range(data.num_tags)),
        "category": list(range(data.num_categories)),
    }


def test_the_artifact_keeps_the_affinities(tmp_path, data, small_config):
    data = _with_context(data, informative=True)
    result = fit(data, small_config, progress=False)
    path = save_artifact(tmp_path, result, _ids(data), version="v1")
    model = load_artifact(path)
    assert np.array_equal(model.context_lift, result.weights.context_lift)
    assert model.context_weight == result.weights.context_weight
    assert model.context_bands == BANDS and model.context_devices == DEVICES
    column = model.context.column(MORNING, MOBILE)
    assert column.shape == (3 * 2 + 1,) and column[-1] == 0
    assert np.allclose(column[:-1], model.context_weight * model.context_lift[:, MORNING, MOBILE])
    assert model.context.column(None, None) is None


def test_an_artifact_whose_affinities_do_not_fit_is_refused(tmp_path, data, small_config):
    data = _with_context(data, informative=True)
    result = fit(data, small_config, progress=False)
    path = save_artifact(tmp_path, result, _ids(data), version="v1")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["model"]["context_num_types"] = 3
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="context_lift has shape"):
        load_artifact(path)
