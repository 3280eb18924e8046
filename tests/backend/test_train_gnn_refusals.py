"""``train_gnn`` on empty or odd platforms ends with one clear error, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import torch
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from backend.content.models import ContentItem, Creator
from backend.interactions.models import Interaction
from backend.recommendations.models import ModelVersion, TrainingRun

pytestmark = pytest.mark.django_db

FAST = ["--emb-dim", "8", "--no-progress", "--seed", "1"]
ROOT = Path(__file__).resolve().parents[2]
START = datetime(2024, 1, 1, tzinfo=UTC)


def platform(users: int, items: int, likes_per_user: int) -> list:
    User = get_user_model()
    creator = Creator.objects.create(user=User.objects.create(username="maker"), display_name="M")
    catalogue = [
        ContentItem.objects.create(
            type="video", title=f"Item {k}", creator=creator, published_at=START
        )
        for k in range(items)
    ]
    people = [User.objects.create(username=f"reader{k}") for k in range(users)]
    Interaction.objects.bulk_create(
        Interaction(user=person, item=item, kind="like", occurred_at=START + timedelta(hours=k))
        for person in people
        for k, item in enumerate(catalogue[:likes_per_user])
    )
    return people


def test_no_interactions_is_one_clear_error(tmp_path: Path) -> None:
    platform(users=5, items=10, likes_per_user=0)
    with pytest.raises(CommandError, match="only 0 positive user-item pairs"):
        call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path))
    assert TrainingRun.objects.get().status == TrainingRun.Status.FAILED
    assert not ModelVersion.objects.exists()


def test_a_single_user_trains_or_is_refused_clearly(tmp_path: Path) -> None:
    platform(users=1, items=3, likes_per_user=3)
    with pytest.raises(CommandError, match="only 3 positive user-item pairs"):
        call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path))
    Interaction.objects.all().delete()
    ContentItem.objects.all().delete()
    Creator.objects.all().delete()
    get_user_model().objects.all().delete()
    platform(users=1, items=30, likes_per_user=30)
    call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path))
    assert ModelVersion.objects.filter(is_active=True).exists()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite can hold a time that does not parse"
)
def test_interactions_without_a_readable_time_are_named(tmp_path: Path) -> None:
    platform(users=5, items=30, likes_per_user=30)
    broken = list(Interaction.objects.order_by("id").values_list("id", flat=True)[:7])
    with connection.cursor() as cursor:
        # What a time far beyond year 9999 reads back as on SQLite.
        cursor.execute(
            "UPDATE interactions_interaction SET occurred_at = '+275760-09-13 00:00:00' "
            f"WHERE id IN ({', '.join(map(str, broken))})"
        )
    shown = ", ".join(map(str, broken[:5]))
    with pytest.raises(CommandError, match=rf"7 interactions have no readable time \(ids {shown}"):
        call_command("train_gnn", *FAST, "--artifact-dir", str(tmp_path))
    assert not ModelVersion.objects.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_device_cuda_without_cuda_is_refused_before_training(tmp_path: Path) -> None:
    platform(users=5, items=30, likes_per_user=30)
    with pytest.raises(CommandError, match="--device cuda: CUDA is not available here"):
        call_command("train_gnn", *FAST, "--device", "cuda", "--artifact-dir", str(tmp_path))
    assert not TrainingRun.objects.exists()


def run_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["SQLITE_PATH"] = str(tmp_path / "cli.sqlite3")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_ends_with_one_line_and_a_failing_status(tmp_path: Path) -> None:
    assert run_command(tmp_path, "migrate", "-v0").returncode == 0
    done = run_command(tmp_path, "train_gnn", *FAST, "--artifact-dir", str(tmp_path / "models"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: only 0 positive user-item pairs; at least 20 are needed "
        "(seed or import data first)"
    ]
    if not torch.cuda.is_available():
        done = run_command(tmp_path, "train_gnn", *FAST, "--device", "cuda")
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("CommandError: --device cuda: CUDA is not available here")
