"""Stage 4: readers, with latent tastes, a rhythm, favourite creators and declared interests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model

from backend.content.bulk import bulk_insert
from backend.demo.accounts import DEMO_USERNAME, People, write_accounts
from backend.demo.creators import Creators
from backend.demo.plan import DAY, DemoPlan
from backend.demo.sampling import GroupSampler, categorical, rowwise_categorical
from backend.demo.taxonomy import Taxonomy
from backend.demo.vocabulary import ACCENT_COLORS, DEVICE_SHARE, TIMEZONES

__all__ = ["Readers", "build_readers"]

TIMEZONE_NAMES = [name for name, _ in TIMEZONES]


@dataclass(frozen=True)
class Readers:
    ids: np.ndarray
    taste: np.ndarray  # (user, category) mixture
    tag_affinity: np.ndarray  # (user, tag) in 0..1
    type_preference: np.ndarray  # (user, type) mixture
    activity: np.ndarray  # exposures over the window
    joined: np.ndarray  # Unix seconds
    timezone: np.ndarray  # index into TIMEZONE_NAMES
    chronotype: np.ndarray  # hours earlier (<0) or later (>0) than most
    device: np.ndarray  # usual device index
    favourite_creators: np.ndarray  # (user, 3) creator indices

    def __len__(self) -> int:
        return len(self.ids)


def _tastes(rng, plan: DemoPlan, taxonomy: Taxonomy) -> dict[str, np.ndarray]:
    n, n_cat = plan.users, taxonomy.n_categories
    taste = rng.gamma(taxonomy.category_pop * 3.0, size=(n, n_cat)) + 1e-6
    taste /= taste.sum(axis=1, keepdims=True)
    cat_part = np.where(
        taxonomy.tag_category >= 0, taste[:, np.maximum(taxonomy.tag_category, 0)], 0.06
    )
    tag_aff = cat_part * rng.gamma(0.6, 1.0, size=(n, taxonomy.n_tags))
    tag_aff /= tag_aff.max(axis=1, keepdims=True) + 1e-9
    type_pref = rng.gamma(2.0, size=(n, 4))
    type_pref /= type_pref.sum(axis=1, keepdims=True)
    activity = np.clip(rng.lognormal(np.log(22.0), 1.0, n), 3, 1500).astype(np.int64)
    # Sign-up: a third were here before the window, the rest joined over it.
    joined = np.where(
        rng.random(n) < 0.35,
        plan.start_s - rng.integers(1, 365, n) * DAY,
        plan.start_s + (rng.random(n) * 0.9 * plan.days * DAY).astype(np.int64),
    )
    # The documented demo user: long history, clear tastes, declared interests.
    activity[0] = max(int(np.quantile(activity, 0.97)), 150)
    joined[0] = plan.start_s - 60 * DAY
    return {
        "taste": taste,
        "tag_affinity": tag_aff,
        "type_preference": type_pref,
        "activity": activity,
        "joined": joined,
        "timezone": categorical(rng, np.array([w for _, w in TIMEZONES]), n),
        "chronotype": np.round(rng.normal(0.0, 1.3, n)).astype(np.int64),
        "device": categorical(rng, DEVICE_SHARE, n),
    }


def _favourites(rng, taste: np.ndarray, creators: Creators, taxonomy: Taxonomy) -> np.ndarray:
    """Three favourite creators: a category from the user's taste, a creator of it by quality."""
    sampler = GroupSampler(creators.home, creators.quality, taxonomy.n_categories)
    fav_cat = np.stack([rowwise_categorical(rng, taste) for _ in range(3)], axis=1)
    fav = sampler.sample(rng, fav_cat.ravel()).reshape(len(taste), 3)
    return np.where(fav >= 0, fav, 0)


def _write_interests(plan: DemoPlan, rng, readers: Readers, taxonomy: Taxonomy) -> dict[str, int]:
    """About 60% of users name their top categories and a few tags they like most."""
    n, taste = len(readers), readers.taste
    declares = rng.random(n) < 0.6
    declares[0] = True
    top_cats = np.argsort(-taste, axis=1)[:, :2]
    second_ok = np.take_along_axis(taste, top_cats[:, 1:2], axis=1)[:, 0] > 0.2
    cat_rows = np.concatenate([np.flatnonzero(declares), np.flatnonzero(declares & second_ok)])
    cat_cols = np.concatenate([top_cats[declares, 0], top_cats[declares & second_ok, 1]])
    n_tags = rng.integers(3, 8, n)
    n_tags[0] = 8
    noisy = readers.tag_affinity * rng.uniform(0.7, 1.0, readers.tag_affinity.shape)
    top_tags = np.argsort(-noisy, axis=1)[:, :8]
    tag_rows, tag_k = np.nonzero(declares[:, None] & (np.arange(8) < n_tags[:, None]))
    User = get_user_model()
    counts = {}
    for field_name, rows, targets, target_ids in [
        ("interested_categories", cat_rows, cat_cols, taxonomy.category_ids),
        ("interested_tags", tag_rows, top_tags[tag_rows, tag_k], taxonomy.tag_ids),
    ]:
        field = User._meta.get_field(field_name)
        through = field.remote_field.through
        user_col = through._meta.get_field(field.m2m_field_name()).attname
        target_col = through._meta.get_field(field.m2m_reverse_field_name()).attname
        bulk_insert(
            through,
            {user_col: readers.ids[rows], target_col: target_ids[targets]},
            desc=field_name.replace("_", " "),
            progress=plan.progress,
        )
        counts[field_name] = len(rows)
    return counts


def build_readers(
    plan: DemoPlan, taxonomy: Taxonomy, creators: Creators, people: People
) -> tuple[Readers, dict[str, int]]:
    """The readers (the first is the documented ``demo`` account) and interest counts."""
    rng = plan.rng("readers")
    drawn = _tastes(rng, plan, taxonomy)
    favourites = _favourites(rng, drawn["taste"], creators, taxonomy)
    User = get_user_model()
    default_accent = User._meta.get_field("accent_color").get_default()
    accent = np.where(
        rng.random(plan.users) < 0.2, rng.integers(0, len(ACCENT_COLORS), plan.users), -1
    )
    font = np.where(rng.random(plan.users) < 0.15, rng.choice([12, 13, 15, 16, 18], plan.users), 14)
    ids = write_accounts(
        plan,
        rng,
        people,
        drawn["joined"],
        demo_username=DEMO_USERNAME,
        desc="users",
        extra={
            "accent_color": [ACCENT_COLORS[a] if a >= 0 else default_accent for a in accent],
            "font_size": font,
        },
    )
    readers = Readers(ids=ids, favourite_creators=favourites, **drawn)
    return readers, _write_interests(plan, rng, readers, taxonomy)
