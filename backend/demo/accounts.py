"""People: a distinct name for every account, the user rows, the demo accounts' passwords."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from backend.content.bulk import bulk_insert, next_id
from backend.content.platform import unusable_passwords
from backend.demo.plan import DemoPlan
from backend.demo.vocabulary import FIRST_NAMES, LAST_NAMES

__all__ = [
    "ADMIN_USERNAME",
    "DEMO_CREATOR_USERNAME",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "People",
    "create_admin",
    "demo_password_hash",
    "draw_people",
    "write_accounts",
]

DEMO_USERNAME = "demo"
DEMO_CREATOR_USERNAME = "creator"
ADMIN_USERNAME = "admin"
# Demo data only: printed by the command and stated in the README.
DEMO_PASSWORD = "lupi-demo"


@dataclass(frozen=True)
class People:
    """Names of ``n`` people, no two alike."""

    first: list[str]
    last: list[str]

    def display(self, i: int) -> str:
        return f"{self.first[i]} {self.last[i]}"

    def slice(self, start: int, stop: int) -> People:
        return People(self.first[start:stop], self.last[start:stop])

    def username(self, i: int) -> str:
        return slugify(self.display(i)).replace("-", ".")


def draw_people(rng: np.random.Generator, n: int) -> People:
    """Distinct first and last name pairs; past the pairs' number, a middle initial
    ("Maya J. Okafor") keeps them distinct."""
    pairs = len(FIRST_NAMES) * len(LAST_NAMES)
    if n > pairs * (1 + len(string.ascii_uppercase)):
        raise ValueError(f"at most {pairs * 27:,} distinct people can be named")
    index = rng.permutation(pairs)[: min(n, pairs)]
    initial = np.full(len(index), -1)
    if n > pairs:
        extra = rng.choice(pairs * len(string.ascii_uppercase), n - pairs, replace=False)
        index = np.concatenate([index, extra % pairs])
        initial = np.concatenate([initial, extra // pairs])
    first = [FIRST_NAMES[i // len(LAST_NAMES)] for i in index.tolist()]
    last = [
        (f"{string.ascii_uppercase[m]}. " if m >= 0 else "") + LAST_NAMES[i % len(LAST_NAMES)]
        for i, m in zip(index.tolist(), initial.tolist(), strict=True)
    ]
    return People(first, last)


def demo_password_hash(seed: int, label: str) -> str:
    # A salt derived from the seed keeps the whole seeded database reproducible.
    salt = hashlib.sha256(f"lupi-demo:{seed}:{label}".encode()).hexdigest()[:22]
    return make_password(DEMO_PASSWORD, salt=salt)


def write_accounts(
    plan: DemoPlan,
    rng: np.random.Generator,
    people: People,
    joined: np.ndarray,
    *,
    demo_username: str,
    desc: str,
    extra: dict | None = None,
) -> np.ndarray:
    """User rows for ``people`` (the first one is the documented demo account, who can log
    in with the demo password; the others cannot log in); returns their ids."""
    n = len(people.first)
    User = get_user_model()
    base = next_id(User)
    ids = np.arange(base, base + n)
    usernames = [people.username(i) for i in range(n)]
    usernames[0] = demo_username
    passwords = unusable_passwords(rng, n)
    passwords[0] = demo_password_hash(plan.seed, demo_username)
    bulk_insert(
        User,
        {
            "id": ids,
            "password": passwords,
            "username": usernames,
            "first_name": people.first,
            "last_name": people.last,
            "email": [f"{name}@example.com" for name in usernames],
            "date_joined": plan.times(joined),
            **(extra or {}),
        },
        desc=desc,
        progress=plan.progress,
    )
    return ids


def create_admin(plan: DemoPlan) -> int:
    """A superuser ``admin`` with the demo password, unless one exists; 1 if created."""
    User = get_user_model()
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return 0
    User.objects.create(
        username=ADMIN_USERNAME,
        email="admin@example.com",
        password=demo_password_hash(plan.seed, ADMIN_USERNAME),
        is_staff=True,
        is_superuser=True,
        date_joined=datetime.fromtimestamp(plan.start_s, tz=UTC) - timedelta(days=400),
    )
    return 1
