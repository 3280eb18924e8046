"""Experiments through the HTTP API: staff create and run them and read results; everyone
else is refused on every field and mutation, with nothing written."""

from __future__ import annotations

import pytest

from backend.experiments.assignment import pick
from backend.experiments.models import Experiment, SurfaceDefault
from tests.schema.conftest import error_messages, make_user

CREATE = """
mutation($input: ExperimentInput!) {
  createExperiment(input: $input) {
    experimentId name status surface salt
    variants { name label isControl trafficShare config }
  }
}
"""
TRANSITIONS = {
    name: f"mutation($id: ID!) {{ {name}(experimentId: $id) {{ status startedAt stoppedAt }} }}"
    for name in ("startExperiment", "pauseExperiment", "stopExperiment")
}
SHIP = """mutation($id: ID!, $variant: String!) {
  shipExperiment(experimentId: $id, variant: $variant) { status shippedVariant } }"""
READ = """query($id: ID!) {
  experiments { name status }
  experiment(experimentId: $id) { name variants { name } }
}"""
RESULTS = """query($id: ID!) {
  experimentResults(experimentId: $id) {
    name status
    sampleRatio { chiSquare pValue mismatch }
    variants {
      name isControl users
      totals { impressions clicks ctr { value low high excludesZero } meanDwellMs { value } }
      versusControl { ctr { value low high } }
      days { day metrics { impressions clicks } }
    }
  }
}"""
SERVE = "query { recommendations(first: 3) { requestId items { item { id } } } }"
CLICK = """mutation($item: ID!, $rid: String!, $pos: Int!) {
  recordInteraction(input: {itemId: $item, kind: CLICK, requestId: $rid, position: $pos}) {
    id } }"""

INPUT = {
    "name": "fresher-feed",
    "salt": "api-test",
    "variants": [
        {"name": "control", "trafficShare": 0.5, "isControl": True},
        {
            "name": "fresh",
            "trafficShare": 0.5,
            "config": {
                "knobs": {"freshnessHalfLifeDays": 3},
                "sourceMix": {"graph": 0.7, "trending": 0.3},
                "bandit": True,
            },
        },
    ],
}


@pytest.fixture
def staff(gql, db):
    admin = make_user("admin", is_staff=True)
    gql.login(admin)
    return admin


def _create(gql) -> dict:
    result = gql(CREATE, {"input": INPUT})
    assert "errors" not in result, result
    return result["data"]["createExperiment"]


def test_staff_create_run_and_ship_an_experiment(gql, staff):
    created = _create(gql)
    assert (created["status"], created["surface"], created["salt"]) == (
        "DRAFT",
        "FOR_YOU",
        "api-test",
    )
    fresh = created["variants"][1]
    assert fresh["label"] == "fresher-feed:fresh" and not fresh["isControl"]
    assert fresh["config"]["knobs"]["freshness_half_life_days"] == 3
    assert fresh["config"]["source_mix"]["graph"] == 0.7 and fresh["config"]["bandit"] is True
    variables = {"id": created["experimentId"]}
    for name, status in [
        ("startExperiment", "RUNNING"),
        ("pauseExperiment", "PAUSED"),
        ("startExperiment", "RUNNING"),
    ]:
        assert gql(TRANSITIONS[name], variables)["data"][name]["status"] == status
    read = gql(READ, variables)["data"]
    assert read["experiments"] == [{"name": "fresher-feed", "status": "RUNNING"}]
    assert [v["name"] for v in read["experiment"]["variants"]] == ["control", "fresh"]
    shipped = gql(SHIP, {**variables, "variant": "fresh"})["data"]["shipExperiment"]
    assert shipped == {"status": "SHIPPED", "shippedVariant": "fresh"}
    assert SurfaceDefault.objects.get().config["knobs"]["freshness_half_life_days"] == 3


def test_results_count_the_served_lists_and_their_attributed_clicks(gql, staff, catalogue):
    created = _create(gql)
    gql(TRANSITIONS["startExperiment"], {"id": created["experimentId"]})
    readers = [make_user(f"reader{n}") for n in range(6)]
    arms = [(0.5, "control"), (0.5, "fresh")]
    clicked = {"control": 0, "fresh": 0}
    shown = {"control": 0, "fresh": 0}
    for n, reader in enumerate(readers):
        gql.login(reader)
        served = gql(SERVE)["data"]["recommendations"]
        arm = pick("api-test", reader.pk, arms)
        shown[arm] += len(served["items"])
        if n % 2 == 0:  # every other reader opens the second item
            item = served["items"][1]["item"]["id"]
            gql(CLICK, {"item": item, "rid": served["requestId"], "pos": 1})
            clicked[arm] += 1
    gql.login(staff)
    results = gql(RESULTS, {"id": created["experimentId"]})["data"]["experimentResults"]
    by_name = {v["name"]: v for v in results["variants"]}
    for arm in ("control", "fresh"):
        totals = by_name[arm]["totals"]
        assert (totals["impressions"], totals["clicks"]) == (shown[arm], clicked[arm])
        if shown[arm]:
            ctr = totals["ctr"]
            assert ctr["value"] == pytest.approx(clicked[arm] / shown[arm])
            assert 0 <= ctr["low"] <= ctr["value"] <= ctr["high"] <= 1
    assert sum(v["users"] for v in results["variants"]) == len(readers)
    assert by_name["control"]["versusControl"] is None
    assert results["sampleRatio"]["pValue"] is not None


def test_bad_input_is_refused_by_name_and_nothing_is_written(gql, staff):
    bad = {
        **INPUT,
        "variants": [
            {"name": "control", "trafficShare": 0.5, "isControl": True},
            {"name": "fresh", "trafficShare": 0.7, "config": {"knobs": {"diversity": 2}}},
        ],
    }
    result = gql(CREATE, {"input": bad})
    fields = result["errors"][0]["extensions"]["fields"]
    assert fields == {
        "input.variants": ["The traffic shares sum to 1.2; they may sum to 1 at most."],
        "input.variants[1].config.knobs.diversity": ["must be from 0 to 1, got 2.0"],
    }
    assert Experiment.objects.count() == 0
    created = _create(gql)
    refused = gql(TRANSITIONS["stopExperiment"], {"id": created["experimentId"]})
    assert error_messages(refused) == [
        "experimentId: Cannot stop experiment 'fresher-feed': it is draft, and only a "
        "paused or running one can be."
    ]
    missing = gql(SHIP, {"id": "999999", "variant": "fresh"})
    assert error_messages(missing) == ["experimentId: No experiment with id 999999."]


def _every_operation(experiment_id: str) -> list[tuple[str, dict, str]]:
    variables = {"id": experiment_id}
    return [
        ("query { experiments { name } }", {}, "experiments"),
        ("query($id: ID!) { experiment(experimentId: $id) { name } }", variables, "experiment"),
        (RESULTS, variables, "experimentResults"),
        (CREATE, {"input": {**INPUT, "name": "intruder"}}, "createExperiment"),
        *((query, variables, name) for name, query in TRANSITIONS.items()),
        (SHIP, {**variables, "variant": "fresh"}, "shipExperiment"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_everyone_but_staff_is_refused_everywhere(gql, db, who):
    experiment = Experiment.objects.create(name="secret", salt="s")
    if who == "reader":
        gql.login(make_user("reader"))
    expected = "UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"
    for query, variables, name in _every_operation(str(experiment.pk)):
        result = gql(query, variables)
        assert result["data"] in (None, {name: None}), name  # (null: a nullable field)
        assert [e["extensions"]["code"] for e in result["errors"]] == [expected], name
        assert result["errors"][0]["extensions"]["field"] == name
    assert list(Experiment.objects.values_list("name", "status")) == [("secret", "draft")]
