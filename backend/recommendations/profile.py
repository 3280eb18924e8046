"""The user's side of a request: their acts, what they refused and what they declared, read
in two round trips (the acts; the refusals and interests as one ``UNION ALL``).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import User
from backend.content.services import own_creator
from backend.interactions.models import Interaction, InteractionKind, NotInterested
from backend.recommendations.export import KIND_WEIGHTS
from backend.recommendations.queries import union_all
from backend.recommendations.request import RecommendationFilters

__all__ = ["Profile", "read_profile"]


# Kinds whose item may be cited as "you liked".
LIKED_KINDS = frozenset({InteractionKind.LIKE, InteractionKind.SAVE})


# Positive weight on a creator's items needed to call the user engaged with them.
ENGAGED_CREATOR_WEIGHT = 4.0


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


_REFUSED, _INTEREST_TAG, _INTEREST_CATEGORY = 0, 1, 2


def _refusals_and_interests(user: User) -> list[tuple]:
    """The user's "not interested" marks ``(0, tag, creator)`` and declared interests
    ``(1, tag, None)`` and ``(2, category, None)``, in one round trip."""
    return union_all(
        [
            (NotInterested.objects.filter(user=user), ("tag_id", "creator_id")),
            (User.interested_tags.through.objects.filter(user_id=user.pk), ("tag_id", None)),
            (
                User.interested_categories.through.objects.filter(user_id=user.pk),
                ("category_id", None),
            ),
        ]
    )


def read_profile(user: User, filters: RecommendationFilters) -> Profile:
    rows = Interaction.objects.filter(user=user).values_list(
        "item_id", "kind", "occurred_at", "item__creator_id"
    )
    acts, liked, seen = [], [], set()
    creator_weight: dict[int, float] = {}
    for item_id, kind, occurred_at, creator_id in rows.order_by("occurred_at", "id"):
        weight = KIND_WEIGHTS.get(kind, 0.0)
        acts.append((item_id, weight, occurred_at.timestamp(), creator_id))
        seen.add(item_id)
        if kind in LIKED_KINDS and item_id not in liked:
            liked.append(item_id)
        creator_weight[creator_id] = creator_weight.get(creator_id, 0.0) + weight
    blocked_tags, blocked_creators, interest_tags, interest_categories = set(), set(), [], []
    for source, first, second in _refusals_and_interests(user):
        if source == _REFUSED:
            if first is not None:
                blocked_tags.add(first)
            if second is not None:
                blocked_creators.add(second)
        elif source == _INTEREST_TAG:
            interest_tags.append(first)
        else:
            interest_categories.append(first)
    own = None
    if filters.exclude_own:
        creator = own_creator(user)
        own = creator.pk if creator is not None else None
    return Profile(
        seen=seen,
        acts=acts,
        liked=liked,
        blocked_tags=blocked_tags,
        blocked_creators=blocked_creators,
        interest_tags=sorted(interest_tags),
        interest_categories=sorted(interest_categories),
        own_creator=own,
        engaged_creators={c for c, w in creator_weight.items() if w >= ENGAGED_CREATOR_WEIGHT},
    )
