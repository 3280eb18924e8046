"""The moment of a request in the ranking: models trained through the product's export on
the fixture platform, once with a context that says which items are read when (videos on
phones in the morning, the rest on desktops in the evening), once with one that says
nothing (every act recorded in both moments)."""

from __future__ import annotations

import pytest
from django.db import transaction

from backend.accounts.models import User
from backend.content.models import ContentItem
from backend.interactions.models import Interaction
from backend.recommendations.context import RequestContext
from backend.recommendations.explanations import ReasonKind
from backend.recommendations.registry import registry
from backend.recommendations.serving import (
    FRESHNESS_OFF,
    InvalidContext,
    RecommendationKnobs,
    recommend_for_user,
)

from .conftest import (
    COOKING_ITEMS,
    breakdown_total,
    build_platform,
    register,
    train_artifact,
    user,
)

COOK = 1101
RERANKING_OFF = RecommendationKnobs(diversity=0.0, freshness_half_life_days=FRESHNESS_OFF)
MORNING_PHONE = RequestContext(local_hour=8, device="mobile")
EVENING_DESKTOP = RequestContext(local_hour=21, device="desktop")


def record_moments(informative: bool) -> None:
    """Give every act of the fixture platform a context."""
    acts = Interaction.objects.select_related("item")
    if informative:
        videos = acts.filter(item__type="video")
        videos.update(local_hour=8, device="mobile")
        acts.exclude(item__type="video").update(local_hour=21, device="desktop")
        return
    copies = []
    for act in acts:
        copies.append(
            Interaction(
                user_id=act.user_id,
                item_id=act.item_id,
                kind=act.kind,
                occurred_at=act.occurred_at,
                local_hour=21,
                device="desktop",
            )
        )
    acts.update(local_hour=8, device="mobile")
    Interaction.objects.bulk_create(copies)


@pytest.fixture(scope="module")
def moment_artifacts(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("context-models")
    paths = {}
    with django_db_blocker.unblock():
        for name, informative in (("moments", True), ("no-moments", False)):
            with transaction.atomic():
                build_platform()
                record_moments(informative)
                paths[name] = train_artifact(root, name=name)
                transaction.set_rollback(True)
    return paths


@pytest.fixture
def informative(db, moment_artifacts):
    build_platform()
    record_moments(True)
    register(moment_artifacts["moments"])


@pytest.fixture
def uninformative(db, moment_artifacts):
    build_platform()
    record_moments(False)
    register(moment_artifacts["no-moments"])


def _served(context=None, first=8):
    return recommend_for_user(
        user(COOK), first, knobs=RERANKING_OFF, use_cache=False, log=False, context=context
    )


def _videos(result) -> int:
    return ContentItem.objects.filter(pk__in=result.item_ids, type="video").count()


def test_the_morning_on_a_phone_gets_another_list_than_the_evening_on_a_desktop(informative):
    model = registry.current().model
    assert model.context_weight > 0  # chosen on the validation split of the training data
    morning, evening = _served(MORNING_PHONE), _served(EVENING_DESKTOP)
    assert morning.item_ids != evening.item_ids
    assert _videos(morning) > _videos(evening)
    # the term lifts videos in the morning on a phone and the other items in the evening
    videos = set(ContentItem.objects.filter(type="video").values_list("id", flat=True))
    assert {r.item_id for r in morning.items if r.breakdown.context > 0} <= videos
    assert any(r.breakdown.context > 0 for r in morning.items)
    assert all((r.breakdown.context > 0) == (r.item_id not in videos) for r in evening.items)
    for rec in morning.items + evening.items:
        assert rec.score == pytest.approx(breakdown_total(rec.breakdown), abs=1e-5)


def test_an_item_the_moment_lifted_says_so(informative):
    morning = _served(MORNING_PHONE)
    cited = [
        (rec, reason)
        for rec in morning.items
        for reason in rec.reasons
        if reason.kind == ReasonKind.FITS_THE_MOMENT
    ]
    assert cited
    for rec, reason in cited:
        assert rec.breakdown.context >= 0.1
        assert reason.text == "Items like this are read more on mobile in the morning"
        category = ContentItem.objects.get(pk=rec.item_id).category_id
        assert reason.evidence_type == "category" and reason.evidence_ids == (category,)
    assert not any(
        reason.kind == ReasonKind.FITS_THE_MOMENT
        for rec in _served().items
        for reason in rec.reasons
    )


def test_a_request_without_context_is_ranked_as_before(informative):
    plain = _served()
    assert all(rec.breakdown.context == 0.0 for rec in plain.items)
    model = registry.current().model
    weight, model.context_weight = model.context_weight, 0.0
    try:
        without = _served()
        # with the term's weight at 0 a context changes nothing either
        assert _served(MORNING_PHONE).item_ids == without.item_ids
    finally:
        model.context_weight = weight
    assert [(r.item_id, r.score) for r in plain.items] == [
        (r.item_id, r.score) for r in without.items
    ]


def test_half_a_context_uses_its_margin(informative):
    hour_only = _served(RequestContext(local_hour=8))
    device_only = _served(RequestContext(device="mobile"))
    assert any(r.breakdown.context > 0 for r in hour_only.items)
    assert any(r.breakdown.context > 0 for r in device_only.items)


def test_where_the_context_says_nothing_the_lists_are_the_same(uninformative):
    morning, evening, plain = _served(MORNING_PHONE), _served(EVENING_DESKTOP), _served()
    assert morning.item_ids == evening.item_ids == plain.item_ids
    assert all(r.breakdown.context == 0.0 for r in morning.items + evening.items)


def test_the_cached_list_is_kept_per_hour_band_and_device(informative, settings):
    settings.RECOMMENDATION_CACHE_TTL = 600
    reader = user(COOK)

    def serve(context):
        return recommend_for_user(reader, 8, context=context, log=False)

    assert not serve(MORNING_PHONE).cached
    assert serve(RequestContext(local_hour=10, device="mobile")).cached  # same band
    assert not serve(RequestContext(local_hour=13, device="mobile")).cached
    assert not serve(EVENING_DESKTOP).cached
    assert not serve(RequestContext(local_hour=8, device="tablet")).cached
    assert not serve(None).cached


@pytest.mark.parametrize(
    ("context", "field", "message"),
    [
        (RequestContext(local_hour=24), "local_hour", "must be an integer from 0 to 23, got 24"),
        (RequestContext(local_hour=-1), "local_hour", "must be an integer from 0 to 23"),
        (RequestContext(local_hour=True), "local_hour", "must be an integer"),
        (
            RequestContext(device="fridge"),
            "device",
            "must be one of mobile, tablet, desktop, tv, got 'fridge'",
        ),
    ],
)
def test_a_context_out_of_bounds_is_refused(db, context, field, message):
    with pytest.raises(InvalidContext, match=message) as caught:
        recommend_for_user(User.objects.create(username="someone"), 5, context=context)
    assert caught.value.field == field


def test_the_cooking_reader_still_gets_cooking(informative):
    assert sum(i in COOKING_ITEMS for i in _served(EVENING_DESKTOP).item_ids) >= 5
