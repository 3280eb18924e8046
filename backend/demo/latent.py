"""Stage 8: the readers' latent tastes, kept for the traffic simulator, and how well an item
fits a reader by them.

The generator draws each reader's category taste, tag affinity and type preference and each
item's quality, and the feedback funnel clicks by them (``interactions.affinity``). They are
stored at seed time, as one compressed archive of float16 arrays (a 2,000-reader platform
takes about a megabyte), in :class:`~backend.demo.models.LatentTastes`, rather than drawn
again from the seed: regenerating would mean running every stage before the readers
without writing, and any change to a stage's draws would silently give the simulator other
readers than the data has. Items the generator did not make (published since) are judged
by their category, tags and type, at average quality.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model

from backend.content.models import ContentItem
from backend.demo.interactions import Exposures, affinity, fit
from backend.demo.items import Items
from backend.demo.models import LatentTastes
from backend.demo.plan import TYPES, DemoPlan
from backend.demo.readers import Readers
from backend.demo.taxonomy import Taxonomy

__all__ = ["ItemFacts", "Latent", "LatentMissing", "load_latent", "save_latent"]

_TYPE_INDEX = {t.value: i for i, t in enumerate(TYPES)}


class LatentMissing(Exception):
    """No latent tastes for the platform in the database; the message says why."""


@dataclass(frozen=True)
class Latent:
    """Readers' tastes by reader row, with the ids that name the rows and columns."""

    user_ids: np.ndarray
    taste: np.ndarray  # (reader, category)
    tag_affinity: np.ndarray  # (reader, tag)
    type_preference: np.ndarray  # (reader, type)
    category_ids: np.ndarray
    tag_ids: np.ndarray
    item_ids: np.ndarray  # the generated items, sorted, and their quality
    item_quality: np.ndarray
    fit_mean: float  # of the fit over the generated exposures: the funnel's z-scale
    fit_std: float

    def rows_of(self, user_ids: np.ndarray) -> np.ndarray:
        """Reader rows of ``user_ids`` (-1 for an account that is not a generated reader)."""
        order = np.argsort(self.user_ids)
        at = np.searchsorted(self.user_ids[order], user_ids)
        at = np.minimum(at, len(order) - 1)
        return np.where(self.user_ids[order[at]] == user_ids, order[at], -1)

    def z(self, rows: np.ndarray, facts: ItemFacts, items: np.ndarray) -> np.ndarray:
        """How well items (rows of ``facts``) fit readers (rows), in the funnel's units."""
        raw = fit(
            self.taste,
            self.tag_affinity,
            self.type_preference,
            rows,
            facts.category[items],
            facts.tags[items],
            facts.type[items],
        )
        return (raw - self.fit_mean) / self.fit_std


@dataclass(frozen=True)
class ItemFacts:
    """Published items as the latent tastes see them: category and tag columns, type index
    and quality, by row; ``row_of`` maps an item id to its row."""

    ids: np.ndarray
    category: np.ndarray
    tags: np.ndarray  # (item, k), -1 padded
    type: np.ndarray
    quality: np.ndarray
    row_of: dict[int, int]

    @classmethod
    def read(cls, latent: Latent) -> ItemFacts:
        """Every published item, in two queries."""
        rows = list(
            ContentItem.objects.filter(published_at__isnull=False)
            .order_by("id")
            .values_list("id", "category_id", "type")
        )
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        category_col = {int(c): i for i, c in enumerate(latent.category_ids)}
        tag_col = {int(t): i for i, t in enumerate(latent.tag_ids)}
        row_of = {int(item_id): i for i, item_id in enumerate(ids)}
        links = ContentItem.tags.through.objects.filter(contentitem_id__in=ids.tolist())
        by_item: dict[int, list[int]] = {}
        for item_id, tag_id in links.values_list("contentitem_id", "tag_id"):
            if tag_id in tag_col:
                by_item.setdefault(item_id, []).append(tag_col[tag_id])
        width = max((len(t) for t in by_item.values()), default=1)
        tags = np.full((len(ids), width), -1, dtype=np.int64)
        for item_id, cols in by_item.items():
            tags[row_of[item_id], : len(cols)] = cols
        at = np.minimum(np.searchsorted(latent.item_ids, ids), len(latent.item_ids) - 1)
        known = latent.item_ids[at] == ids
        return cls(
            ids=ids,
            category=np.array([category_col.get(r[1], -1) for r in rows], dtype=np.int64),
            tags=tags,
            type=np.array([_TYPE_INDEX.get(r[2], 0) for r in rows], dtype=np.int64),
            quality=np.where(known, latent.item_quality[at], 0.0),
            row_of=row_of,
        )


def save_latent(
    plan: DemoPlan, taxonomy: Taxonomy, items: Items, readers: Readers, exposures: Exposures
) -> int:
    """Store the platform's latent tastes (replacing any earlier ones); returns the bytes."""
    raw = affinity(readers, items, exposures.user, exposures.item)
    order = np.argsort(items.ids)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        user_ids=readers.ids.astype(np.int64),
        taste=readers.taste.astype(np.float16),
        tag_affinity=readers.tag_affinity.astype(np.float16),
        type_preference=readers.type_preference.astype(np.float16),
        category_ids=taxonomy.category_ids.astype(np.int64),
        tag_ids=taxonomy.tag_ids.astype(np.int64),
        item_ids=items.ids[order].astype(np.int64),
        item_quality=items.quality[order].astype(np.float16),
        fit=np.array([raw.mean(), raw.std() + 1e-9]),
    )
    LatentTastes.objects.all().delete()
    LatentTastes.objects.create(
        seed=plan.seed,
        users=plan.users,
        items=plan.items,
        generated_for=plan.now,
        arrays=buffer.getvalue(),
    )
    return buffer.tell()


def load_latent() -> Latent:
    """The stored latent tastes, checked against the accounts they describe."""
    row = LatentTastes.objects.first()
    if row is None:
        raise LatentMissing(
            "No latent tastes are stored: the simulator plays a platform made by seed_demo "
            "(run manage.py seed_demo --flush)."
        )
    with np.load(io.BytesIO(bytes(row.arrays))) as data:
        arrays = {name: data[name] for name in data.files}
    user_ids = arrays.pop("user_ids")
    present = get_user_model().objects.filter(id__in=user_ids.tolist()).count()
    if present != len(user_ids):
        raise LatentMissing(
            f"The latent tastes describe {len(user_ids)} readers of seed {row.seed}, of whom "
            f"{present} still exist: the platform was replaced since (seed_demo --flush again)."
        )
    mean, std = arrays.pop("fit")
    return Latent(
        user_ids=user_ids,
        taste=arrays["taste"].astype(np.float32),
        tag_affinity=arrays["tag_affinity"].astype(np.float32),
        type_preference=arrays["type_preference"].astype(np.float32),
        category_ids=arrays["category_ids"],
        tag_ids=arrays["tag_ids"],
        item_ids=arrays["item_ids"],
        item_quality=arrays["item_quality"].astype(np.float64),
        fit_mean=float(mean),
        fit_std=float(std),
    )
