"""A generated platform with known categories and creators, trained through the product.

Six categories, each with four creators and fifty items; readers have a home category
(most of what they read) and a second one, so a plain top-20 leans on one category while
the catalogue has plenty in the others. Rows carry fixed primary keys (from 5000 up) so a
model trained once on the platform serves it again in every test's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.content.models import Category, ContentItem, Creator, Tag
from backend.interactions.models import Interaction, InteractionKind
from backend.recommendations.models import ModelVersion
from backend.recommendations.services import promote

NOW = timezone.now().replace(microsecond=0)
BASE = 5000
N_CATEGORIES = 6
CREATORS_PER_CATEGORY = 4
ITEMS_PER_CATEGORY = 50
N_READERS = 150
FAST_TRAINING = ["--emb-dim", "16", "--seed", "0", "--no-progress"]
WORDS = ["garden", "engine", "violin", "harbour", "canvas", "orbit"]


@dataclass(frozen=True)
class Catalogue:
    item_category: dict[int, int]  # item id -> category id
    item_creator: dict[int, int]  # item id -> creator id
    readers: list[int]
    home: dict[int, int]  # reader id -> home category id


def _layout() -> tuple[list[tuple[int, int, int, str]], list[tuple[int, int, str, float]]]:
    """Items (id, category, creator, title) and acts (user, item, kind, age in days)."""
    rng = np.random.default_rng(7)
    items = []
    for c in range(N_CATEGORIES):
        for n in range(ITEMS_PER_CATEGORY):
            item_id = BASE + c * ITEMS_PER_CATEGORY + n
            creator = BASE + c * CREATORS_PER_CATEGORY + n % CREATORS_PER_CATEGORY
            items.append((item_id, BASE + c, creator, f"{WORDS[c].title()} notes {n}"))
    acts = []
    for r in range(N_READERS):
        user_id = BASE + 100 + r
        home, second = r % N_CATEGORIES, (r * 5 + 1) % N_CATEGORIES
        for k in range(24):
            category = home if k % 8 else second
            # popular items of a category first: a skewed pick within it
            n = int(min(rng.exponential(10.0), ITEMS_PER_CATEGORY - 1))
            item_id = BASE + category * ITEMS_PER_CATEGORY + n
            kind = InteractionKind.LIKE if rng.random() < 0.5 else InteractionKind.VIEW
            acts.append((user_id, item_id, kind, 80.0 - 3 * k - rng.random()))
    return items, acts


ITEMS, ACTS = _layout()


def build(now: datetime = NOW) -> Catalogue:
    """Create the platform's rows (fixed ids) in the current database."""
    Category.objects.bulk_create(
        [Category(id=BASE + c, name=WORDS[c].title(), slug=WORDS[c]) for c in range(N_CATEGORIES)]
    )
    Tag.objects.bulk_create(
        [Tag(id=BASE + c, name=f"{WORDS[c]}s", slug=f"{WORDS[c]}s") for c in range(N_CATEGORIES)]
    )
    n_creators = N_CATEGORIES * CREATORS_PER_CATEGORY
    readers = [BASE + 100 + r for r in range(N_READERS)]
    creator_users = [BASE + 500 + k for k in range(n_creators)]
    User.objects.bulk_create([User(id=u, username=f"u{u}") for u in readers + creator_users])
    Creator.objects.bulk_create(
        [
            Creator(id=BASE + k, user_id=creator_users[k], display_name=f"Creator {k}")
            for k in range(n_creators)
        ]
    )
    ContentItem.objects.bulk_create(
        [
            ContentItem(
                id=item_id,
                title=title,
                excerpt=f"About {title.lower()}",
                type="blog",
                category_id=category,
                creator_id=creator,
                published_at=now - timedelta(days=90 + item_id % 7),
            )
            for item_id, category, creator, title in ITEMS
        ]
    )
    through = ContentItem.tags.through
    through.objects.bulk_create(
        [through(contentitem_id=item_id, tag_id=category) for item_id, category, _, _ in ITEMS]
    )
    Interaction.objects.bulk_create(
        [
            Interaction(user_id=u, item_id=i, kind=k, occurred_at=now - timedelta(days=age))
            for u, i, k, age in ACTS
        ]
    )
    return Catalogue(
        item_category={i: c for i, c, _, _ in ITEMS},
        item_creator={i: cr for i, _, cr, _ in ITEMS},
        readers=readers,
        home={BASE + 100 + r: BASE + r % N_CATEGORIES for r in range(N_READERS)},
    )


def train(root) -> str:
    """Build the platform, train it with ``manage.py train_gnn`` (export, train, artifact,
    promotion; a small model, as in the command's own tests) and roll the rows back; the
    artifact's path."""
    with transaction.atomic():
        build()
        call_command("train_gnn", *FAST_TRAINING, "--artifact-dir", str(root), stdout=StringIO())
        path = ModelVersion.objects.get(is_active=True).path
        transaction.set_rollback(True)
    return path


def serve_version(path: str) -> ModelVersion:
    """Register and activate the trained artifact in the current database."""
    version = ModelVersion.objects.create(version=Path(path).name, path=path)
    promote(version, force=True)
    return version
