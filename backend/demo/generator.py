"""``seed_demo()``: the demo platform, generated stage by stage in one transaction.

The same seed, sizes and ``now`` give the same rows. Every stage draws from its own
random stream (see ``DemoPlan.rng``) with vectorised numpy and writes with
``bulk_insert`` (PostgreSQL ``COPY``, ``executemany`` elsewhere).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import router, transaction
from django.utils import timezone

from backend.content.bulk import bulk_load_cache, refresh_statistics, reset_sequences
from backend.content.models import Category, ContentItem, Creator, Tag
from backend.content.platform import flush_platform_data
from backend.demo.accounts import (
    ADMIN_USERNAME,
    DEMO_CREATOR_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    create_admin,
    draw_people,
)
from backend.demo.creators import build_creators
from backend.demo.impressions import build_impressions
from backend.demo.interactions import build_interactions
from backend.demo.items import build_items
from backend.demo.latent import save_latent
from backend.demo.not_interested import build_not_interested
from backend.demo.plan import DemoPlan
from backend.demo.readers import build_readers
from backend.demo.taxonomy import build_taxonomy
from backend.interactions.models import Impression, Interaction, NotInterested

__all__ = [
    "ADMIN_USERNAME",
    "DEMO_CREATOR_USERNAME",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "DemoDataExists",
    "default_now",
    "ensure_admin",
    "platform_has_data",
    "seed_demo",
]


class DemoDataExists(Exception):
    """The database already holds platform data and no flush was asked for."""


def default_now() -> datetime:
    """Today's midnight UTC: the anchor that keeps a seed's data the same all day."""
    today = timezone.now().astimezone(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def platform_has_data() -> bool:
    User = get_user_model()
    return (
        ContentItem.objects.exists()
        or Creator.objects.exists()
        or User.objects.filter(username__in=[DEMO_USERNAME, DEMO_CREATOR_USERNAME]).exists()
    )


def make_plan(
    *,
    seed: int,
    users: int,
    items: int,
    creators: int | None,
    days: int,
    now: datetime | None,
    progress: bool = False,
) -> DemoPlan:
    """Check the sizes and fill in the defaults: creators from items, ``now`` today."""
    if users < 1 or items < 1 or days < 1:
        raise ValueError("users, items and days must be at least 1")
    if creators is None:
        creators = min(max(items // 20, 3), 5000)
    now = now or default_now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, UTC)
    creators = max(1, min(creators, items))
    return DemoPlan(seed, users, items, creators, days, now, progress)


def generate(plan: DemoPlan, *, admin: bool = False) -> dict[str, int]:
    """Run every stage on an empty platform; returns the counts of what was written."""
    taxonomy = build_taxonomy(plan)
    people = draw_people(plan.rng("people"), plan.creators + plan.users)
    creators = build_creators(plan, taxonomy, people.slice(0, plan.creators))
    items = build_items(plan, taxonomy, creators)
    readers, interests = build_readers(
        plan, taxonomy, creators, people.slice(plan.creators, plan.creators + plan.users)
    )
    feedback = build_interactions(plan, taxonomy, items, readers)
    shown = build_impressions(plan, taxonomy, items, readers, feedback.exposures)
    muted = build_not_interested(plan, taxonomy, creators, items, readers, feedback)
    latent_bytes = save_latent(plan, taxonomy, items, readers, feedback.exposures)
    User = get_user_model()
    reset_sequences([User, Category, Tag, Creator, ContentItem])
    refresh_statistics(
        [User, Category, Tag, Creator, ContentItem, Interaction, Impression, NotInterested]
    )
    counts = {
        "categories": taxonomy.n_categories,
        "tags": taxonomy.n_tags,
        "creators": len(creators),
        "items": len(items),
        "published_items": int((~items.draft).sum()),
        "item_tags": int((items.tags >= 0).sum()),
        "users": len(readers),
        **interests,
        **feedback.counts,
        **shown,
        "not_interested": muted,
        "latent_taste_bytes": latent_bytes,
    }
    if admin:
        counts["admin"] = create_admin(plan)
    return counts


def ensure_admin(seed: int = 42, now: datetime | None = None) -> bool:
    """Create the superuser ``admin`` on a platform seeded without it (its password as
    seeding gives it); whether it was created."""
    plan = make_plan(seed=seed, users=1, items=1, creators=None, days=180, now=now)
    return bool(create_admin(plan))


def seed_demo(
    *,
    seed: int = 42,
    users: int = 2000,
    items: int = 5000,
    creators: int | None = None,
    days: int = 180,
    now: datetime | None = None,
    flush: bool = False,
    admin: bool = False,
    progress: bool = False,
) -> dict[str, int]:
    """Generate the demo platform in one transaction and return the counts of what it wrote.

    Raises ``DemoDataExists`` when platform data is present and ``flush`` is false.
    """
    plan = make_plan(
        seed=seed,
        users=users,
        items=items,
        creators=creators,
        days=days,
        now=now,
        progress=progress,
    )
    atomic = transaction.atomic(using=router.db_for_write(ContentItem))
    with bulk_load_cache(ContentItem), atomic:
        if platform_has_data():
            if not flush:
                raise DemoDataExists(
                    "The database already holds platform data; pass --flush to replace it."
                )
            flush_platform_data()
        return generate(plan, admin=admin)
