"""Served lists under experiments: each user gets their variant's configuration (knobs,
model version), the impressions record the variant, and a shipped variant serves all."""

from __future__ import annotations

import pytest

from backend.experiments import services
from backend.experiments.assignment import pick
from backend.experiments.models import Experiment
from backend.experiments.plans import serving_choice
from backend.experiments.services import VariantSpec
from backend.interactions.models import Impression
from backend.recommendations.config import ServingChoice, ServingConfig
from backend.recommendations.serving import RecommendationKnobs, recommend_for_user

from .conftest import COOKING_READERS, MUSIC_READERS, register, user

READERS = COOKING_READERS + MUSIC_READERS
# Re-ranking off in the treatment: its lists are the model's own ranking.
PLAIN = {"knobs": {"diversity": 0.0, "freshness_half_life_days": 0}}


def _start(variants: list[VariantSpec], name: str = "plain-ranking") -> Experiment:
    view = services.create_experiment(name, variants)
    services.start_experiment(view.experiment_id)
    return Experiment.objects.get(pk=view.experiment_id)


def _expected_variant(experiment: Experiment, user_id: int) -> str:
    arms = [(v.traffic_share, v.name) for v in experiment.variants.all()]
    name = pick(experiment.salt, user_id, arms)
    return "" if name is None else f"{experiment.name}:{name}"


def test_every_served_list_records_the_users_variant(model):
    experiment = _start(
        [VariantSpec("control", 0.5, {}, is_control=True), VariantSpec("plain", 0.5, PLAIN)]
    )
    for reader in READERS:
        result = recommend_for_user(user(reader), 5)
        assert result.variant == _expected_variant(experiment, reader)
        logged = Impression.objects.filter(request_id=result.request_id)
        assert {row.variant for row in logged} == {result.variant}
    served = set(Impression.objects.values_list("variant", flat=True))
    assert served == {"plain-ranking:control", "plain-ranking:plain"}


def test_a_variants_knobs_serve_its_users_and_explicit_knobs_win(model):
    experiment = _start(
        [VariantSpec("control", 0.5, {}, is_control=True), VariantSpec("plain", 0.5, PLAIN)]
    )
    treated = [r for r in READERS if _expected_variant(experiment, r).endswith(":plain")]
    plain_knobs = RecommendationKnobs(diversity=0.0, freshness_half_life_days=0)
    differs = 0
    for reader in treated:
        served = recommend_for_user(user(reader), 8)
        alone = recommend_for_user(
            user(reader), 8, knobs=plain_knobs, log=False, use_cache=False, choice=ServingChoice()
        )
        default = recommend_for_user(user(reader), 8, log=False, choice=ServingChoice())
        assert served.item_ids == alone.item_ids
        differs += served.item_ids != default.item_ids
        # The viewer's own knobs are what they asked for; the variant is still recorded.
        asked = recommend_for_user(user(reader), 8, knobs=RecommendationKnobs(diversity=1.0))
        assert asked.variant == served.variant
        assert asked.item_ids == (
            recommend_for_user(
                user(reader),
                8,
                knobs=RecommendationKnobs(diversity=1.0),
                log=False,
                choice=ServingChoice(),
            ).item_ids
        )
    assert treated and differs  # the knobs changed some lists, so the check means something


def test_a_variant_serves_the_model_version_it_names(model, artifacts):
    register(artifacts["beta"], active=False)
    experiment = _start(
        [
            VariantSpec("control", 0.5, {}, is_control=True),
            VariantSpec("beta", 0.5, {"model_version": "beta"}),
        ],
        name="beta-model",
    )
    versions = {}
    for reader in READERS:
        result = recommend_for_user(user(reader), 5)
        versions[_expected_variant(experiment, reader)] = result.model_version
        logged = Impression.objects.filter(request_id=result.request_id)
        assert {row.model_version for row in logged} == {result.model_version}
    assert versions == {"beta-model:control": "alpha", "beta-model:beta": "beta"}


def test_paused_and_shipped_experiments(model):
    experiment = _start(
        [VariantSpec("control", 0.5, {}, is_control=True), VariantSpec("plain", 0.5, PLAIN)]
    )
    services.pause_experiment(experiment.pk)
    assert {recommend_for_user(user(r), 3).variant for r in READERS} == {""}
    services.ship_variant(experiment.pk, "plain")
    for reader in READERS[:4]:
        choice = serving_choice(reader, "for_you")
        assert choice.variant == ""
        assert choice.config == ServingConfig.from_dict(PLAIN)
        assert recommend_for_user(user(reader), 3).variant == ""


def test_serving_reads_no_sql_for_the_plans_once_read(model, django_assert_num_queries):
    _start([VariantSpec("control", 0.5, {}, is_control=True), VariantSpec("plain", 0.5, PLAIN)])
    serving_choice(READERS[0], "for_you")  # this process reads the plans once
    with django_assert_num_queries(0):
        choices = {serving_choice(reader, "for_you").variant for reader in READERS}
    assert len(choices) == 2
    # A lifecycle change is seen at once (the counter moved): the plans are read again
    # (defaults and running experiments: none, so no variants), then nothing again.
    services.stop_experiment(Experiment.objects.get().pk)
    with django_assert_num_queries(2):
        assert serving_choice(READERS[0], "for_you").variant == ""
    with django_assert_num_queries(0):
        serving_choice(READERS[1], "for_you")


@pytest.mark.parametrize("surface", ["for_you", "elsewhere"])
def test_nothing_running_serves_the_defaults(model, surface):
    assert serving_choice(READERS[0], surface) == ServingChoice()


def test_a_variants_model_that_cannot_load_falls_back_to_the_active_one(model, tmp_path, caplog):
    from backend.recommendations.models import ModelVersion

    ModelVersion.objects.create(version="gone", path=str(tmp_path / "gone"))
    _start(
        [
            VariantSpec("control", 0.5, {}, is_control=True),
            VariantSpec("gone", 0.5, {"model_version": "gone"}),
        ],
        name="gone-model",
    )
    versions = {recommend_for_user(user(reader), 3).model_version for reader in READERS}
    assert versions == {"alpha"}  # the list says which model answered
    assert any("model version gone cannot be served" in r.getMessage() for r in caplog.records)


def test_a_variants_source_mix_places_its_users_items(model):
    experiment = _start(
        [
            VariantSpec("control", 0.5, {}, is_control=True),
            VariantSpec("trending", 0.5, {"source_mix": {"trending": 1.0}}),
        ],
        name="trending-mix",
    )
    sources = {}
    for reader in READERS:
        result = recommend_for_user(user(reader), 6)
        logged = Impression.objects.filter(request_id=result.request_id)
        sources.setdefault(result.variant, set()).update(logged.values_list("source", flat=True))
    assert _expected_variant(experiment, READERS[0]) in sources
    assert sources["trending-mix:control"] == {""}  # the blended ranking, as before
    assert "trending" in sources["trending-mix:trending"]
