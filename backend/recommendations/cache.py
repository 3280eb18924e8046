"""The served-list cache: per user, per arguments, per model version.

A cached list is found under ``lupi:recs:<user>:<generation>:<model version>:<args hash>``:

* the *generation* is a per-user counter that :func:`invalidate_user` bumps whenever the
  user gives new feedback, so their next request misses and sees the change at once,
  without anyone having to know which argument combinations were cached;
* the *model version* changes on a promotion, so every user gets lists from the new
  model without a flush;
* the *arguments hash* covers page size, filters and knobs.

Hit and miss counters live in the cache back end itself (``cache.incr``), so several
worker processes behind one Redis add up to one figure.

Every operation tolerates a cache outage: when the back end raises a connection error,
the request is served uncached, nothing is counted, the outage is logged once, and the
back end is left alone for a few seconds so that each request does not pay a connection
timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches

__all__ = [
    "MODEL_VERSION_KEY",
    "CacheStats",
    "bump_catalogue_token",
    "bump_model_token",
    "bump_serving_config_token",
    "catalogue_token",
    "cache_stats",
    "connect_signals",
    "count_hit",
    "generation_key",
    "get_list",
    "guarded_call",
    "invalidate_shown",
    "invalidate_user",
    "list_key",
    "model_token",
    "reset_cache_stats",
    "serving_config_token",
    "snapshot_and_get",
    "store_list",
]

logger = logging.getLogger(__name__)

MODEL_VERSION_KEY = "lupi:model-version"
# Bumped whenever an item or its tags change: the serving layer's view of items the model
# does not know is rebuilt when it moves.
CATALOGUE_KEY = "lupi:catalogue"
# Bumped whenever what a surface serves changes outside the model: an experiment starts,
# pauses, stops or ships (backend/experiments).
SERVING_CONFIG_KEY = "lupi:serving-config"
HITS_KEY = "lupi:recs-stats:hits"
MISSES_KEY = "lupi:recs-stats:misses"
_LIST_PREFIX = "lupi:recs"
_GENERATION_PREFIX = "lupi:recs-gen"
# After a failed call the back end is skipped for this long: a Redis that is down would
# otherwise cost every request a connect timeout.
OUTAGE_BACKOFF_S = 5.0
_OUTAGE_ATTR = "_lupi_unavailable_until"


def _cache_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, OSError]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency, but the cache need not be
        pass
    else:
        errors.append(RedisError)
    return tuple(errors)


CACHE_ERRORS = _cache_errors()


@dataclass(frozen=True)
class CacheStats:
    """Served-list cache counters, summed over every process sharing the back end."""

    hits: int
    misses: int

    @property
    def requests(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        return self.hits / self.requests if self.requests else 0.0


def _backend():
    # Looked up per call: settings overrides (and each thread) get their own back end
    # object, and with it their own outage state.
    return caches["default"]


def guarded_call(operation: str, func, *args, default: Any = None, **kwargs) -> Any:
    backend = _backend()
    if getattr(backend, _OUTAGE_ATTR, 0.0) > time.monotonic():
        return default
    try:
        result = func(backend, *args, **kwargs)
    except CACHE_ERRORS as exc:
        if not getattr(backend, _OUTAGE_ATTR, 0.0):
            logger.warning(
                "recommendation cache unavailable (%s: %s); serving uncached", operation, exc
            )
        setattr(backend, _OUTAGE_ATTR, time.monotonic() + OUTAGE_BACKOFF_S)
        return default
    if getattr(backend, _OUTAGE_ATTR, 0.0):
        logger.warning("recommendation cache is back")
        setattr(backend, _OUTAGE_ATTR, 0.0)
    return result


def _incr(backend, key: str, timeout: int | None = None, *, fresh: bool = False) -> int:
    try:
        return backend.incr(key)
    except ValueError:
        # Missing key: create it. ``add`` loses a race only to another creator, after which
        # the increment applies to their value. A ``fresh`` counter starts at a random value:
        # one that was evicted and is made again must not repeat values it had before.
        start = _random_start() if fresh else 1
        if backend.add(key, start, timeout=timeout):
            return start
        return backend.incr(key)


def _random_start() -> int:
    return secrets.randbelow(2**62) + 1


def _read_counter(backend, key: str) -> int:
    """A validity counter's value, made (at a random value) when it is missing."""
    value = backend.get(key)
    if value is None:
        backend.add(key, _random_start(), timeout=None)
        value = backend.get(key)
    return int(value or 0)


def generation_key(user_id: int) -> str:
    """The cache key of the user's generation counter (0 while the key is missing)."""
    return f"{_GENERATION_PREFIX}:{user_id}"


def snapshot_and_get(user_id: int, key: str) -> tuple[tuple[int, int, int] | None, Any]:
    """The user's generation, the model token and the serving-configuration token, read
    before a response is computed, so a response kept with them is dropped by any later
    change, and the value under ``key`` (``None`` when missing): one round trip while the
    counters exist; ``(None, None)`` when the cache cannot be reached. Missing counters are
    made here, at random values: a counter that was evicted (a full in-process cache drops
    entries) must not come back at a value an old response was kept with."""

    def read(backend) -> tuple[tuple[int, int, int], Any]:
        counter_keys = [generation_key(user_id), MODEL_VERSION_KEY, SERVING_CONFIG_KEY]
        values = backend.get_many([*counter_keys, key])
        if any(counter not in values for counter in counter_keys):
            counters = tuple(_read_counter(backend, counter) for counter in counter_keys)
            return counters, None
        counters = tuple(int(values[counter] or 0) for counter in counter_keys)
        return counters, values.get(key)

    return guarded_call("get_many", read, default=(None, None))


def count_hit() -> None:
    guarded_call("incr", lambda b: _incr(b, HITS_KEY))


def args_hash(arguments: dict[str, Any]) -> str:
    """A short stable hash of the request's arguments (JSON with sorted keys)."""
    text = json.dumps(arguments, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def list_key(user_id: int, arguments: dict[str, Any], model_version: str) -> str | None:
    """The cache key of a user's list, or ``None`` when the cache cannot be reached."""
    generation = guarded_call("get", lambda b: b.get(generation_key(user_id), 0), default=None)
    if generation is None:
        return None
    version = model_version or "none"
    return f"{_LIST_PREFIX}:{user_id}:{generation}:{version}:{args_hash(arguments)}"


def get_list(key: str | None) -> Any | None:
    """The cached value under ``key``; counts a hit or a miss when the cache answers."""
    if key is None:
        return None
    sentinel = object()
    value = guarded_call("get", lambda b: b.get(key, sentinel), default=None)
    if value is None:  # back end unavailable: neither a hit nor a miss
        return None
    if value is sentinel:
        guarded_call("incr", lambda b: _incr(b, MISSES_KEY))
        return None
    count_hit()
    return value


def store_list(key: str | None, value: Any, timeout: int | None = None) -> None:
    if key is None:
        return
    ttl = settings.RECOMMENDATION_CACHE_TTL if timeout is None else timeout
    guarded_call("set", lambda b: b.set(key, value, timeout=ttl))


def invalidate_user(user_id: int) -> None:
    """Drop every cached list of the user: call after the user's own new feedback.

    Bumps now, so this process sees the change at once, and again when the surrounding
    transaction commits: a request that read the old rows between the first bump and the
    commit must not be kept under the new generation.
    """
    from django.db import transaction

    def bump() -> None:
        guarded_call("incr", lambda b: _incr(b, generation_key(user_id), timeout=None, fresh=True))

    bump()
    transaction.on_commit(bump)


def invalidate_shown(item_ids: list[int]) -> int:
    """Drop every kept list (and kept response) that may show one of ``item_ids``, after
    they were withdrawn: the generation of each user they were shown to within a cache
    lifetime is bumped (a kept list was logged as impressions when it was served). Returns
    how many users that was. New items need nothing of the kind: a kept list without them
    is only a little older, not wrong."""
    from datetime import timedelta

    from django.utils import timezone

    from backend.interactions.models import Impression

    if not item_ids:
        return 0
    since = timezone.now() - timedelta(seconds=settings.RECOMMENDATION_CACHE_TTL + 60)
    users = list(
        Impression.objects.filter(item_id__in=item_ids, shown_at__gte=since)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in users:
        invalidate_user(user_id)
    return len(users)


def cache_stats() -> CacheStats:
    """Hits and misses of the served-list cache (zeros when the cache is unreachable)."""
    values = guarded_call("get_many", lambda b: b.get_many([HITS_KEY, MISSES_KEY]), default={})
    return CacheStats(hits=int(values.get(HITS_KEY, 0)), misses=int(values.get(MISSES_KEY, 0)))


def reset_cache_stats() -> None:
    guarded_call("delete_many", lambda b: b.delete_many([HITS_KEY, MISSES_KEY]))


def model_token() -> Any:
    """The promotion counter: it changes whenever a model version is saved.

    ``None`` when the cache is unreachable; the registry then relies on its periodic
    database check alone.
    """
    return guarded_call("get", lambda b: b.get(MODEL_VERSION_KEY, 0), default=None)


def bump_model_token() -> None:
    guarded_call("incr", lambda b: _incr(b, MODEL_VERSION_KEY, timeout=None, fresh=True))


def serving_config_token() -> Any:
    """The serving-configuration counter (see ``SERVING_CONFIG_KEY``), made at a random
    value when missing, so that an evicted or flushed counter never comes back at a value
    a process read before; ``None`` when the cache is unreachable."""
    return guarded_call("get", lambda b: _read_counter(b, SERVING_CONFIG_KEY), default=None)


def bump_serving_config_token() -> None:
    guarded_call("incr", lambda b: _incr(b, SERVING_CONFIG_KEY, timeout=None, fresh=True))


def catalogue_token() -> Any:
    """The catalogue counter (see ``CATALOGUE_KEY``); ``None`` when the cache is down."""
    return guarded_call("get", lambda b: b.get(CATALOGUE_KEY, 0), default=None)


def bump_catalogue_token() -> None:
    guarded_call("incr", lambda b: _incr(b, CATALOGUE_KEY, timeout=None, fresh=True))


def _on_catalogue(sender, **kwargs) -> None:
    from django.db import transaction

    # Now, and after the commit: a worker that rebuilt its view of the catalogue in between
    # read the rows without the change.
    bump_catalogue_token()
    transaction.on_commit(bump_catalogue_token)


def _on_feedback(sender, instance, **kwargs) -> None:
    invalidate_user(instance.user_id)


def _on_account(sender, instance, update_fields=None, **kwargs) -> None:
    # Preferences, password, active flag: anything cached for the user may be out of date.
    # A login only stamps ``last_login``, which nothing cached shows.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    invalidate_user(instance.pk)


def _on_feedback_owner(sender, instance, **kwargs) -> None:
    # A deleted account: nothing kept for it may be replayed.
    invalidate_user(instance.pk)


def _on_interests(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        invalidate_user(instance.pk)
    else:  # changed from the tag's side: every user in pk_set is affected
        for user_id in pk_set or ():
            invalidate_user(user_id)


def _on_model_version(sender, instance, **kwargs) -> None:
    from django.db import transaction

    # Now, so that this process and tests see it at once, and again after the commit, so
    # that a worker that re-read the database before the commit does not keep the old one.
    bump_model_token()
    transaction.on_commit(bump_model_token)


def connect_signals() -> None:
    """Invalidate on feedback saved through the ORM, and note model promotions.

    One path per write: an ORM save or delete of feedback reaches :func:`invalidate_user`
    through these handlers; the interaction services store in bulk (no ORM signal) and
    send ``feedback_recorded`` once instead (``apps.py``).
    """
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from backend.accounts.models import User
    from backend.interactions.models import Interaction, NotInterested
    from backend.recommendations.models import ModelVersion

    for model in (Interaction, NotInterested):
        post_save.connect(_on_feedback, sender=model, dispatch_uid=f"lupi-recs-{model.__name__}")
        post_delete.connect(
            _on_feedback, sender=model, dispatch_uid=f"lupi-recs-del-{model.__name__}"
        )
    for field in ("interested_tags", "interested_categories"):
        m2m_changed.connect(
            _on_interests,
            sender=getattr(User, field).through,
            dispatch_uid=f"lupi-recs-{field}",
        )
    post_save.connect(_on_account, sender=User, dispatch_uid="lupi-recs-account")
    post_delete.connect(_on_feedback_owner, sender=User, dispatch_uid="lupi-recs-account-del")
    from backend.content.models import ContentItem

    post_save.connect(_on_catalogue, sender=ContentItem, dispatch_uid="lupi-catalogue-save")
    post_delete.connect(_on_catalogue, sender=ContentItem, dispatch_uid="lupi-catalogue-del")
    m2m_changed.connect(
        _on_catalogue, sender=ContentItem.tags.through, dispatch_uid="lupi-catalogue-tags"
    )
    post_save.connect(_on_model_version, sender=ModelVersion, dispatch_uid="lupi-model-version")
