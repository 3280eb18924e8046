"""The platform's data as a whole: wiping it, and account values for bulk-written users.

Shared by the dataset importer and the demo generator, which both replace what is there.
"""

from __future__ import annotations

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from backend.content.models import Category, ContentItem, Creator, Tag
from backend.interactions.models import Impression, Interaction, NotInterested

__all__ = ["flush_platform_data", "unusable_passwords"]


def unusable_passwords(rng: np.random.Generator, n: int) -> list[str]:
    """Deterministic unusable password values (Django's "!" prefix), one per user."""
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    chars = alphabet[rng.integers(0, len(alphabet), size=(n, 40))]
    return ["!" + "".join(row) for row in chars.tolist()]


def _delete_rows(qs: QuerySet) -> int:
    """One DELETE for the rows, without fetching them or sending a signal per row (the
    query Django itself runs for a "fast delete")."""
    return qs._raw_delete(qs.db)


def flush_platform_data() -> dict[str, int]:
    """Delete feedback, content, taxonomy and every non-superuser account (children first).

    Feedback of the accounts that go is deleted in bulk, without a signal per row (a
    demo platform has millions of rows): deleting each account then tells the caches
    once. Superusers stay, so their own feedback goes through the ORM and its signals.
    """
    User = get_user_model()
    deleted: dict[str, int] = {}
    leaving = Q(user__is_superuser=False)
    for label, model in [("interactions", Interaction), ("not_interested", NotInterested)]:
        deleted[label] = model.objects.filter(~leaving).delete()[0] + _delete_rows(
            model.objects.filter(user__in=User.objects.filter(is_superuser=False))
        )
    for label, qs in [
        ("impressions", Impression.objects.all()),
        ("item_tags", ContentItem.tags.through.objects.all()),
        ("user_tags", User.interested_tags.through.objects.all()),
        ("user_categories", User.interested_categories.through.objects.all()),
        ("items", ContentItem.objects.all()),
        ("creators", Creator.objects.all()),
        ("tags", Tag.objects.all()),
        ("categories", Category.objects.all()),
        ("users", User.objects.filter(is_superuser=False)),
    ]:
        deleted[label] = qs.delete()[0]
    return deleted
