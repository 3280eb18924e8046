"""Lupi's GraphQL schema: every domain's types merged, every extension listed here."""

from __future__ import annotations

import strawberry
from strawberry_django.optimizer import DjangoOptimizerExtension


@strawberry.type
class Query:
    @strawberry.field(description="Always true; checks that the API answers.")
    def ok(self) -> bool:
        return True


schema = strawberry.Schema(query=Query, extensions=[DjangoOptimizerExtension()])

__all__ = ["schema"]
