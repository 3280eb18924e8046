"""``train_gnn`` end to end on a small seeded database: export, train, artifact, promotion."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import gnn
from backend.content.models import ContentItem
from backend.demo.generator import seed_demo
from backend.interactions.models import Interaction, InteractionKind
from backend.recommendations.export import KIND_WEIGHTS, export_platform
from backend.recommendations.management.commands.train_gnn import choice_line
from backend.recommendations.models import ModelVersion, TrainingRun
from backend.recommendations.training import BestValidation, TrainingOutcome

pytestmark = pytest.mark.django_db

FAST = ["--emb-dim", "16", "--no-progress", "--seed", "1"]


@pytest.fixture
def platform() -> None:
    seed_demo(seed=3, users=80, items=160, now=datetime(2026, 6, 1, tzinfo=UTC))


def test_export_collapses_acts_into_weighted_pairs(platform: None) -> None:
    snapshot = export_platform()
    arrays = snapshot.arrays
    assert arrays["num_items"] == len(snapshot.id_maps["item"])
    pairs = set(zip(arrays["user"].tolist(), arrays["item"].tolist(), strict=True))
    assert len(pairs) == arrays["user"].size  # one edge per (user, item)
    # Recompute one user's edge weights by hand from the interaction rows.
    user_id = snapshot.id_maps["user"][int(arrays["user"][0])]
    user_row = snapshot.id_maps["user"].index(user_id)
    expected: dict[int, float] = {}
    for item_id, kind in Interaction.objects.filter(user_id=user_id).values_list("item", "kind"):
        expected[item_id] = expected.get(item_id, 0.0) + KIND_WEIGHTS[kind]
    mine = arrays["user"] == user_row
    got = {
        snapshot.id_maps["item"][row]: float(w)
        for row, w in zip(arrays["item"][mine], arrays["weight"][mine], strict=True)
    }
    assert got == pytest.approx({k: v for k, v in expected.items() if v != 0})
    assert (arrays["weight"] < 0).any(), "negative feedback must reach the trainer"


def test_a_hide_outweighs_the_view_before_it(platform: None) -> None:
    item = ContentItem.objects.exclude(published_at=None).first()
    user = Interaction.objects.first().user
    Interaction.objects.filter(user=user, item=item).delete()
    for kind in (InteractionKind.VIEW, InteractionKind.CLICK, InteractionKind.HIDE):
        Interaction.objects.create(user=user, item=item, kind=kind, occurred_at=item.published_at)
    snapshot = export_platform()
    u = snapshot.id_maps["user"].index(user.pk)
    i = snapshot.id_maps["item"].index(item.pk)
    mask = (snapshot.arrays["user"] == u) & (snapshot.arrays["item"] == i)
    assert snapshot.arrays["weight"][mask][0] < 0


def test_train_gnn_end_to_end(platform: None, tmp_path: Path, capsys) -> None:
    call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path))
    published = ContentItem.objects.exclude(published_at=None)  # drafts are not recommendable
    out = capsys.readouterr().out
    assert "Promoted:" in out and "recall@20" in out
    # What the recipe chose and how it scored on validation.
    chose = re.search(
        r"^Chose rank (\d+), low-pass [\d.]+, degree tilt -?[\d.]+, \d+ neighbours, "
        r"(damped|binary) acts, recency [\d.]+, tag/category edges [\d.]+, "
        r"content tower (bpr|ridge), tag profile [\d.]+, blend [\d.]+, context weight [\d.]+"
        r"(?: \(the search stopped at the time budget\))?; validation recall@20 (\d\.\d{4})$",
        out,
        re.MULTILINE,
    )
    assert chose is not None, out
    assert int(chose.group(1)) >= 1
    version = ModelVersion.objects.get(is_active=True)
    run = version.training_run
    assert run.status == TrainingRun.Status.SUCCEEDED
    assert len(run.loss_curve) >= 1 and run.metrics["recall@20"] >= 0
    assert run.data_hash and run.num_items == published.count()

    model = gnn.load_artifact(version.path)
    assert model.id_maps["item"].tolist() == sorted(published.values_list("id", flat=True))
    scores, rows = model.recommend(np.array([0]), 5, None)
    assert rows.shape == (1, 5) and np.isfinite(scores).all()

    # A second training on the same data is not worse, so it is promoted; rollback restores.
    call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path), "--force")
    second = ModelVersion.objects.get(is_active=True)
    assert second.pk != version.pk
    call_command("gnn_rollback")
    assert ModelVersion.objects.get(is_active=True).pk == version.pk

    call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path), "--if-missing")
    assert "already active" in capsys.readouterr().out
    assert ModelVersion.objects.count() == 2


def test_train_gnn_refuses_an_empty_platform(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="positive user-item pairs"):
        call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path))
    run = TrainingRun.objects.get()
    assert run.status == TrainingRun.Status.FAILED and "positive" in run.error
    assert not ModelVersion.objects.exists()
    assert not any(tmp_path.iterdir())


def test_train_gnn_rejects_bad_options(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--holdout"):
        call_command("train_gnn", *FAST, "--holdout", "1.5", "--artifact-dir", str(tmp_path))
    with pytest.raises(CommandError):
        call_command("train_gnn", "--time-budget", "0")


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("completed", "blend 0.1, context weight 0.5; validation"),
        (
            "time budget",
            "blend 0.1, context weight 0.5 (the search stopped at the time budget); validation",
        ),
    ],
)
def test_the_choice_line_says_what_was_chosen(reason: str, said: str) -> None:
    outcome = TrainingOutcome(
        run=None,  # type: ignore[arg-type]  (the line reads only the choice and score)
        version=None,  # type: ignore[arg-type]
        decision=None,  # type: ignore[arg-type]
        choice=gnn.Choice(
            rank=128,
            lowpass=0.3,
            tilt=-0.1,
            recency=2.0,
            tag_profile=0.5,
            blend=0.1,
            context_weight=0.5,
        ),
        best=BestValidation("recall@20", 0.1234),
        stop_reason=reason,
    )
    assert choice_line(outcome) == (
        "Chose rank 128, low-pass 0.3, degree tilt -0.1, 256 neighbours, damped acts, recency 2, "
        f"tag/category edges 0, content tower ridge, tag profile 0.5, {said} recall@20 0.1234"
    )


def test_the_command_and_the_benchmark_fit_the_same_model(platform: None, tmp_path: Path) -> None:
    """One recipe: ``train_gnn`` and ``gnn.bench`` make the same model from the same data."""
    from gnn.bench import recipe_config

    call_command(
        "train_gnn",
        "--no-progress",
        "--seed",
        "3",
        "--time-budget",
        "600",
        "--artifact-dir",
        str(tmp_path),
    )
    served = gnn.load_artifact(ModelVersion.objects.get(is_active=True).path)
    data = gnn.TrainingData(**export_platform().arrays)
    result = gnn.fit(data, recipe_config(600.0, 3), progress=False)
    benched = result.weights
    assert served.manifest["training"]["choice"] == result.choice.to_json()
    for name in ("user_graph", "item_graph", "item_content", "tag_graph", "content_weight"):
        np.testing.assert_array_equal(getattr(served, name), getattr(benched, name))
    assert (served.item_item != benched.item_item).nnz == 0
    assert (served.user_rows != benched.user_rows).nnz == 0
