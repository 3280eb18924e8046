"""Reading the ``ID`` arguments clients send (database keys as strings)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = ["parse_id", "parse_ids"]


def parse_id(value: object, field: str) -> int:
    """The integer key in ``value``; a ValidationError keyed by ``field`` otherwise."""
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number <= 0:
        raise ValidationError({field: [f"{value!r} is not a valid id."]})
    return number


def parse_ids(values: list[object], field: str) -> list[int]:
    return [parse_id(value, field) for value in values]
