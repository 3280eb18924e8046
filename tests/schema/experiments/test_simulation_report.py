"""``simulationReport``: the simulator's saved figures for staff, null before it has run,
refused to everyone else."""

from __future__ import annotations

import json

import pytest

from backend.experiments.simulation import ScenarioPlan, run_scenarios
from tests.backend.conftest import simulated_platform  # noqa: F401  (a fixture)
from tests.schema.conftest import make_user

REPORT = """query {
  simulationReport {
    ab {
      generatedAt seconds experiment visits detected sampleRatioMismatch
      plan { users rounds seed aaRuns }
      ctrDifference { value low high excludesZero }
      variants { variant control impressions clicks ctr { value low high } ctrVsControl { value } }
    }
    aa { runs flagged flaggedShare readersPerRun perRun { flagged ctrDifference { low high } } }
    bandit {
      visits bestFixedMix finalRegretVsUniform finalRegretVsBestFixed
      regretVsUniform { x y } regretVsBestFixed { x y }
      clicksPerVisit { name value } posteriorMean { name value }
      slotSharesByRound { source share }
      debutItems { items shownItems }
    }
    fatigue {
      readers rounds
      withFatigue { impressions ctr { value } passedOverShare }
      withoutFatigue { impressions }
      afterFirstRoundWith { clicks impressions ctr { value low high } }
      afterFirstRoundWithout { clicks impressions }
    }
  }
}"""


@pytest.fixture
def staff(gql, db):
    gql.login(make_user("admin", is_staff=True))


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_everyone_but_staff_is_refused(gql, db, who):
    if who == "reader":
        gql.login(make_user("reader"))
    result = gql(REPORT)
    assert result["data"] == {"simulationReport": None}
    [error] = result["errors"]
    assert error["extensions"]["code"] == ("UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN")
    assert error["extensions"]["field"] == "simulationReport"


def test_null_before_the_simulator_has_run(gql, staff, settings):
    assert not settings.LUPI_SIMULATION_RESULTS.exists()
    assert gql(REPORT) == {"data": {"simulationReport": None}}


def test_a_scenario_not_run_or_unreadable_is_null(gql, staff, settings):
    path = settings.LUPI_SIMULATION_RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"scenarios": {"ab": {"experiment": "half-written"}}}))
    assert gql(REPORT) == {"data": {"simulationReport": None}}
    path.write_text("not json")
    assert gql(REPORT) == {"data": {"simulationReport": None}}


def test_staff_read_the_figures_the_simulator_saved(gql, staff, simulated_platform, settings):  # noqa: F811
    plan = ScenarioPlan(users=40, rounds=2, aa_runs=2, aa_users=20, debuts=2, fatigue_users=20,
                        fatigue_rounds=2)  # fmt: skip
    saved = run_scenarios(["ab", "aa", "bandit", "fatigue"], plan, settings.LUPI_SIMULATION_RESULTS)
    result = gql(REPORT)
    assert "errors" not in result, result
    report = result["data"]["simulationReport"]
    ab, aa, learnt, fatigue = (saved["scenarios"][k] for k in ("ab", "aa", "bandit", "fatigue"))

    assert report["ab"]["plan"] == {"users": 40, "rounds": 2, "seed": 0, "aaRuns": 2}
    assert report["ab"]["experiment"] == ab["experiment"]
    assert report["ab"]["ctrDifference"] == {
        **ab["ctr_difference"],
        "excludesZero": ab["detected"],
    }
    assert [(v["variant"], v["clicks"]) for v in report["ab"]["variants"]] == [
        (v["variant"], v["clicks"]) for v in ab["variants"]
    ]
    assert report["ab"]["variants"][0]["ctrVsControl"] is None  # the control

    assert (report["aa"]["runs"], report["aa"]["flagged"]) == (2, aa["flagged"])
    assert [r["flagged"] for r in report["aa"]["perRun"]] == [r["flagged"] for r in aa["per_run"]]

    bandit = report["bandit"]
    assert bandit["bestFixedMix"] == learnt["best_fixed_mix"]
    assert [[p["x"], p["y"]] for p in bandit["regretVsUniform"]] == learnt["regret_vs_uniform"]
    assert [[p["x"], p["y"]] for p in bandit["regretVsBestFixed"]] == learnt["regret_vs_best_fixed"]
    assert bandit["finalRegretVsBestFixed"] == learnt["final_regret"][learnt["best_fixed_mix"]]
    assert {r["name"]: r["value"] for r in bandit["clicksPerVisit"]} == learnt["clicks_per_visit"]
    for shares in bandit["slotSharesByRound"]:
        assert sum(s["share"] for s in shares) == pytest.approx(1.0)
    assert bandit["debutItems"]["items"] == 2

    assert (report["fatigue"]["readers"], report["fatigue"]["rounds"]) == (20, 2)
    assert len(report["fatigue"]["withFatigue"]) == len(fatigue["by_round"]["on"])
    later = fatigue["after_first_round"]["on"]
    assert report["fatigue"]["afterFirstRoundWith"] == {
        "clicks": later["clicks"],
        "impressions": later["impressions"],
        "ctr": later["ctr"],
    }
