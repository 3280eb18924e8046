"""The moment of a request: the client's local hour and device, and the hour bands and
device classes that the model's context affinities are learned over (see ``gnn.context``).

The same vocabulary turns the context recorded with every interaction into training rows
(``export``) and a request's context into a column of the model's lift table (serving), so
the two always mean the same band and device.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEVICES",
    "HOUR_BANDS",
    "NO_CONTEXT",
    "InvalidContext",
    "RequestContext",
    "band_of_hour",
    "device_index",
]

# The day in four bands: night 23:00-05:59, morning 06:00-11:59, day 12:00-17:59, evening
# 18:00-22:59.
HOUR_BANDS = ("night", "morning", "day", "evening")
_BAND_OF_HOUR = (0,) * 6 + (1,) * 6 + (2,) * 6 + (3,) * 5 + (0,)
# Device classes a client may report; anything else recorded with an act counts as unknown.
DEVICES = ("mobile", "tablet", "desktop", "tv")


class InvalidContext(ValueError):
    """A request context out of bounds; ``field`` names the part (``local_hour``, ``device``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def band_of_hour(hour: int) -> int:
    """The index in ``HOUR_BANDS`` of a local hour 0..23."""
    return _BAND_OF_HOUR[hour]


def device_index(device: str) -> int:
    """The index in ``DEVICES`` of a device class, -1 for one outside the set."""
    return DEVICES.index(device) if device in DEVICES else -1


@dataclass(frozen=True)
class RequestContext:
    """When and on what the list will be read; either part may be unknown (``None``)."""

    local_hour: int | None = None
    device: str | None = None

    def validated(self) -> RequestContext:
        hour = self.local_hour
        if hour is not None and (
            isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23
        ):
            raise InvalidContext("local_hour", f"must be an integer from 0 to 23, got {hour!r}")
        if self.device is not None and self.device not in DEVICES:
            raise InvalidContext(
                "device", f"must be one of {', '.join(DEVICES)}, got {self.device!r}"
            )
        return self

    @property
    def band(self) -> int | None:
        return None if self.local_hour is None else band_of_hour(self.local_hour)

    @property
    def device_row(self) -> int | None:
        return None if self.device is None else device_index(self.device)

    @property
    def empty(self) -> bool:
        return self.local_hour is None and self.device is None

    def bucket(self) -> dict[str, str | None]:
        """What the served list depends on, for its cache key: the band, not the hour, so
        that requests in the same band share one cached list."""
        band = self.band
        return {"band": None if band is None else HOUR_BANDS[band], "device": self.device}

    def describe(self) -> str:
        """Words for an explanation: "on mobile in the morning", "in the evening", ..."""
        parts = []
        if self.device is not None:
            parts.append("on TV" if self.device == "tv" else f"on {self.device}")
        if self.band is not None:
            band = HOUR_BANDS[self.band]
            parts.append("at night" if band == "night" else f"in the {band}")
        return " ".join(parts)


# A request that says nothing of its moment: no context term.
NO_CONTEXT = RequestContext()
