"""``manage.py simulate_traffic`` on a tiny generated platform: plain traffic, and each
scenario's experiments and figures."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from backend.demo.models import LatentTastes
from backend.experiments.models import Experiment
from backend.experiments.simulation import ScenarioPlan, run_scenarios
from backend.recommendations.models import SourceArm
from backend.recommendations.sources import SOURCES

pytestmark = pytest.mark.django_db


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("simulate_traffic", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_the_command_plays_traffic_and_the_bandit_learns(simulated_platform, settings):
    settings.RECOMMENDATION_BANDIT = True
    report = _run("--users", "20", "--rounds", "2", "--seconds", "120", "--seed", "4")
    assert report["visits"] == 40 and report["rounds"] == 2 and not report["stopped_early"]
    assert report["clicks"] > 0 and report["impressions"] == 400
    assert report["bandit_impressions_counted"] == report["impressions"]
    assert sum(arm.shown for arm in SourceArm.objects.all()) == report["impressions"]


def test_the_scenarios_run_their_experiments_and_write_their_figures(simulated_platform, settings):
    report = _run(
        *("--scenario", "ab", "--scenario", "aa", "--scenario", "bandit", "--scenario", "fatigue"),
        *("--users", "60", "--rounds", "2", "--aa-runs", "3", "--aa-users", "20"),
        *("--debuts", "3", "--fatigue-users", "20", "--fatigue-rounds", "3"),
    )
    assert report == json.loads(settings.LUPI_SIMULATION_RESULTS.read_text())
    ab, aa, learnt = (report["scenarios"][k] for k in ("ab", "aa", "bandit"))
    assert [v["variant"] for v in ab["variants"]] == ["default", "trending-only"]
    assert sum(v["impressions"] for v in ab["variants"]) == 10 * ab["visits"]
    difference = ab["ctr_difference"]
    assert difference["low"] <= difference["value"] <= difference["high"]
    assert ab["detected"] == (difference["low"] > 0 or difference["high"] < 0)
    assert aa["runs"] == 3 and aa["flagged"] == sum(r["flagged"] for r in aa["per_run"])
    # Every experiment ran and stopped: none holds the surface.
    assert Experiment.objects.filter(status="stopped").count() == 5
    assert learnt["best_fixed_mix"] in {
        "uniform",
        *(f"only-{s.replace('_', '-')}" for s in SOURCES),
    }
    assert learnt["regret_vs_uniform"] and learnt["regret_vs_best_fixed"]
    for shares in learnt["slot_shares_by_round"]:
        assert sum(shares.values()) == pytest.approx(1.0)
    # The bandit learnt from its own lists alone: its arms counted only its impressions.
    bandit_row = next(v for v in learnt["variants"] if v["variant"] == "bandit")
    counted = sum(arm.shown for arm in SourceArm.objects.all())
    assert 0 < counted <= bandit_row["impressions"]
    # The debuting creators' first items reached the bandit's readers through its floor.
    debuts = learnt["debut_items"]
    assert debuts["items"] == 3 and debuts["shown_items"] >= 1 and debuts["impressions"] >= 1
    assert SourceArm.objects.get(source="new_creators").shown > 0
    # Fatigue: both halves visited every round; nothing was passed over before the first.
    tired = report["scenarios"]["fatigue"]
    for rounds in tired["by_round"].values():
        assert len(rounds) == 3 and rounds[0]["passed_over_share"] == 0.0
        assert all(r["impressions"] == 10 * 10 for r in rounds)  # 10 readers a half
    # Without the term, readers meet again what they passed over.
    assert tired["by_round"]["off"][1]["passed_over_share"] > 0


def test_bad_options_and_a_platform_without_latent_tastes_are_refused(simulated_platform):
    with pytest.raises(CommandError, match="--users"):
        call_command("simulate_traffic", "--users", "0")
    with pytest.raises(CommandError, match="--scenario"):
        call_command("simulate_traffic", "--scenario", "nope")
    LatentTastes.objects.all().delete()
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("simulate_traffic", "--users", "5", "--no-progress", stdout=io.StringIO())


def test_figures_of_scenarios_not_run_again_are_kept(tmp_path):
    out = tmp_path / "scenarios.json"
    out.write_text(json.dumps({"scenarios": {"ab": {"detected": True}, "other": {}}}))
    report = run_scenarios([], ScenarioPlan(), out)
    assert report == {"scenarios": {"ab": {"detected": True}}}
    out.write_text("not json")
    assert run_scenarios([], ScenarioPlan(), out) == {"scenarios": {}}
    with pytest.raises(ValueError, match="unknown scenario"):
        run_scenarios(["nope"], ScenarioPlan(), out)
