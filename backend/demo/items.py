"""Stage 3: items, with their creator's category and style, tags, texts and publication."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.content.bulk import bulk_insert, next_id
from backend.content.models import ContentItem
from backend.demo.creators import Creators
from backend.demo.plan import DAY, TYPES, DemoPlan
from backend.demo.sampling import categorical, dedupe_rows, rowwise_categorical
from backend.demo.taxonomy import Taxonomy
from backend.demo.texts import item_texts
from backend.demo.vocabulary import CROSS_TAGS

__all__ = ["Items", "build_items"]


@dataclass(frozen=True)
class Items:
    ids: np.ndarray
    creator: np.ndarray  # creator index
    category: np.ndarray  # category index
    type: np.ndarray  # index into TYPES
    tags: np.ndarray  # (item, 8) tag indices, -1 padded
    published: np.ndarray  # Unix seconds (meaningless for drafts)
    draft: np.ndarray
    popularity: np.ndarray  # exposure weight, 0 for drafts
    quality: np.ndarray  # standardised log quality

    def __len__(self) -> int:
        return len(self.ids)


def _categories(rng, creators: Creators, creator: np.ndarray, taxonomy: Taxonomy) -> np.ndarray:
    """Mostly the creator's home category, sometimes their second one, rarely any."""
    u = rng.random(len(creator))
    return np.where(
        u < 0.82,
        creators.home[creator],
        np.where(
            (u < 0.95) & creators.has_second[creator],
            creators.second[creator],
            categorical(rng, taxonomy.category_pop, len(creator)),
        ),
    )


def _tags(rng, taxonomy: Taxonomy, creators: Creators, creator, category) -> np.ndarray:
    """1-4 tags of the category (popular ones first), the creator's signature tag half the
    time, 0-2 cross-cutting ones."""
    n, k = len(creator), taxonomy.tags_per_category
    zipf = 1.0 / (np.arange(k) + 1.0) ** 0.8
    in_cat = np.minimum(
        np.searchsorted(np.cumsum(zipf / zipf.sum()), rng.random((n, 4)), side="right"), k - 1
    )
    k_cat = 1 + rng.binomial(3, 0.45, n)
    cat_tags = np.where(np.arange(4) < k_cat[:, None], category[:, None] * k + in_cat, -1)
    sig = np.where(
        (rng.random(n) < 0.5) & (creators.home[creator] == category),
        creators.signature_tag[creator],
        -1,
    )
    cross_w = 1.0 / (np.arange(len(CROSS_TAGS)) + 1.0) ** 0.5
    cross = taxonomy.n_categories * k + categorical(rng, cross_w, n * 2).reshape(n, 2)
    cross = np.where(np.arange(2) < rng.binomial(2, 0.35, n)[:, None], cross, -1)
    return dedupe_rows(np.concatenate([cat_tags, sig[:, None], cross], axis=1))


def _write(plan: DemoPlan, items: Items, rng, taxonomy: Taxonomy, creators: Creators) -> None:
    texts = item_texts(rng, items.category, items.type, items.tags, taxonomy.tag_names)
    draft = items.draft
    created_s = np.where(draft, plan.now_s - rng.integers(1, 20 * DAY, len(items)), items.published)
    created = plan.times(created_s)
    bulk_insert(
        ContentItem,
        {
            "id": items.ids,
            "type": [TYPES[t].value for t in items.type.tolist()],
            "title": texts.titles,
            "excerpt": texts.excerpts,
            "body": texts.bodies,
            # No stored image: every item's cover is drawn by the project (content.covers).
            "image_url": [""] * len(items),
            "creator_id": creators.ids[items.creator],
            "category_id": taxonomy.category_ids[items.category],
            "published_at": plan.times(np.where(draft, np.nan, items.published)),
            "created_at": created,
            "updated_at": created,
        },
        desc="items",
        progress=plan.progress,
    )
    rows, cols = np.nonzero(items.tags >= 0)
    through = ContentItem.tags.through
    field = ContentItem._meta.get_field("tags")
    bulk_insert(
        through,
        {
            through._meta.get_field(field.m2m_field_name()).attname: items.ids[rows],
            through._meta.get_field(field.m2m_reverse_field_name()).attname: taxonomy.tag_ids[
                items.tags[rows, cols]
            ],
        },
        desc="item tags",
        progress=plan.progress,
    )


def build_items(plan: DemoPlan, taxonomy: Taxonomy, creators: Creators) -> Items:
    rng, n = plan.rng("items"), plan.items
    creator = categorical(rng, creators.productivity, n)
    creator[: min(n, 6)] = 0  # the documented creator has a catalogue to look at
    category = _categories(rng, creators, creator, taxonomy)
    ctype = rowwise_categorical(rng, creators.type_mix[creator])
    tags = _tags(rng, taxonomy, creators, creator, category)
    # More items recently; none before its creator joined.
    published = plan.start_s + (plan.days * DAY * rng.random(n) ** 0.6).astype(np.int64)
    published = np.maximum(published, creators.joined[creator] + 2 * DAY)
    draft = (rng.random(n) < 0.01) & (creator != 0)
    quality = creators.quality[creator] * rng.lognormal(0.0, 1.0, n)
    log_q = np.log(quality)
    base = next_id(ContentItem)
    items = Items(
        ids=np.arange(base, base + n),
        creator=creator,
        category=category,
        type=ctype,
        tags=tags,
        published=published,
        draft=draft,
        popularity=np.where(draft, 0.0, quality),
        quality=(log_q - log_q.mean()) / (log_q.std() + 1e-9),
    )
    _write(plan, items, rng, taxonomy, creators)
    return items
