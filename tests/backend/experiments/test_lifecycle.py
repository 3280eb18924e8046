"""Creating experiments, their lifecycle, one per surface, and atomic shipping."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from backend.experiments import services
from backend.experiments.models import Experiment, SurfaceDefault
from backend.experiments.plans import plans
from backend.experiments.services import VariantSpec
from backend.recommendations.config import ServingConfig

pytestmark = pytest.mark.django_db

CONTROL = VariantSpec("control", 0.5, {}, is_control=True)
FRESH = VariantSpec(
    "fresh",
    0.5,
    {"knobs": {"freshness_half_life_days": 3}, "source_mix": {"graph": 0.7, "trending": 0.3}},
)


def _draft(name: str = "fresher-feed") -> services.ExperimentView:
    return services.create_experiment(name, [CONTROL, FRESH], description="Shorter half-life")


def test_a_draft_keeps_its_variants_in_order_with_validated_configs():
    view = _draft()
    assert (view.status, view.surface, len(view.salt)) == ("draft", "for_you", 16)
    assert [(v.name, v.is_control, v.traffic_share) for v in view.variants] == [
        ("control", True, 0.5),
        ("fresh", False, 0.5),
    ]
    assert view.variants[1].label == "fresher-feed:fresh"
    # Stored in the configuration's full JSON form, every default written out.
    config = ServingConfig.from_dict(view.variants[1].config)
    assert config.knobs.freshness_half_life_days == 3 and config.knobs.diversity == 0.3
    assert config.source_mix.shares()["graph"] == pytest.approx(0.7)


@pytest.mark.parametrize(
    ("name", "variants", "errors"),
    [
        ("Bad Name", [CONTROL, FRESH], {"name"}),
        ("one-arm", [CONTROL], {"variants"}),
        ("no-control", [FRESH, VariantSpec("other", 0.5)], {"variants"}),
        ("too-much", [CONTROL, VariantSpec("fresh", 0.6)], {"variants"}),
        ("zero-share", [CONTROL, VariantSpec("fresh", 0)], {"variants[1].traffic_share"}),
        ("same-names", [CONTROL, VariantSpec("control", 0.5)], {"variants[1].name"}),
        (
            "bad-knob",
            [CONTROL, VariantSpec("fresh", 0.5, {"knobs": {"diversity": 3}})],
            {"variants[1].config.knobs.diversity"},
        ),
        (
            "unknown-source",
            [CONTROL, VariantSpec("fresh", 0.5, {"source_mix": {"friends": 1}})],
            {"variants[1].config.source_mix.friends"},
        ),
        (
            "no-such-model",
            [CONTROL, VariantSpec("fresh", 0.5, {"model_version": "v-missing"})],
            {"variants[1].config.model_version"},
        ),
    ],
)
def test_bad_experiments_are_refused_and_nothing_is_written(name, variants, errors):
    with pytest.raises(ValidationError) as refused:
        services.create_experiment(name, variants)
    assert set(refused.value.message_dict) == errors
    assert Experiment.objects.count() == 0


def test_the_lifecycle_and_its_refusals():
    view = _draft()
    pk = view.experiment_id
    with pytest.raises(ValidationError, match="only a running one can be"):
        services.pause_experiment(pk)
    started = services.start_experiment(pk)
    assert started.status == "running" and started.started_at is not None
    assert services.pause_experiment(pk).status == "paused"
    resumed = services.start_experiment(pk)
    assert resumed.status == "running" and resumed.started_at == started.started_at
    stopped = services.stop_experiment(pk)
    assert stopped.status == "stopped" and stopped.stopped_at is not None
    with pytest.raises(ValidationError, match="Cannot start experiment 'fresher-feed'"):
        services.start_experiment(pk)
    with pytest.raises(ValidationError, match="No experiment with id 999999"):
        services.stop_experiment(999_999)


def test_one_experiment_per_surface_and_a_paused_one_keeps_it():
    first, second = _draft("first"), _draft("second")
    services.start_experiment(first.experiment_id)
    with pytest.raises(ValidationError, match="Surface for_you already runs 'first'"):
        services.start_experiment(second.experiment_id)
    services.pause_experiment(first.experiment_id)
    with pytest.raises(ValidationError, match="already runs 'first'"):
        services.start_experiment(second.experiment_id)
    assert Experiment.objects.get(pk=second.experiment_id).status == "draft"
    services.stop_experiment(first.experiment_id)
    assert services.start_experiment(second.experiment_id).status == "running"


def test_shipping_makes_the_variant_the_default():
    view = _draft()
    services.start_experiment(view.experiment_id)
    assert services.surface_default() == ServingConfig()
    shipped = services.ship_variant(view.experiment_id, "fresh")
    assert (shipped.status, shipped.shipped_variant) == ("shipped", "fresh")
    assert services.surface_default().knobs.freshness_half_life_days == 3
    default = SurfaceDefault.objects.get(surface="for_you")
    assert default.shipped_from.name == "fresh"
    # The serving path sees the new default, and no experiment any more.
    plan = plans.current()["for_you"]
    assert plan.experiment is None
    assert plan.choice_for(7).config.knobs.freshness_half_life_days == 3
    assert plan.choice_for(7).variant == ""


def test_a_failure_mid_ship_leaves_nothing_changed(monkeypatch):
    earlier = _draft("earlier")
    services.start_experiment(earlier.experiment_id)
    services.ship_variant(earlier.experiment_id, "control")
    view = _draft()
    services.start_experiment(view.experiment_id)

    def fail(*args, **kwargs):
        raise DatabaseError("the connection dropped")

    # The default is written first; the experiment's own update then fails.
    monkeypatch.setattr(services, "_mark_shipped", fail)
    with pytest.raises(DatabaseError):
        services.ship_variant(view.experiment_id, "fresh")
    experiment = Experiment.objects.get(pk=view.experiment_id)
    assert (experiment.status, experiment.shipped_variant) == ("running", None)
    default = SurfaceDefault.objects.get(surface="for_you")
    assert default.shipped_from.experiment.name == "earlier"
    assert services.surface_default() == ServingConfig()  # the control's configuration


def test_shipping_an_unknown_variant_is_refused():
    view = _draft()
    services.start_experiment(view.experiment_id)
    with pytest.raises(ValidationError, match="has no variant 'nope'"):
        services.ship_variant(view.experiment_id, "nope")
    assert not SurfaceDefault.objects.exists()
    assert Experiment.objects.get(pk=view.experiment_id).status == "running"
