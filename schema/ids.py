"""Reading the ``ID`` arguments clients send (database keys as strings)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = ["MAX_ID", "parse_id", "parse_ids"]

# Keys are 64-bit signed integers in every database Lupi runs on.
MAX_ID = 2**63 - 1


def parse_id(value: object, field: str) -> int:
    """The integer key in ``value`` (ASCII digits, 1..2^63-1); a ValidationError keyed by
    ``field`` otherwise."""
    text = str(value)
    valid = text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID
    if not valid:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ValidationError({field: [f"{shown!r} is not a valid id."]})
    return int(text)


def parse_ids(values: list[object], field: str) -> list[int]:
    return [parse_id(value, field) for value in values]
