"""Several small reads in one round trip: ``UNION ALL`` of querysets, each row tagged with
the index of the queryset it came from (a served list reads a handful of such lookups, and a
round trip costs more than any of them)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, IntegerField, QuerySet, Value

__all__ = ["union_all"]

Part = tuple[QuerySet, Sequence[str | None]]


def union_all(parts: Sequence[Part | None]) -> list[tuple]:
    """Rows ``(index, *columns)`` of every part ``(queryset, column names)``, in one query.

    A part's index is its place in ``parts``; ``None`` parts are skipped (nothing to read)
    and keep their index. A ``None`` column reads as NULL. Every part has the same number
    of columns. No query is made when every part is ``None``.
    """
    selects = []
    for index, part in enumerate(parts):
        if part is None:
            continue
        queryset, columns = part
        values = {
            f"column{k}": F(name) if name else Value(None, output_field=IntegerField())
            for k, name in enumerate(columns)
        }
        selects.append(
            queryset.order_by()  # no ORDER BY inside a compound statement (SQLite refuses one)
            .annotate(part=Value(index, output_field=IntegerField()), **values)
            .values_list("part", *values)
        )
    if not selects:
        return []
    return list(selects[0].union(*selects[1:], all=True))
