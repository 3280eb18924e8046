"""recommend_for_user and similar_items on the fixture platform with a real tiny model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.content.models import ContentItem
from backend.interactions.models import Impression, Interaction, InteractionKind, NotInterested
from backend.recommendations.explanations import ReasonKind
from backend.recommendations.serving import (
    InvalidKnob,
    Method,
    RecommendationFilters,
    RecommendationKnobs,
    recommend_for_user,
    similar_items,
)

from .conftest import (
    BLANK_USER,
    COOKING_ITEMS,
    INTERESTED_USER,
    MUSIC_ITEMS,
    breakdown_total,
    user,
)

COOK = 1101


def _ids(result) -> list[int]:
    return result.item_ids


def test_hybrid_list_has_method_version_breakdown(model):
    result = recommend_for_user(user(COOK), 10)
    assert result.method == Method.HYBRID
    assert result.model_version == "alpha"
    assert len(result.items) == 10
    assert 0.0 <= result.diversity <= 1.0
    assert result.request_id and not result.cached
    for rec in result.items:
        assert rec.score == pytest.approx(breakdown_total(rec.breakdown), abs=1e-5)
    # A cooking reader's top pick is cooking.
    assert result.items[0].item_id in COOKING_ITEMS


def test_an_item_unpublished_behind_the_catalogue_is_not_served(model, settings):
    """A change the catalogue in memory has not heard of (an update without signals):
    the picks' liveness, asked with their names, drops the item and the list stays full."""
    settings.RECOMMENDATION_CACHE_TTL = 0
    before = _ids(recommend_for_user(user(COOK), 10))
    gone = before[:3]
    ContentItem.objects.filter(pk__in=gone).update(published_at=None)
    after = _ids(recommend_for_user(user(COOK), 10))
    assert len(after) == 10 and not set(gone) & set(after)
    # The picks re-ranked without them are served (their order may move: the re-rank's
    # diversity penalties depend on the pool).
    assert set(before) - set(gone) <= set(after) | set(before[7:])


def test_seen_items_are_excluded(model):
    seen = set(Interaction.objects.filter(user_id=COOK).values_list("item_id", flat=True))
    result = recommend_for_user(user(COOK), 40)
    assert seen and not seen & set(_ids(result))


def test_hidden_disliked_and_not_interested_are_excluded(model):
    reader = user(COOK)
    first = _ids(recommend_for_user(reader, 5, use_cache=False))
    now = timezone.now()
    Interaction.objects.create(
        user=reader, item_id=first[0], kind=InteractionKind.HIDE, occurred_at=now
    )
    Interaction.objects.create(
        user=reader, item_id=first[1], kind=InteractionKind.DISLIKE, occurred_at=now
    )
    NotInterested.objects.create(user=reader, tag_id=1003)  # jazz
    NotInterested.objects.create(user=reader, creator_id=1002)  # Chef Bo
    result = recommend_for_user(reader, 40)
    ids = set(_ids(result))
    assert first[0] not in ids and first[1] not in ids
    items = ContentItem.objects.filter(id__in=ids)
    assert not items.filter(tags__id=1003).exists()
    assert not items.filter(creator_id=1002).exists()
    assert ids


def test_filters_types_categories_exclude_ids_and_own(model):
    reader = user(COOK)
    only_music_audio = recommend_for_user(
        reader, 20, RecommendationFilters(types=("audio",), categories=(1002,))
    )
    items = ContentItem.objects.filter(id__in=_ids(only_music_audio))
    assert items.exists()
    assert set(items.values_list("type", flat=True)) == {"audio"}
    assert set(items.values_list("category_id", flat=True)) == {1002}

    top = _ids(recommend_for_user(reader, 3))
    without = _ids(recommend_for_user(reader, 20, RecommendationFilters(exclude_ids=tuple(top))))
    assert not set(top) & set(without)

    creator_user = user(1001)  # Chef Ana's account, reading as a user
    own = recommend_for_user(creator_user, 40, RecommendationFilters(exclude_own=True))
    assert not ContentItem.objects.filter(id__in=_ids(own), creator_id=1001).exists()
    assert ContentItem.objects.filter(
        id__in=_ids(recommend_for_user(creator_user, 40)), creator_id=1001
    ).exists()


def test_unknown_type_filter_is_refused(model):
    with pytest.raises(InvalidKnob) as err:
        recommend_for_user(user(COOK), 5, RecommendationFilters(types=("podcast",)))
    assert err.value.knob == "types"


@pytest.mark.parametrize(
    ("knob", "kwargs"),
    [
        ("blend", {"blend": -0.01}),
        ("blend", {"blend": 1.01}),
        ("blend", {"blend": float("nan")}),
        ("diversity", {"diversity": -0.1}),
        ("diversity", {"diversity": 1.5}),
        ("freshness_half_life_days", {"freshness_half_life_days": 0.5}),
        ("freshness_half_life_days", {"freshness_half_life_days": -1}),
        ("freshness_half_life_days", {"freshness_half_life_days": False}),
        ("freshness_half_life_days", {"freshness_half_life_days": 366}),
        ("diversity", {"diversity": "high"}),
    ],
)
def test_knobs_out_of_bounds_are_refused(db, knob, kwargs):
    with pytest.raises(InvalidKnob) as err:
        RecommendationKnobs(**kwargs).validated()
    assert err.value.knob == knob
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("first", [0, 101, -1, True, 2.5])
def test_page_size_out_of_bounds_is_refused(model, first):
    with pytest.raises(InvalidKnob) as err:
        recommend_for_user(user(COOK), first)
    assert err.value.knob == "first"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"blend": 0.0},
        {"blend": 1.0},
        {"diversity": 0.0},
        {"diversity": 1.0},
        {"freshness_half_life_days": 1},
        {"freshness_half_life_days": 365},
        {"freshness_half_life_days": 0},
    ],
)
def test_knobs_at_their_bounds_are_served(model, kwargs):
    result = recommend_for_user(user(COOK), 100, knobs=RecommendationKnobs(**kwargs))
    assert result.method == Method.HYBRID and result.items


def test_page_size_bounds_are_served(model):
    assert len(recommend_for_user(user(COOK), 1).items) == 1
    assert len(recommend_for_user(user(COOK), 100).items) <= 100


def test_blend_knob_moves_weight_between_graph_and_content(model):
    graph_only = recommend_for_user(user(COOK), 5, knobs=RecommendationKnobs(blend=0.0))
    content_only = recommend_for_user(user(COOK), 5, knobs=RecommendationKnobs(blend=1.0))
    assert all(rec.breakdown.content == 0.0 for rec in graph_only.items)
    assert all(rec.breakdown.graph == 0.0 for rec in content_only.items)


def test_diversity_knob_raises_list_diversity_and_spreads_creators(model):
    plain = recommend_for_user(user(COOK), 8, knobs=RecommendationKnobs(diversity=0.0))
    diverse = recommend_for_user(user(COOK), 8, knobs=RecommendationKnobs(diversity=1.0))
    assert all(rec.breakdown.diversity_penalty == 0.0 for rec in plain.items)
    assert diverse.diversity >= plain.diversity
    scores = [rec.score for rec in plain.items]
    assert scores == sorted(scores, reverse=True)


def test_freshness_half_life_favours_new_items(model):
    short = recommend_for_user(user(COOK), 5, knobs=RecommendationKnobs(freshness_half_life_days=1))
    long = recommend_for_user(
        user(COOK), 5, knobs=RecommendationKnobs(freshness_half_life_days=365)
    )
    # The same item is boosted more with a longer half-life.
    common = {r.item_id: r for r in long.items}
    for rec in short.items:
        if rec.item_id in common:
            assert common[rec.item_id].breakdown.freshness > rec.breakdown.freshness


def test_freshness_off_gives_no_boost(model):
    off = recommend_for_user(
        user(COOK), 10, knobs=RecommendationKnobs(diversity=0.0, freshness_half_life_days=0)
    )
    assert off.items and all(rec.breakdown.freshness == 0.0 for rec in off.items)
    scores = [rec.score for rec in off.items]
    assert scores == sorted(scores, reverse=True)


def test_cold_start_from_interests_uses_content(model):
    result = recommend_for_user(user(INTERESTED_USER), 5)
    assert result.method == Method.CONTENT
    # The user follows #jazz: music comes first.
    assert result.items[0].item_id in MUSIC_ITEMS
    assert sum(i in MUSIC_ITEMS for i in _ids(result)) >= 3


def test_cold_start_without_interests_is_trending(model):
    result = recommend_for_user(user(BLANK_USER), 5)
    assert result.method == Method.TRENDING
    assert result.model_version == "alpha"
    assert len(result.items) == 5
    assert any(r.kind == ReasonKind.TRENDING for rec in result.items for r in rec.reasons)


def test_new_item_is_recommendable_from_its_content(model):
    item = ContentItem.objects.create(
        title="Live jazz session new",
        excerpt="About live jazz session",
        type="audio",
        category_id=1002,
        creator_id=1003,
        published_at=timezone.now() - timedelta(hours=1),
    )
    item.tags.set([1003])
    music_reader = user(1116)
    result = recommend_for_user(music_reader, 10)
    assert item.pk in _ids(result)
    rec = next(r for r in result.items if r.item_id == item.pk)
    assert rec.breakdown.graph == 0.0 and rec.breakdown.content != 0.0
    assert any(r.kind == ReasonKind.NEW for r in rec.reasons)
    assert item.pk in similar_items(ContentItem.objects.get(id=1021), 10).item_ids


def test_new_interaction_changes_next_response(model):
    """A cooking reader likes a music item: it drops out and music moves up."""
    reader = user(COOK)
    before = recommend_for_user(reader, 40)
    liked = MUSIC_ITEMS[0]
    assert liked in before.item_ids

    def music_rank(result):
        return min(i for i, item in enumerate(result.item_ids) if item in MUSIC_ITEMS)

    Interaction.objects.create(
        user=reader, item_id=liked, kind=InteractionKind.LIKE, occurred_at=timezone.now()
    )
    after = recommend_for_user(reader, 40)
    assert not after.cached
    assert liked not in after.item_ids
    neighbours = similar_items(ContentItem.objects.get(id=liked), 3).item_ids
    score_before = {r.item_id: r.breakdown.graph + r.breakdown.content for r in before.items}
    score_after = {r.item_id: r.breakdown.graph + r.breakdown.content for r in after.items}
    assert any(score_after[n] > score_before[n] for n in neighbours if n in score_before)
    assert music_rank(after) <= music_rank(before)


def test_reasons_are_truthful(model):
    reader = user(COOK)
    liked = set(
        Interaction.objects.filter(
            user=reader, kind__in=[InteractionKind.LIKE, InteractionKind.SAVE]
        ).values_list("item_id", flat=True)
    )
    result = recommend_for_user(reader, 20)
    kinds = {r.kind for rec in result.items for r in rec.reasons}
    assert ReasonKind.SIMILAR_TO_LIKED in kinds
    for rec in result.items:
        item = ContentItem.objects.get(id=rec.item_id)
        for reason in rec.reasons:
            assert reason.text
            if reason.kind == ReasonKind.SIMILAR_TO_LIKED:
                assert reason.evidence_type == "item"
                assert set(reason.evidence_ids) <= liked
            if reason.kind == ReasonKind.CREATOR_YOU_ENGAGE_WITH:
                assert reason.evidence_ids == (item.creator_id,)
                assert Interaction.objects.filter(
                    user=reader, item__creator_id=item.creator_id
                ).exists()


def test_tag_you_follow_cites_a_followed_tag(model):
    result = recommend_for_user(user(INTERESTED_USER), 10)
    cited = [r for rec in result.items for r in rec.reasons if r.kind == ReasonKind.TAG_YOU_FOLLOW]
    assert cited
    assert all(r.evidence_ids == (1003,) and r.evidence_type == "tag" for r in cited)


def test_similar_items(model):
    result = similar_items(ContentItem.objects.get(id=1001), 5)
    assert len(result.items) == 5 and 1001 not in result.item_ids
    assert result.model_version == "alpha"
    assert sum(i in COOKING_ITEMS for i in result.item_ids) >= 3


def test_similar_items_without_model_share_tags(platform):
    result = similar_items(ContentItem.objects.get(id=1001), 5)
    assert result.method == Method.FALLBACK
    assert set(result.item_ids) <= set(COOKING_ITEMS)
    assert ContentItem.objects.filter(id=result.item_ids[0], tags__id=1001).exists()


def test_served_lists_are_logged_as_impressions(model):
    result = recommend_for_user(user(COOK), 6)
    rows = list(Impression.objects.filter(request_id=result.request_id).order_by("position"))
    assert [r.item_id for r in rows] == result.item_ids
    assert [r.position for r in rows] == list(range(6))
    assert {r.method for r in rows} == {"hybrid"}
    assert {r.model_version for r in rows} == {"alpha"}
    assert {r.variant for r in rows} == {""}
    again = recommend_for_user(user(COOK), 6)
    assert again.cached and again.request_id != result.request_id
    assert Impression.objects.filter(request_id=again.request_id).count() == 6
    recommend_for_user(user(COOK), 6, log=False)
    assert Impression.objects.count() == 12


def test_a_profile_reads_acts_refusals_and_interests_in_one_round_trip(
    model, django_assert_num_queries
):
    from backend.content.models import Category, Tag
    from backend.recommendations.profile import read_profile

    reader = user(COOK)
    NotInterested.objects.create(user=reader, tag_id=1003)
    NotInterested.objects.create(user=reader, creator_id=1002)
    tags = list(Tag.objects.order_by("id").values_list("id", flat=True)[:2])
    category = Category.objects.order_by("id").values_list("id", flat=True).first()
    reader.interested_tags.set(tags)
    reader.interested_categories.set([category])
    # the user's acts, refusals and interests together
    with django_assert_num_queries(1):
        profile = read_profile(reader, RecommendationFilters(exclude_own=False))
    assert profile.blocked_tags == {1003} and profile.blocked_creators == {1002}
    assert profile.interest_tags == sorted(tags)
    assert profile.interest_categories == [category]
    acts = Interaction.objects.filter(user=reader).order_by("occurred_at", "id")
    expected = [(i.item_id, i.occurred_at.timestamp(), i.item.creator_id) for i in acts]
    assert [(a[0], a[2], a[3]) for a in profile.acts] == expected  # oldest first, as stored
    assert profile.seen == {a[0] for a in profile.acts}


def test_evidence_is_named_in_one_round_trip(model, django_assert_num_queries):
    from backend.content.models import Creator, Tag
    from backend.recommendations.explanations import _names

    item = ContentItem.objects.order_by("id").first()
    tag = Tag.objects.order_by("id").first()
    creator = Creator.objects.order_by("id").first()
    hidden = ContentItem.objects.exclude(pk=item.pk).order_by("id").first()
    ContentItem.objects.filter(pk=hidden.pk).update(published_at=None)  # unpublished since
    with django_assert_num_queries(1):
        names = _names({item.pk}, {tag.pk}, {creator.pk}, [item.pk, hidden.pk], timezone.now())
    assert names.titles == {item.pk: item.title} and names.tags == {tag.pk: tag.name}
    assert names.creators == {creator.pk: creator.display_name}
    assert names.live == {item.pk}
    # a part with nothing to name keeps the others in their places
    with django_assert_num_queries(1):
        names = _names({item.pk}, set(), {creator.pk})
    assert names.titles == {item.pk: item.title} and names.tags == {}
    assert names.creators == {creator.pk: creator.display_name} and names.live is None
    with django_assert_num_queries(0):
        names = _names(set(), set(), set())
    assert (names.titles, names.tags, names.creators) == ({}, {}, {})
