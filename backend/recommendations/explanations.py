"""Why an item was recommended: reasons backed by evidence the user can check.

Every reason names its evidence (the liked item, the followed tag, the creator) by id, and
only cites what is true for this user: an item cited as "similar to X you liked" is one the
user liked or saved, a tag is one they follow, a creator one whose items they engaged with.
An item similar to another cites that item, and what the two have in common: shared tags,
the creator, the category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np

from backend.content.models import ContentItem, Creator, Tag
from backend.recommendations.queries import union_all

__all__ = [
    "CONTEXT_REASON_MIN",
    "NEW_ITEM_DAYS",
    "SIMILARITY_THRESHOLD",
    "TRENDING_TOP",
    "Candidate",
    "Explained",
    "Reason",
    "ReasonKind",
    "UserEvidence",
    "explain",
    "explain_similar",
    "exploration_reason",
]

# An item at least this cosine-similar to one the user liked is "similar to" it.
SIMILARITY_THRESHOLD = 0.5
# Published within this many days: "new".
NEW_ITEM_DAYS = 7
# Among this many most trending items: "trending".
TRENDING_TOP = 50
# A context term at least this large (in score units) is worth saying: "read more on mobile
# in the morning".
CONTEXT_REASON_MIN = 0.1


class ReasonKind(StrEnum):
    SIMILAR_TO_LIKED = "similar_to_liked"
    TAG_YOU_FOLLOW = "tag_you_follow"
    CREATOR_YOU_ENGAGE_WITH = "creator_you_engage_with"
    TRENDING = "trending"
    NEW = "new"
    FITS_THE_MOMENT = "fits_the_moment"
    READERS_LIKE_YOU = "readers_like_you"
    MATCHES_INTERESTS = "matches_interests"
    POPULAR = "popular"
    # Of an item in another's similar items: the other item, and what the two share.
    SIMILAR_TO_ITEM = "similar_to_item"
    SHARES_TAGS = "shares_tags"
    SAME_CREATOR = "same_creator"
    SAME_CATEGORY = "same_category"
    # Placed by the exploration of candidate sources, to learn how readers take it.
    EXPLORE = "explore"


@dataclass(frozen=True)
class Reason:
    """One reason: its kind, a sentence for people, and the ids of its evidence.

    ``evidence_type`` says what the ids are: ``"item"``, ``"tag"``, ``"creator"``,
    ``"category"``, or ``""`` for reasons without an object (trending, new).
    """

    kind: ReasonKind
    text: str
    evidence_type: str = ""
    evidence_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """What the explainer needs to know about one recommended item."""

    item_id: int
    creator_id: int
    tag_ids: tuple[int, ...]
    published: float  # unix seconds
    vector: np.ndarray | None = None  # unit item embedding, when a model is loaded
    category_id: int = -1  # -1: none
    context: float = 0.0  # what the moment of the request added to its score


@dataclass
class UserEvidence:
    """What the user did and declared, as far as reasons may cite it."""

    liked_items: list[int] = field(default_factory=list)
    liked_vectors: np.ndarray | None = None  # unit rows aligned with liked_items
    followed_tags: set[int] = field(default_factory=set)
    engaged_creators: set[int] = field(default_factory=set)
    trending_top: set[int] = field(default_factory=set)


# What each list method can truthfully say of an item no specific reason fits.
METHOD_FALLBACK_REASONS = {
    "hybrid": Reason(
        ReasonKind.READERS_LIKE_YOU, "Readers whose tastes match yours engaged with this"
    ),
    "content": Reason(ReasonKind.MATCHES_INTERESTS, "Matches the interests you picked"),
    "trending": Reason(ReasonKind.POPULAR, "Popular on the platform lately"),
    "fallback": Reason(ReasonKind.POPULAR, "Popular on the platform lately"),
}


@dataclass(frozen=True)
class Names:
    titles: dict[int, str]
    tags: dict[int, str]
    creators: dict[int, str]
    # Of the ids asked about, those still published (None when none were asked about).
    live: frozenset[int] | None = None


def _names(
    item_ids: set[int],
    tag_ids: set[int],
    creator_ids: set[int],
    live_among: Sequence[int] = (),
    now: datetime | None = None,
) -> Names:
    """Items' titles, tags' names, creators' display names and which of ``live_among`` are
    still published at ``now``, in one round trip (none when there is nothing to ask)."""
    wanted = [
        (ContentItem.objects.all(), item_ids, "title"),
        (Tag.objects.all(), tag_ids, "name"),
        (Creator.objects.all(), creator_ids, "display_name"),
    ]
    parts = [
        (rows.filter(id__in=ids), ("id", column)) if ids else None for rows, ids, column in wanted
    ]
    if live_among:
        live = ContentItem.objects.filter(
            id__in=list(live_among), published_at__isnull=False, published_at__lte=now
        )
        parts.append((live, ("id", None)))
    found: tuple[dict[int, str], ...] = ({}, {}, {}, {})
    for source, pk, text in union_all(parts):
        found[source][pk] = text
    return Names(*found[:3], live=frozenset(found[3]) if live_among else None)


@dataclass(frozen=True)
class Explained:
    reasons: list[list[Reason]]
    # With ``check_live``: the candidates' ids still published.
    live: frozenset[int] | None = None


def _quote(title: str, limit: int = 60) -> str:
    return f"“{title if len(title) <= limit else title[: limit - 1] + '…'}”"


def explain(
    candidates: Sequence[Candidate],
    evidence: UserEvidence,
    now: datetime,
    fallback: Reason | None = None,
    *,
    check_live: bool = False,
    moment: str = "",
) -> Explained:
    """Reasons for each candidate, strongest first; one query at most, for the names.

    ``fallback`` is given to a candidate no specific reason fits, so every item says why
    it is there; the caller picks one that is true of the whole list (e.g. "readers like
    you engaged with it" for a collaborative list). With ``check_live``, the same query
    says which candidates are still published (``Explained.live``). ``moment`` describes
    the request's context ("on mobile in the morning"): a candidate it lifted by at least
    ``CONTEXT_REASON_MIN`` says so, citing its category.
    """
    similar: dict[int, int] = {}
    if evidence.liked_vectors is not None and len(evidence.liked_items):
        for cand in candidates:
            if cand.vector is None:
                continue
            sims = evidence.liked_vectors @ cand.vector
            best = int(np.argmax(sims))
            liked = evidence.liked_items[best]
            if sims[best] >= SIMILARITY_THRESHOLD and liked != cand.item_id:
                similar[cand.item_id] = liked
    tags = {t for cand in candidates for t in cand.tag_ids if t in evidence.followed_tags}
    creators = {c.creator_id for c in candidates if c.creator_id in evidence.engaged_creators}
    live_among = [cand.item_id for cand in candidates] if check_live else []
    named = _names(set(similar.values()), tags, creators, live_among, now)
    titles, tag_names, creator_names = named.titles, named.tags, named.creators
    now_ts = now.timestamp()
    out: list[list[Reason]] = []
    for cand in candidates:
        reasons: list[Reason] = []
        liked = similar.get(cand.item_id)
        if liked is not None and liked in titles:
            reasons.append(
                Reason(
                    ReasonKind.SIMILAR_TO_LIKED,
                    f"Similar to {_quote(titles[liked])}, which you liked",
                    "item",
                    (liked,),
                )
            )
        followed = tuple(sorted(t for t in cand.tag_ids if t in tag_names))
        if followed:
            names = ", ".join(f"#{tag_names[t]}" for t in followed[:3])
            reasons.append(
                Reason(
                    ReasonKind.TAG_YOU_FOLLOW, f"Tagged {names}, which you follow", "tag", followed
                )
            )
        if cand.creator_id in creator_names:
            reasons.append(
                Reason(
                    ReasonKind.CREATOR_YOU_ENGAGE_WITH,
                    f"From {creator_names[cand.creator_id]}, whose work you engage with",
                    "creator",
                    (cand.creator_id,),
                )
            )
        if moment and cand.context >= CONTEXT_REASON_MIN:
            reasons.append(_moment_reason(cand, moment))
        if cand.item_id in evidence.trending_top:
            reasons.append(Reason(ReasonKind.TRENDING, "Trending now"))
        age_days = (now_ts - cand.published) / 86400.0
        if 0 <= age_days <= NEW_ITEM_DAYS:
            when = "today" if age_days < 1 else f"{int(age_days)} day{'s' * (age_days >= 2)} ago"
            reasons.append(Reason(ReasonKind.NEW, f"New: published {when}"))
        if not reasons and fallback is not None:
            reasons.append(fallback)
        out.append(reasons)
    return Explained(out, named.live)


# What an exploration slot says of its item, by the source that placed it.
_EXPLORATION_TEXT = {
    "new_items": "Exploring: a new item few readers have seen yet",
    "new_creators": "Exploring: new work from a creator readers are just discovering",
    "graph": "Exploring: from readers with tastes like yours, to learn what you like",
    "content": "Exploring: close to what you read, to learn what you like",
    "trending": "Exploring: popular lately, to learn what you like",
}


def exploration_reason(source: str, creator_id: int) -> Reason:
    """The reason of an item shown to explore ``source``: a new creator's item names them."""
    text = _EXPLORATION_TEXT[source]
    if source == "new_creators":
        return Reason(ReasonKind.EXPLORE, text, "creator", (creator_id,))
    return Reason(ReasonKind.EXPLORE, text)


def _moment_reason(cand: Candidate, moment: str) -> Reason:
    """The context's lift, as the reader can check it: items of this kind (its category
    and type) are read more at this time of day and on this device than overall."""
    cited = (cand.category_id,) if cand.category_id >= 0 else ()
    text = f"Items like this are read more {moment}"
    return Reason(ReasonKind.FITS_THE_MOMENT, text, "category" if cited else "", cited)


def explain_similar(source: ContentItem, item_ids: Sequence[int]) -> list[list[Reason]]:
    """Reasons for each of ``source``'s similar items: the source itself, then the tags,
    creator and category the item shares with it. Four queries, whatever the list size."""
    source_tags = set(source.tags.values_list("id", flat=True))
    rows = ContentItem.objects.filter(id__in=item_ids).values_list(
        "id", "creator_id", "category_id"
    )
    facts = {item_id: (creator, category) for item_id, creator, category in rows}
    shared: dict[int, dict[int, str]] = {item_id: {} for item_id in item_ids}
    links = ContentItem.tags.through.objects.filter(
        contentitem_id__in=item_ids, tag_id__in=source_tags
    ).values_list("contentitem_id", "tag_id", "tag__name")
    for item_id, tag_id, name in links:
        shared[item_id][tag_id] = name
    creator_name, category_name = (
        ContentItem.objects.filter(pk=source.pk)
        .values_list("creator__display_name", "category__name")
        .first()
    ) or (None, None)
    similar = Reason(
        ReasonKind.SIMILAR_TO_ITEM, f"Similar to {_quote(source.title)}", "item", (source.pk,)
    )
    out: list[list[Reason]] = []
    for item_id in item_ids:
        reasons = [similar]
        if tags := tuple(sorted(shared[item_id])):
            names = ", ".join(f"#{shared[item_id][t]}" for t in tags[:3])
            reasons.append(Reason(ReasonKind.SHARES_TAGS, f"Also tagged {names}", "tag", tags))
        creator, category = facts.get(item_id, (None, None))
        if creator_name is not None and creator == source.creator_id:
            text = f"Also by {creator_name}"
            reasons.append(Reason(ReasonKind.SAME_CREATOR, text, "creator", (creator,)))
        if category_name is not None and category == source.category_id:
            text = f"Also in {category_name}"
            reasons.append(Reason(ReasonKind.SAME_CATEGORY, text, "category", (category,)))
        out.append(reasons)
    return out
