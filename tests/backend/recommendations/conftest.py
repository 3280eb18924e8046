"""A small two-community platform and tiny real models trained on it with ``gnn``.

Cooking readers engage with cooking items and music readers with music items. The rows
carry fixed primary keys (from 1000 up, clear of the sequences the tests themselves use),
so the models are trained once per session on the platform's real export, and every test
recreates the same rows in its own transaction and serves them with those models.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

import gnn
from backend.accounts.models import User
from backend.content.models import Category, ContentItem, Creator, Tag
from backend.interactions.models import Interaction, InteractionKind
from backend.recommendations import impressions
from backend.recommendations.export import export_platform
from backend.recommendations.models import ModelVersion
from backend.recommendations.registry import registry
from backend.recommendations.request import ScoreBreakdown
from backend.recommendations.services import promote
from gnn.tower import TowerSetting

from . import catalogue

NOW = timezone.now().replace(microsecond=0)

CATEGORIES = {1001: "Cooking", 1002: "Music"}
TAGS = {1001: "pasta", 1002: "baking", 1003: "jazz", 1004: "rock"}
# creator id -> (user id, name, category)
CREATORS = {
    1001: (1001, "Chef Ana", 1001),
    1002: (1002, "Chef Bo", 1001),
    1003: (1003, "DJ Cy", 1002),
    1004: (1004, "DJ Di", 1002),
}
COOKING_ITEMS = list(range(1001, 1021))
MUSIC_ITEMS = list(range(1021, 1041))
COOKING_READERS = list(range(1101, 1116))
MUSIC_READERS = list(range(1116, 1131))
# A reader with no interactions and no interests, one with interests only.
BLANK_USER = 1201
INTERESTED_USER = 1202


@dataclass(frozen=True)
class ItemSpec:
    id: int
    title: str
    type: str
    category: int
    creator: int
    tags: tuple[int, ...]
    age_days: float


def _items() -> list[ItemSpec]:
    out = []
    for n, item_id in enumerate(COOKING_ITEMS):
        tag = 1001 if n % 2 == 0 else 1002
        word = "pasta" if tag == 1001 else "bread"
        out.append(
            ItemSpec(
                item_id,
                f"Homemade {word} recipe {n}",
                "blog" if n % 3 else "video",
                1001,
                1001 + n % 2,
                (tag,),
                5 + 2 * n,
            )
        )
    for n, item_id in enumerate(MUSIC_ITEMS):
        tag = 1003 if n % 2 == 0 else 1004
        word = "jazz" if tag == 1003 else "guitar"
        out.append(
            ItemSpec(
                item_id,
                f"Live {word} session {n}",
                "audio" if n % 3 else "video",
                1002,
                1003 + n % 2,
                (tag,),
                5 + 2 * n,
            )
        )
    return out


ITEMS = _items()


def _interactions() -> list[tuple[int, int, str, float]]:
    """(user, item, kind, age in days): each reader views and likes items of their side."""
    acts = []
    for readers, items in ((COOKING_READERS, COOKING_ITEMS), (MUSIC_READERS, MUSIC_ITEMS)):
        for r, user_id in enumerate(readers):
            for k in range(8):
                item = items[(r * 3 + k * 2) % len(items)]
                acts.append((user_id, item, InteractionKind.VIEW, 20 - k))
                if k % 2 == 0:
                    acts.append((user_id, item, InteractionKind.LIKE, 20 - k))
    return acts


INTERACTIONS = _interactions()


def build_platform(now: datetime = NOW) -> None:
    """Create the fixture rows (fixed ids) in the current database."""
    for cid, name in CATEGORIES.items():
        Category.objects.create(id=cid, name=name, slug=name.lower())
    for tid, name in TAGS.items():
        Tag.objects.create(id=tid, name=name, slug=name)
    user_ids = [u for u, _, _ in CREATORS.values()] + COOKING_READERS + MUSIC_READERS
    User.objects.bulk_create(
        [User(id=u, username=f"user{u}") for u in [*user_ids, BLANK_USER, INTERESTED_USER]]
    )
    Creator.objects.bulk_create(
        [
            Creator(id=cid, user_id=uid, display_name=name)
            for cid, (uid, name, _) in CREATORS.items()
        ]
    )
    ContentItem.objects.bulk_create(
        [
            ContentItem(
                id=spec.id,
                title=spec.title,
                excerpt=f"About {spec.title.lower()}",
                type=spec.type,
                category_id=spec.category,
                creator_id=spec.creator,
                published_at=now - timedelta(days=spec.age_days),
            )
            for spec in ITEMS
        ]
    )
    through = ContentItem.tags.through
    through.objects.bulk_create(
        [through(contentitem_id=spec.id, tag_id=t) for spec in ITEMS for t in spec.tags]
    )
    Interaction.objects.bulk_create(
        [
            Interaction(user_id=u, item_id=i, kind=k, occurred_at=now - timedelta(days=age))
            for u, i, k, age in INTERACTIONS
        ]
    )
    User.objects.get(id=INTERESTED_USER).interested_tags.set([1003])


_versions = itertools.count(1)


def train_artifact(root, *, emb_dim: int = 16, seed: int = 0, name: str | None = None):
    """Train a tiny model on the current database's export and save it under ``root``."""
    snapshot = export_platform()
    data = gnn.TrainingData(**snapshot.arrays)
    config = gnn.TrainConfig(
        emb_dim=emb_dim,
        rank_grid=(emb_dim, 2 * emb_dim),
        seed=seed,
        text_dim=64,
        towers=(TowerSetting("ridge", reg=0.1), TowerSetting("bpr", epochs=5)),
    )
    result = gnn.fit(data, config, progress=False)
    return gnn.save_artifact(
        root, result, snapshot.id_maps, version=name or f"test-{next(_versions)}"
    )


@pytest.fixture(scope="session")
def artifacts(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two trained versions ("alpha" and "beta", different sizes) of the fixture platform."""
    root = tmp_path_factory.mktemp("models")
    with django_db_blocker.unblock(), transaction.atomic():
        build_platform()
        paths = {
            "alpha": train_artifact(root, emb_dim=16, seed=0, name="alpha"),
            "beta": train_artifact(root, emb_dim=8, seed=1, name="beta"),
        }
        transaction.set_rollback(True)
    return paths


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.reset()
    yield
    impressions.flush()
    registry.reset()


@pytest.fixture
def platform(db):
    build_platform()


def register(path, *, active: bool = True, broken: bool = False) -> ModelVersion:
    """A version of the artifact at ``path``, promoted when ``active``. A ``broken`` one is
    made active directly: its files went bad after its promotion (which would refuse them)."""
    if broken:
        return ModelVersion.objects.create(
            version=path.name, path=str(path), is_active=True, promoted_at=timezone.now()
        )
    version = ModelVersion.objects.create(version=path.name, path=str(path))
    if active:
        promote(version, force=True)
    return version


@pytest.fixture
def model(platform, artifacts) -> ModelVersion:
    """The fixture platform with the "alpha" model active."""
    return register(artifacts["alpha"])


def breakdown_total(breakdown: ScoreBreakdown) -> float:
    """What the parts of a breakdown add up to, by its contract (``ScoreBreakdown``)."""
    gains = (
        breakdown.graph
        + breakdown.content
        + breakdown.popularity
        + breakdown.freshness
        + breakdown.context
    )
    return gains - breakdown.fatigue_penalty - breakdown.diversity_penalty


def user(user_id: int) -> User:
    return User.objects.get(id=user_id)


@pytest.fixture(scope="module")
def catalogue_version(tmp_path_factory, django_db_setup, django_db_blocker) -> str:
    """A model trained through the product on the known-category catalogue, once per module."""
    with django_db_blocker.unblock():
        return catalogue.train(tmp_path_factory.mktemp("catalogue-models"))


@pytest.fixture
def served_catalogue(db, catalogue_version):
    """The known-category catalogue in the database, served by ``catalogue_version``."""
    registry.reset()
    platform = catalogue.build()
    catalogue.serve_version(catalogue_version)
    yield platform
    registry.reset()
