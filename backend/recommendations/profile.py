"""The user's side of a request: their acts, what they refused and what they declared, and
the items they were shown lately without engaging with them, read in one round trip (one
``UNION ALL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from backend.accounts.models import User
from backend.content.services import own_creator
from backend.interactions.models import Impression, Interaction, InteractionKind, NotInterested
from backend.recommendations.export import KIND_WEIGHTS
from backend.recommendations.queries import union_all
from backend.recommendations.request import RecommendationFilters

__all__ = ["ENGAGED_KINDS", "FATIGUE_WINDOW_DAYS", "Profile", "profile_of_acts", "read_profile"]


# Kinds whose item may be cited as "you liked".
LIKED_KINDS = frozenset({InteractionKind.LIKE, InteractionKind.SAVE})


# Positive weight on a creator's items needed to call the user engaged with them.
ENGAGED_CREATOR_WEIGHT = 4.0


# Acts that say an impression worked: after one, the item's earlier impressions are not
# held against it.
ENGAGED_KINDS = frozenset(
    {
        InteractionKind.CLICK,
        InteractionKind.LIKE,
        InteractionKind.SAVE,
        InteractionKind.DWELL,
        InteractionKind.SHARE,
        InteractionKind.COMMENT,
    }
)


# Impressions older than this no longer count towards an item's fatigue.
FATIGUE_WINDOW_DAYS = 14


@dataclass
class Profile:
    seen: set[int]
    # (item id, kind weight, unix time, creator id) of every act, oldest first
    acts: list[tuple[int, float, float, int]]
    liked: list[int]
    blocked_tags: set[int]
    blocked_creators: set[int]
    interest_tags: list[int]
    interest_categories: list[int]
    own_creator: int | None
    engaged_creators: set[int]
    # item id -> times shown in the last FATIGUE_WINDOW_DAYS and not engaged with since
    unengaged_impressions: dict[int, int] = field(default_factory=dict)


_ACT, _REFUSED, _INTEREST_TAG, _INTEREST_CATEGORY, _UNENGAGED = 0, 1, 2, 3, 4


def _unengaged_impressions(user: User, now: datetime):
    """The user's impressions of the window that no engagement with the item followed, as
    ``(item, count)`` rows."""
    engaged_after = Interaction.objects.filter(
        user=user,
        item=OuterRef("item_id"),
        kind__in=ENGAGED_KINDS,
        occurred_at__gte=OuterRef("shown_at"),
    )
    since = now - timedelta(days=FATIGUE_WINDOW_DAYS)
    return (
        Impression.objects.filter(user=user, shown_at__gte=since, shown_at__lte=now)
        .exclude(Exists(engaged_after))
        .values("item_id")
        .annotate(shown=Count("id"))
    )


def _profile_rows(user: User, now: datetime) -> list[tuple]:
    """The user's acts ``(0, item, creator, kind, time, id)``, "not interested" marks
    ``(1, tag, creator, ...)``, declared interests ``(2, tag, ...)`` and
    ``(3, category, ...)`` and unengaged impressions ``(4, item, count, ...)``, in one round
    trip. The acts come first: their columns give the compound statement its types."""
    none = (None, None, None)
    return union_all(
        [
            (
                Interaction.objects.filter(user=user),
                ("item_id", "item__creator_id", "kind", "occurred_at", "id"),
            ),
            (NotInterested.objects.filter(user=user), ("tag_id", "creator_id", *none)),
            (User.interested_tags.through.objects.filter(user_id=user.pk), ("tag_id", None, *none)),
            (
                User.interested_categories.through.objects.filter(user_id=user.pk),
                ("category_id", None, *none),
            ),
            (_unengaged_impressions(user, now), ("item_id", "shown", *none)),
        ]
    )


def read_profile(
    user: User, filters: RecommendationFilters, now: datetime | None = None
) -> Profile:
    rows = _profile_rows(user, now or timezone.now())
    in_order = sorted((r for r in rows if r[0] == _ACT), key=lambda r: (r[4], r[5]))
    profile = profile_of_acts([(r[1], r[2], r[3], r[4].timestamp()) for r in in_order])
    blocked_tags, blocked_creators, interest_tags, interest_categories = set(), set(), [], []
    unengaged: dict[int, int] = {}
    for source, first, second, *_rest in rows:
        if source == _REFUSED:
            if first is not None:
                blocked_tags.add(first)
            if second is not None:
                blocked_creators.add(second)
        elif source == _INTEREST_TAG:
            interest_tags.append(first)
        elif source == _INTEREST_CATEGORY:
            interest_categories.append(first)
        elif source == _UNENGAGED:
            unengaged[first] = int(second)
    own = None
    if filters.exclude_own:
        creator = own_creator(user)
        own = creator.pk if creator is not None else None
    return replace(
        profile,
        blocked_tags=blocked_tags,
        blocked_creators=blocked_creators,
        interest_tags=sorted(interest_tags),
        interest_categories=sorted(interest_categories),
        own_creator=own,
        unengaged_impressions=unengaged,
    )


def profile_of_acts(acts: list[tuple[int, int, str, float]]) -> Profile:
    """The profile of ``(item, creator, kind, unix time)`` acts, oldest first, and nothing
    else: no refusals, interests or impressions (a visitor without an account has only
    these)."""
    folded, liked, seen = [], [], set()
    creator_weight: dict[int, float] = {}
    for item_id, creator_id, kind, at in acts:
        weight = KIND_WEIGHTS.get(kind, 0.0)
        folded.append((item_id, weight, at, creator_id))
        seen.add(item_id)
        if kind in LIKED_KINDS and item_id not in liked:
            liked.append(item_id)
        creator_weight[creator_id] = creator_weight.get(creator_id, 0.0) + weight
    return Profile(
        seen=seen,
        acts=folded,
        liked=liked,
        blocked_tags=set(),
        blocked_creators=set(),
        interest_tags=[],
        interest_categories=[],
        own_creator=None,
        engaged_creators={c for c, w in creator_weight.items() if w >= ENGAGED_CREATOR_WEIGHT},
    )
