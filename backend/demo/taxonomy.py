"""Stage 1: the categories and tags every later stage refers to by index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.text import slugify

from backend.content.bulk import bulk_insert, next_id
from backend.content.models import Category, Tag
from backend.demo.plan import DemoPlan
from backend.demo.vocabulary import CATEGORIES, CROSS_TAGS

__all__ = ["Taxonomy", "build_taxonomy"]


@dataclass(frozen=True)
class Taxonomy:
    category_ids: np.ndarray
    category_pop: np.ndarray  # share of attention
    category_types: np.ndarray  # (category, type) mix
    category_weekend: np.ndarray  # 0: a weekday interest .. 1: a weekend one
    category_hours: np.ndarray  # (category, hour band) lean, see vocabulary.HOUR_BAND
    tag_ids: np.ndarray
    tag_names: list[str]
    tag_category: np.ndarray  # -1 for cross-cutting tags
    tags_per_category: int  # category c owns tags c * k .. c * k + k - 1

    @property
    def n_categories(self) -> int:
        return len(self.category_ids)

    @property
    def n_tags(self) -> int:
        return len(self.tag_ids)


def build_taxonomy(plan: DemoPlan) -> Taxonomy:
    base = next_id(Category)
    category_ids = np.arange(base, base + len(CATEGORIES))
    bulk_insert(
        Category,
        {
            "id": category_ids,
            "name": [c["name"] for c in CATEGORIES],
            "slug": [slugify(c["name"]) for c in CATEGORIES],
        },
    )
    names: list[str] = []
    tag_category: list[int] = []
    for c, spec in enumerate(CATEGORIES):
        names += spec["tags"]
        tag_category += [c] * len(spec["tags"])
    names += CROSS_TAGS
    tag_category += [-1] * len(CROSS_TAGS)
    base = next_id(Tag)
    tag_ids = np.arange(base, base + len(names))
    bulk_insert(Tag, {"id": tag_ids, "name": names, "slug": [slugify(t) for t in names]})
    return Taxonomy(
        category_ids=category_ids,
        category_pop=np.array([c["pop"] for c in CATEGORIES]),
        category_types=np.array([c["types"] for c in CATEGORIES]),
        category_weekend=np.array([c["weekend"] for c in CATEGORIES]),
        category_hours=np.array([c["hours"] for c in CATEGORIES]),
        tag_ids=tag_ids,
        tag_names=names,
        tag_category=np.array(tag_category),
        tags_per_category=len(CATEGORIES[0]["tags"]),
    )
