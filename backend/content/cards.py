"""Item cards by id in one round trip: each item with its creator, its category and its
tags, the tags riding along as one JSON array per item instead of a second query.

``prefetch_related("tags")`` costs a second round trip for every batch of cards (a served
list, a page of similar items); the dashboard reads its cards once per request, and a round
trip costs more here than aggregating a handful of tags per item in the database.
"""

from __future__ import annotations

import json

from django.db.models import Aggregate, OuterRef, QuerySet, Subquery, TextField

from backend.content.models import ContentItem, Tag

__all__ = ["read_cards"]


class _TagTriples(Aggregate):
    """``[[id, name, slug], ...]`` of the grouped tags as JSON text: ``json_group_array`` on
    SQLite, ``json_agg`` on PostgreSQL (cast to text: one decoding, the same on both)."""

    function = "json_group_array"
    template = "%(function)s(json_array(%(expressions)s))"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="json_agg",
            template="%(function)s(json_build_array(%(expressions)s))::text",
            **extra_context,
        )


def _tag_triples() -> Subquery:
    through = ContentItem.tags.through.objects.filter(contentitem_id=OuterRef("pk"))
    rows = through.order_by().values("contentitem_id")
    rows = rows.annotate(triples=_TagTriples("tag_id", "tag__name", "tag__slug"))
    return Subquery(rows.values("triples"), output_field=TextField())


def read_cards(items: QuerySet[ContentItem]) -> list[ContentItem]:
    """``items`` with creator and category joined and ``item.card_tags`` set (its tags,
    sorted by name), in one query."""
    rows = items.select_related("creator", "category").annotate(tag_triples=_tag_triples())
    cards = list(rows)
    for item in cards:
        triples = json.loads(item.tag_triples or "[]")  # no tags: NULL
        tags = [Tag(id=i, name=name, slug=slug) for i, name, slug in triples]
        item.card_tags = sorted(tags, key=lambda tag: tag.name)
    return cards
