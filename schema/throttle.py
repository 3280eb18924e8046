"""Per-viewer rates of expensive fields, as a strawberry field extension.

``extensions=[Throttled("recommendations")]`` counts each use of the field (an alias is a
use) against ``GRAPHQL_FIELD_RATES`` (``backend/throttle.py``) before the resolver runs;
past the rate, the field is a ``RATE_LIMITED`` error with ``retryAfter`` seconds.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from strawberry.extensions import FieldExtension

from backend import throttle
from schema.errors import rate_limited

__all__ = ["Throttled"]


class Throttled(FieldExtension):
    def __init__(self, field: str) -> None:
        self.field = field

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        # The rates are per person; a key is a whole service, serving all of them.
        if self.field in throttle.field_rates() and info.context.api_key is None:
            viewer = await info.context.viewer()
            subject = (
                f"user:{viewer.pk}"
                if viewer is not None
                else f"address:{throttle.client_address(info.context.request)}"
            )
            try:
                await sync_to_async(throttle.hit_field)(self.field, subject)
            except throttle.RateExceeded as exc:
                raise rate_limited(self.field, str(exc), exc.retry_after) from None
        return await next_(source, info, **kwargs)
