"""Serving configurations: their JSON form, and the same bounds as a request's knobs."""

from __future__ import annotations

import pytest

from backend.recommendations.config import SOURCES, ServingConfig, SourceMix
from backend.recommendations.request import InvalidKnob, RecommendationKnobs


def test_a_configuration_round_trips_through_its_json_form():
    config = ServingConfig(
        model_version="v7",
        knobs=RecommendationKnobs(blend=0.4, diversity=0.1, freshness_half_life_days=7),
        source_mix=SourceMix(graph=0.6, trending=0.2, new_creators=0.2),
        bandit=True,
    )
    assert ServingConfig.from_dict(config.to_dict()) == config
    assert ServingConfig.from_dict({}) == ServingConfig()
    assert SOURCES == ("graph", "content", "trending", "new_items", "new_creators")


def test_source_shares_sum_to_one():
    shares = SourceMix(graph=3.0 / 4, trending=1.0 / 4).validated().shares()
    assert shares == {
        "graph": 0.75,
        "content": 0.0,
        "trending": 0.25,
        "new_items": 0.0,
        "new_creators": 0.0,
    }


@pytest.mark.parametrize(
    ("data", "knob"),
    [
        ({"knobs": {"diversity": 1.5}}, "knobs.diversity"),
        ({"knobs": {"freshness_half_life_days": 0.5}}, "knobs.freshness_half_life_days"),
        ({"knobs": {"blend": "half"}}, "knobs.blend"),
        ({"knobs": {"speed": 1}}, "knobs.speed"),
        ({"source_mix": {"graph": 0, "content": 0}}, "source_mix"),
        ({"source_mix": {"graph": -1}}, "source_mix.graph"),
        ({"source_mix": {"friends": 1}}, "source_mix.friends"),
        ({"source_mix": [1, 2]}, "source_mix"),
        ({"bandit": "yes"}, "bandit"),
        ({"model_version": 7}, "model_version"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_configurations_name_the_setting(data, knob):
    with pytest.raises(InvalidKnob) as refused:
        ServingConfig.from_dict(data)
    assert refused.value.knob == knob


def test_a_configuration_names_its_source_plan():
    assert ServingConfig().source_plan() is None
    mixed = ServingConfig(source_mix=SourceMix(graph=0.5, new_creators=0.5))
    assert mixed.source_plan().weights == (0.5, 0.0, 0.0, 0.0, 0.5)
    assert not mixed.source_plan().bandit
    bandit = ServingConfig(bandit=True).source_plan()
    assert bandit.bandit and bandit.weights is None and bandit.active
