"""Stage 2: creators, each with a home category, a style, a quality and a productivity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.content.bulk import bulk_insert, next_id
from backend.content.models import Creator
from backend.demo.accounts import DEMO_CREATOR_USERNAME, People, write_accounts
from backend.demo.plan import DAY, DemoPlan
from backend.demo.sampling import categorical
from backend.demo.taxonomy import Taxonomy
from backend.demo.vocabulary import CATEGORIES, CITIES

__all__ = ["Creators", "build_creators"]


@dataclass(frozen=True)
class Creators:
    ids: np.ndarray
    user_ids: np.ndarray
    home: np.ndarray  # category index
    second: np.ndarray  # another category index, used when has_second
    has_second: np.ndarray
    type_mix: np.ndarray  # (creator, type) shares
    quality: np.ndarray
    productivity: np.ndarray
    signature_tag: np.ndarray  # tag index
    joined: np.ndarray  # Unix seconds

    def __len__(self) -> int:
        return len(self.ids)


def _bios(rng: np.random.Generator, home: np.ndarray) -> list[str]:
    picks = rng.integers(0, 1 << 30, size=(len(home), 3)).tolist()
    bios = []
    for c, p in zip(home.tolist(), picks, strict=True):
        spec = CATEGORIES[c]
        nouns = spec["nouns"] + spec["plural"]
        n1, n2 = nouns[p[0] % len(nouns)], nouns[(p[0] + 1 + p[1] % (len(nouns) - 1)) % len(nouns)]
        city = CITIES[p[2] % len(CITIES)]
        bios.append(f"{spec['name']} creator from {city}. Mostly {n1}, sometimes {n2}.")
    return bios


def build_creators(plan: DemoPlan, taxonomy: Taxonomy, people: People) -> Creators:
    """``people`` names the creators; the first is the documented ``creator`` account."""
    rng, n = plan.rng("creators"), plan.creators
    n_cat, k = taxonomy.n_categories, taxonomy.tags_per_category
    home = categorical(rng, taxonomy.category_pop, n)
    second = (home + rng.integers(1, n_cat, n)) % n_cat
    has_second = rng.random(n) < 0.35
    mix = rng.gamma(taxonomy.category_types[home] * 6.0 + 0.05)
    mix /= mix.sum(axis=1, keepdims=True)
    quality = rng.lognormal(0.0, 0.6, n)
    productivity = rng.pareto(1.5, n) + 1.0
    signature = home * k + rng.integers(0, k, n)
    # The documented creator account publishes steadily and is well liked.
    productivity[0] = max(productivity[0], np.quantile(productivity, 0.9))
    quality[0] = max(quality[0], np.quantile(quality, 0.8))
    # Creators joined before the window; their accounts predate their first item.
    joined = plan.start_s - rng.integers(30, 720, n) * DAY
    user_ids = write_accounts(
        plan, rng, people, joined, demo_username=DEMO_CREATOR_USERNAME, desc="creator accounts"
    )
    base = next_id(Creator)
    ids = np.arange(base, base + n)
    bulk_insert(
        Creator,
        {
            "id": ids,
            "user_id": user_ids,
            "display_name": [people.display(i) for i in range(n)],
            "bio": _bios(rng, home),
            "created_at": plan.times(joined + DAY),
        },
        desc="creators",
        progress=plan.progress,
    )
    return Creators(
        ids, user_ids, home, second, has_second, mix, quality, productivity, signature, joined
    )
