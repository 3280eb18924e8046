"""The served-list cache: hits, invalidation by feedback and promotion, outages."""

from __future__ import annotations

import logging

from django.core.cache import cache as default_cache
from django.test import override_settings
from django.utils import timezone

from backend.interactions.models import Interaction, InteractionKind, NotInterested
from backend.recommendations import cache
from backend.recommendations.services import promote
from backend.recommendations.serving import (
    RecommendationFilters,
    RecommendationKnobs,
    recommend_for_user,
)

from .conftest import register, user

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_second_request_is_a_cache_hit(model):
    cache.reset_cache_stats()
    first = recommend_for_user(user(1101), 5)
    second = recommend_for_user(user(1101), 5)
    assert not first.cached and second.cached
    assert second.item_ids == first.item_ids
    assert second.request_id != first.request_id
    stats = cache.cache_stats()
    assert (stats.hits, stats.misses) == (1, 1)
    assert stats.hit_rate == 0.5


def test_key_covers_arguments_and_user(model):
    recommend_for_user(user(1101), 5)
    assert not recommend_for_user(user(1101), 6).cached
    assert not recommend_for_user(user(1101), 5, RecommendationFilters(types=("blog",))).cached
    assert not recommend_for_user(user(1101), 5, knobs=RecommendationKnobs(diversity=0.9)).cached
    assert not recommend_for_user(user(1102), 5).cached
    assert recommend_for_user(user(1101), 5).cached


def test_own_feedback_invalidates_only_that_user(model):
    recommend_for_user(user(1101), 5)
    recommend_for_user(user(1102), 5)
    Interaction.objects.create(
        user_id=1101, item_id=1030, kind=InteractionKind.VIEW, occurred_at=timezone.now()
    )
    assert not recommend_for_user(user(1101), 5).cached
    assert recommend_for_user(user(1102), 5).cached
    NotInterested.objects.create(user_id=1102, creator_id=1004)
    assert not recommend_for_user(user(1102), 5).cached


def test_invalidate_user_and_interest_changes(model):
    recommend_for_user(user(1101), 5)
    cache.invalidate_user(1101)
    assert not recommend_for_user(user(1101), 5).cached
    user(1101).interested_tags.add(1004)
    assert not recommend_for_user(user(1101), 5).cached
    assert recommend_for_user(user(1101), 5).cached


def test_promotion_changes_the_key(platform, artifacts):
    register(artifacts["alpha"])
    beta = register(artifacts["beta"], active=False)
    recommend_for_user(user(1101), 5)
    assert recommend_for_user(user(1101), 5).cached
    promote(beta, force=True)
    result = recommend_for_user(user(1101), 5)
    assert result.model_version == "beta" and not result.cached


def test_ttl_comes_from_settings(model):
    with override_settings(RECOMMENDATION_CACHE_TTL=0):
        recommend_for_user(user(1101), 5)
        assert not recommend_for_user(user(1101), 5).cached


def test_redis_down_serves_uncached_and_counts_nothing(model, caplog):
    cache.reset_cache_stats()
    with override_settings(CACHES=REDIS_DOWN), caplog.at_level(logging.WARNING):
        first = recommend_for_user(user(1101), 5)
        second = recommend_for_user(user(1101), 5)
        assert first.items and not first.cached and not second.cached
        assert second.item_ids == first.item_ids
        assert first.model_version == "alpha"
        assert cache.cache_stats().requests == 0
        cache.invalidate_user(1101)  # no error either
    warnings = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(warnings) == 1
    # The real cache did not count anything either.
    assert cache.cache_stats().requests == 0
    assert default_cache.get(cache.HITS_KEY) is None


def _counters(user_id: int) -> tuple[int, int, int] | None:
    return cache.snapshot_and_get(user_id, "lupi-test:no-entry")[0]


def test_an_evicted_counter_does_not_come_back_at_an_old_value(db):
    # Replayable responses are kept with the viewer's generation and the model token; a
    # counter dropped by a full cache and made again must not match what was kept before.
    first_generation, first_token, first_config = _counters(4242)
    assert _counters(4242) == (first_generation, first_token, first_config)
    default_cache.delete_many(
        [cache.generation_key(4242), cache.MODEL_VERSION_KEY, cache.SERVING_CONFIG_KEY]
    )
    second_generation, second_token, second_config = _counters(4242)
    assert second_generation != first_generation and second_token != first_token
    assert second_config != first_config
    cache.invalidate_user(4242)
    assert _counters(4242)[0] != second_generation


def _generation(user_id: int) -> int:
    return int(default_cache.get(cache.generation_key(user_id)) or 0)


def test_one_path_per_write_one_bump_now_and_one_at_commit(
    model, django_capture_on_commit_callbacks
):
    """A like or a "not interested" through the services reaches the cache by one path:
    the viewer's generation moves once at once and once when the write commits."""
    from backend.interactions.services import (
        InteractionData,
        mark_not_interested,
        record_interaction,
    )

    recommend_for_user(user(1101), 5)
    _counters(1101)  # the counter exists (a missing one is made at a random value)
    writes = [
        lambda: record_interaction(user(1101), InteractionData(1030, InteractionKind.LIKE)),
        lambda: mark_not_interested(user(1101), creator_id=1004),
    ]
    for write in writes:
        before = _generation(1101)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            write()
            assert _generation(1101) == before + 1
        assert len(callbacks) == 1
        assert _generation(1101) == before + 2
        assert not recommend_for_user(user(1101), 5).cached
    before = _generation(1101)
    mark_not_interested(user(1101), creator_id=1004)  # already marked: nothing changes
    assert _generation(1101) == before
