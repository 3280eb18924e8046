"""What one run of the generator is asked for, and the random streams it draws from."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from backend.content.bulk import connection_for, format_datetimes
from backend.content.models import ContentItem, ContentType

__all__ = ["DAY", "TYPES", "DemoPlan"]

DAY = 86_400
# Item types by index: the arrays of every stage hold these indices.
TYPES = [ContentType.BLOG, ContentType.VIDEO, ContentType.IMAGE, ContentType.AUDIO]


@dataclass(frozen=True)
class DemoPlan:
    """Sizes, time window and seed of one generated platform."""

    seed: int
    users: int
    items: int
    creators: int
    days: int
    now: datetime
    progress: bool = False
    connection: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.connection is None:
            object.__setattr__(self, "connection", connection_for(ContentItem))

    @property
    def now_s(self) -> int:
        return int(self.now.timestamp())

    @property
    def start_s(self) -> int:
        """Start of the history window, in Unix seconds."""
        return self.now_s - self.days * DAY

    def rng(self, stage: str) -> np.random.Generator:
        """The stage's own random stream: a stage's draws do not depend on what the stages
        before it drew, so changing one stage leaves the others' data as it was."""
        return np.random.default_rng([self.seed, zlib.crc32(stage.encode())])

    def times(self, seconds: np.ndarray) -> list[str | None]:
        """Unix seconds (NaN for none) as the database's text for UTC times."""
        return format_datetimes(seconds, self.connection)
