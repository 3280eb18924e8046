"""Sticky assignment: a user's bucket in [0, 1) is the SHA-256 of the experiment's salt and
the user id, and the variants take consecutive slices of [0, 1) by their traffic shares.

The same salt and user always give the same bucket, on every worker and after a restart,
so a user keeps their variant for the whole experiment without any stored assignment.
Users whose bucket lies past the sum of the shares are not in the experiment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["bucket", "pick"]

T = TypeVar("T")

# 64 bits of the digest: buckets finer than any share anyone will set.
_SCALE = float(1 << 64)


def bucket(salt: str, user_id: int) -> float:
    """The user's place in [0, 1) for the experiment with ``salt``."""
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def pick(salt: str, user_id: int, arms: Sequence[tuple[float, T]]) -> T | None:
    """The arm whose slice of [0, 1) holds the user's bucket; ``arms`` are
    ``(share, arm)`` in their fixed order; ``None`` past the last slice."""
    point = bucket(salt, user_id)
    edge = 0.0
    for share, arm in arms:
        edge += share
        if point < edge:
            return arm
    return None
