"""Simulated traffic: the demo platform's readers ask for lists through the real serving
code and click by their latent tastes.

Each round, every simulated reader asks ``recommend_for_user`` for a list (their experiment
assignment applies, impressions are logged as for any request) and looks down it. The
chance of clicking the item at position ``p`` is

``EXAMINE * (p + 1) ** -POSITION_BIAS * sigmoid(-0.5 + 1.3 z + 0.3 q) * FATIGUE ** k``

with ``z`` the item's fit to the reader's latent tastes in the feedback funnel's units and
``q`` its quality (the generator's own click model, ``interactions._funnel``), the
generator's position bias, and ``k`` the times the reader was already shown the item in
this run without clicking it: a reader who passed an item over is less likely to take it
the next time. A click is followed by a like with the funnel's chance. Clicks and likes are
written through ``record_interactions``, the service the feedback mutations use, carrying
the list's request id and the item's position.

A round stands for a separate visit, longer after the last than the served-list cache
keeps a list, so lists are asked uncached. The same seed gives the same readers, order
and dice; the lists themselves also depend on the bandit's draws
(``sources.seed_exploration`` makes those repeatable in one process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from backend.content.models import ContentItem, Creator
from backend.content.services import tag_ids_by_item
from backend.demo.impressions import POSITION_BIAS
from backend.demo.latent import ItemFacts, Latent, load_latent
from backend.demo.sampling import sigmoid
from backend.interactions.models import InteractionKind
from backend.interactions.services import InteractionData, record_interactions
from backend.recommendations.serving import recommend_for_user

__all__ = [
    "EXAMINE",
    "FATIGUE",
    "ServedVisit",
    "Traffic",
    "TrafficPlan",
    "debut_creators",
    "play",
]

# The chance that a reader looks at the top of a list at all.
EXAMINE = 0.5
# Each earlier unclicked showing of an item to a reader multiplies its click chance by this.
FATIGUE = 0.6
# Readers served per transaction: fewer commits, the same code.
CHUNK = 50


@dataclass(frozen=True)
class TrafficPlan:
    """How much traffic to play: readers, rounds (visits each), a time bound, the seed;
    ``part`` ``(k, n)`` plays only the ``k``-th of ``n`` interleaved parts of the readers the
    seed draws (two parts of one sample compared under two settings, say)."""

    users: int = 200
    rounds: int = 3
    seconds: float = 60.0
    seed: int = 0
    first: int = 10
    part: tuple[int, int] = (0, 1)

    def __post_init__(self) -> None:
        for name in ("users", "rounds", "first"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not self.seconds > 0:
            raise ValueError("seconds must be more than 0")
        k, n = self.part
        if not 0 <= k < n:
            raise ValueError(f"part must be (k, n) with 0 <= k < n, got {self.part!r}")


@dataclass(frozen=True)
class ServedVisit:
    """One list served and what the reader did with it."""

    round: int
    user_id: int
    variant: str
    request_id: str
    item_ids: tuple[int, ...]
    sources: tuple[str, ...]
    clicked: tuple[int, ...]  # positions clicked
    liked: tuple[int, ...]
    repeats: int  # items the reader had been shown before in this run

    @property
    def clicks(self) -> int:
        return len(self.clicked)


@dataclass
class Traffic:
    """What a run played: every visit, in order, and whether the time bound cut it short."""

    visits: list[ServedVisit] = field(default_factory=list)
    rounds_done: int = 0
    stopped_early: bool = False
    seconds: float = 0.0

    @property
    def impressions(self) -> int:
        return sum(len(v.item_ids) for v in self.visits)

    @property
    def clicks(self) -> int:
        return sum(v.clicks for v in self.visits)


class _Readers:
    """The simulated readers' state over a run: their rows, and what each was shown."""

    def __init__(self, latent: Latent, facts: ItemFacts, rng: np.random.Generator) -> None:
        self.latent, self.facts, self.rng = latent, facts, rng
        self.passed_over: dict[tuple[int, int], int] = {}

    def react(self, row: int, user_id: int, item_ids: list[int]) -> tuple[list[int], list[int]]:
        """Positions clicked and liked in a list shown to the reader at ``row``."""
        n = len(item_ids)
        items = np.array([self.facts.row_of.get(i, -1) for i in item_ids], dtype=np.int64)
        known = items >= 0
        rows = np.full(n, row, dtype=np.int64)
        z = np.zeros(n)
        if known.any():
            z[known] = self.latent.z(rows[known], self.facts, items[known])
        q = np.where(known, self.facts.quality[np.maximum(items, 0)], 0.0)
        repeats = np.array([self.passed_over.get((user_id, i), 0) for i in item_ids])
        attention = EXAMINE * (np.arange(n) + 1.0) ** -POSITION_BIAS
        p_click = attention * sigmoid(-0.5 + 1.3 * z + 0.3 * q) * FATIGUE**repeats
        dice = self.rng.random((2, n))
        click = known & (dice[0] < p_click)
        like = click & (dice[1] < sigmoid(-1.2 + 1.2 * z + 0.5 * q))
        for item_id, clicked in zip(item_ids, click.tolist(), strict=True):
            if not clicked:
                key = (user_id, item_id)
                self.passed_over[key] = self.passed_over.get(key, 0) + 1
        return np.flatnonzero(click).tolist(), np.flatnonzero(like).tolist()


def _feedback(result, clicked: list[int], liked: list[int]) -> list[InteractionData]:
    entries = []
    for kind, positions in ((InteractionKind.CLICK, clicked), (InteractionKind.LIKE, liked)):
        entries += [
            InteractionData(
                item_id=result.items[p].item_id,
                kind=kind,
                request_id=result.request_id,
                position=p,
            )
            for p in positions
        ]
    return entries


def _visit(readers: _Readers, user, row: int, round_: int, first: int) -> ServedVisit:
    result = recommend_for_user(user, first, use_cache=False, log=True)
    item_ids = result.item_ids
    repeats = sum((user.pk, i) in readers.passed_over for i in item_ids)
    clicked, liked = readers.react(row, user.pk, item_ids)
    entries = _feedback(result, clicked, liked)
    if entries:
        record_interactions(user, entries)
    return ServedVisit(
        round=round_,
        user_id=user.pk,
        variant=result.variant,
        request_id=result.request_id,
        item_ids=tuple(item_ids),
        sources=tuple(result.sources),
        clicked=tuple(clicked),
        liked=tuple(liked),
        repeats=repeats,
    )


def _readers_of(latent: Latent, plan: TrafficPlan, rng: np.random.Generator):
    """The simulated readers: ``plan.users`` of the platform's, drawn by the seed."""
    n = min(plan.users, len(latent.user_ids))
    chosen = np.sort(rng.choice(len(latent.user_ids), size=n, replace=False))
    k, parts = plan.part
    chosen = chosen[k::parts]
    accounts = get_user_model().objects.in_bulk([int(u) for u in latent.user_ids[chosen]])
    return [(accounts[int(latent.user_ids[r])], int(r)) for r in chosen]


def play(
    plan: TrafficPlan,
    *,
    after_round: Callable[[int, Traffic], None] | None = None,
    after_chunk: Callable[[Traffic], None] | None = None,
    progress: bool = False,
    latent: Latent | None = None,
) -> Traffic:
    """Play ``plan``'s rounds (or as many as ``plan.seconds`` allow); ``after_round`` is
    called after each full round and ``after_chunk`` after every ``CHUNK`` visits (the
    bandit's outcome count, say: a periodic job as often as traffic allows)."""
    latent = latent or load_latent()
    facts = ItemFacts.read(latent)
    rng = np.random.default_rng(plan.seed)
    readers = _Readers(latent, facts, rng)
    audience = _readers_of(latent, plan, rng)
    traffic = Traffic()
    started = time.monotonic()
    bar = tqdm(total=plan.rounds * len(audience), desc="visits", disable=not progress)
    try:
        for round_ in range(plan.rounds):
            order = rng.permutation(len(audience))
            for start in range(0, len(order), CHUNK):
                if time.monotonic() - started > plan.seconds:
                    traffic.stopped_early = True
                    break
                with transaction.atomic():
                    for k in order[start : start + CHUNK]:
                        user, row = audience[k]
                        traffic.visits.append(_visit(readers, user, row, round_, plan.first))
                bar.update(len(order[start : start + CHUNK]))
                if after_chunk is not None:
                    after_chunk(traffic)
            if traffic.stopped_early:
                break
            traffic.rounds_done = round_ + 1
            if after_round is not None:
                after_round(round_, traffic)
    finally:
        bar.close()
        traffic.seconds = time.monotonic() - started
    return traffic


def debut_creators(count: int, seed: int) -> list[int]:
    """``count`` new creators publish their first item now, each in the category, type and
    tags of an item drawn from the catalogue (a newcomer to an established genre); their
    fit to readers comes from those, at average quality. Returns the new items' ids."""
    rng = np.random.default_rng([seed, 7])
    models = list(
        ContentItem.objects.filter(published_at__isnull=False)
        .order_by("id")
        .values_list("id", "type", "category_id", "title", "excerpt")
    )
    picks = rng.choice(len(models), size=count, replace=False)
    tags = tag_ids_by_item([models[k][0] for k in picks])
    now = timezone.now()
    stamp = now.strftime("%Y%m%d%H%M%S")
    created = []
    with transaction.atomic():
        for n, k in enumerate(picks):
            model_id, item_type, category_id, title, excerpt = models[k]
            account = get_user_model().objects.create_user(username=f"debut-{stamp}-{n}")
            creator = Creator.objects.create(user=account, display_name=f"Newcomer {stamp}-{n}")
            item = ContentItem.objects.create(
                title=f"{title}: a first take",
                excerpt=excerpt,
                type=item_type,
                category_id=category_id,
                creator=creator,
                published_at=now,
            )
            item.tags.set(tags[model_id])
            created.append(item.pk)
    return created
