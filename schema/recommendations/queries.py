"""Recommendations for the viewer, similar items, model runs and cache counters."""

from __future__ import annotations

from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from graphql import GraphQLError

from backend.accounts.models import User
from backend.apikeys.models import Scope
from backend.recommendations import atlas, retraining, serving, source_shares
from backend.recommendations import cache as recommendation_cache
from backend.recommendations.models import ModelVersion as ModelVersionModel
from backend.recommendations.models import TrainingRun as TrainingRunModel
from schema.context import Info
from schema.errors import input_error, knob_error
from schema.ids import parse_id, parse_ids
from schema.permissions import SignedIn, Staff, signed_in_or_key
from schema.recommendations.types import (
    AtlasPoint,
    AtlasPointKind,
    BanditState,
    CacheStats,
    EmbeddingAtlas,
    ModelVersion,
    RecommendationContext,
    RecommendationFilters,
    RecommendationKnobs,
    RecommendationList,
    RetrainingSchedule,
    SourceSharesAt,
    TrainingRun,
    recommendation_list,
    source_share,
)
from schema.response_cache import ServedList
from schema.throttle import Throttled

__all__ = ["RecommendationsQuery", "recommendations_for"]

DEFAULT_FIRST = 20
MAX_RUNS = 100
SEGMENT_MAX = 16


def _service_arguments(
    filters: RecommendationFilters | None, knobs: RecommendationKnobs | None
) -> tuple[serving.RecommendationFilters, serving.RecommendationKnobs | None]:
    """The service's filters and knobs; no knobs (``None``) when the client sent none, so
    that the viewer's configuration (an experiment variant's, a surface default's) holds."""
    filters = filters or RecommendationFilters()
    try:
        service_filters = serving.RecommendationFilters(
            types=tuple(t.value for t in filters.types or []),
            categories=tuple(parse_ids(filters.category_ids or [], "category_ids")),
            exclude_ids=tuple(parse_ids(filters.exclude_ids or [], "exclude_ids")),
            exclude_own=bool(filters.exclude_own),
        )
    except ValidationError as exc:
        raise input_error(exc, prefix="filters") from exc
    if knobs is None:
        return service_filters, None
    # Knobs the client left out keep the service's defaults (a null blend is meaningful:
    # "the model's own blend", which is also the service's default).
    optional = {
        "diversity": knobs.diversity,
        "freshness_half_life_days": knobs.freshness_half_life_days,
    }
    service_knobs = serving.RecommendationKnobs(
        blend=knobs.blend, **{name: v for name, v in optional.items() if v is not None}
    )
    return service_filters, service_knobs


async def _platform_user(external_id: str) -> User:
    user = await User.objects.filter(external_id=external_id, is_active=True).afirst()
    if user is None:
        raise input_error(
            ValidationError({"for_user": [f"No platform user with id {external_id!r}."]})
        )
    return user


def _knob_error(exc: serving.InvalidKnob, prefix: str = "") -> GraphQLError:
    """``exc`` as a GraphQL error naming the argument; its text minus the knob's name."""
    return knob_error(exc.knob, str(exc).split(": ", 1)[-1], prefix)


async def recommendations_for(
    viewer: User,
    first: int,
    filters: RecommendationFilters | None,
    knobs: RecommendationKnobs | None,
    info: Info,
    context: RecommendationContext | None = None,
) -> RecommendationList:
    """The viewer's list through the service, with its argument errors named for GraphQL;
    the list is noted in the context's ``served_lists``, at its place in the result."""
    service_filters, service_knobs = _service_arguments(filters, knobs)
    moment = None
    if context is not None:
        moment = serving.RequestContext(local_hour=context.local_hour, device=context.device)
    try:
        result = await sync_to_async(serving.recommend_for_user)(
            viewer, first, service_filters, service_knobs, context=moment
        )
    except serving.InvalidKnob as exc:
        prefix = "" if exc.knob == "first" else ("filters" if exc.knob == "types" else "knobs")
        raise _knob_error(exc, prefix) from exc
    except serving.InvalidContext as exc:
        raise knob_error(exc.field, str(exc).split(": ", 1)[-1], "context") from exc
    info.context.served_lists.append(
        ServedList(
            request_id=result.request_id,
            item_ids=tuple(result.item_ids),
            method=result.method.value,
            model_version=result.model_version,
            variant=result.variant,
            path=tuple(info.path.as_list()),
            sources=tuple(result.sources) if any(result.sources) else (),
        )
    )
    return recommendation_list(result)


@strawberry.type
class RecommendationsQuery:
    @strawberry.field(
        permission_classes=[signed_in_or_key(Scope.RECOMMEND, acting_for="for_user")],
        extensions=[Throttled("recommendations")],
        description=(
            "What the viewer should see next: up to `first` items (1..100) they have not "
            "seen, hidden or ruled out, each with reasons and a score breakdown. Requires "
            "login, or an API key with the recommend scope naming the user in `forUser`."
        ),
    )
    async def recommendations(
        self,
        info: Info,
        first: int = DEFAULT_FIRST,
        filters: RecommendationFilters | None = None,
        knobs: RecommendationKnobs | None = None,
        context: RecommendationContext | None = None,
        for_user: Annotated[
            str | None,
            strawberry.argument(
                description="The platform's own id of the user the list is for (API keys "
                "only; a signed-in person gets their own list)."
            ),
        ] = None,
    ) -> RecommendationList:
        if for_user is not None:
            viewer = await _platform_user(for_user)
        else:
            viewer = await info.context.user()
        return await recommendations_for(viewer, first, filters, knobs, info, context)

    @strawberry.field(
        extensions=[Throttled("similarItems")],
        description="Items most like the given one (never itself), best first.",
    )
    async def similar_items(
        self, info: Info, item_id: strawberry.ID, first: int = 10
    ) -> RecommendationList:
        try:
            pk = parse_id(item_id, "item_id")
        except ValidationError as exc:
            raise input_error(exc) from exc
        item = await info.context.loaders.content_item_by_id.load(pk)
        if item is None:
            raise input_error(ValidationError({"item_id": [f"No published item with id {pk}."]}))
        try:
            result = await sync_to_async(serving.similar_items)(item, first)
        except serving.InvalidKnob as exc:
            raise _knob_error(exc) from exc
        return recommendation_list(result)

    @strawberry.field(
        permission_classes=[SignedIn],
        description="Recent training runs, newest first (at most 100).",
    )
    async def training_runs(self, info: Info, first: int = 20) -> list[TrainingRun]:
        first = max(1, min(first, MAX_RUNS))
        return await sync_to_async(list)(TrainingRunModel.objects.all()[:first])

    @strawberry.field(
        permission_classes=[SignedIn],
        description="Trained model versions, newest first; one is active.",
    )
    async def model_versions(self, info: Info, first: int = 20) -> list[ModelVersion]:
        first = max(1, min(first, MAX_RUNS))
        queryset = ModelVersionModel.objects.select_related("training_run")
        return await sync_to_async(list)(queryset[:first])

    @strawberry.field(
        permission_classes=[SignedIn],
        description="The model version serving recommendations now, if any.",
    )
    async def active_model(self, info: Info) -> ModelVersion | None:
        queryset = ModelVersionModel.objects.select_related("training_run")
        return await sync_to_async(queryset.filter(is_active=True).first)()

    @strawberry.field(
        permission_classes=[SignedIn],
        description="The retraining schedule: its settings, the last run and the next.",
    )
    async def retraining_schedule(self, info: Info) -> RetrainingSchedule:
        plan = await sync_to_async(retraining.retraining_plan)()
        return RetrainingSchedule(
            enabled=plan.enabled,
            interval_seconds=plan.interval_s or None,
            min_new_feedback=plan.min_feedback or None,
            check_seconds=plan.check_s,
            new_feedback=plan.new_feedback,
            last_run_at=plan.last_run_at,
            last_trigger=plan.last_trigger,
            next_run_at=plan.next_run_at,
        )

    @strawberry.field(
        permission_classes=[SignedIn],
        description=(
            "The embedding atlas of the active model (null without one). Made once per "
            "model version; the first request after a promotion may take a few seconds."
        ),
    )
    async def embedding_atlas(self, info: Info) -> EmbeddingAtlas | None:
        document = await sync_to_async(atlas.active_atlas)()
        if document is None:
            return None
        return EmbeddingAtlas(
            model_version=document["model_version"],
            method=document["method"],
            points=[
                AtlasPoint(
                    kind=AtlasPointKind(point["kind"]),
                    id=strawberry.ID(str(point["id"])),
                    label=point["label"],
                    x=point["x"],
                    y=point["y"],
                    category_id=None
                    if point.get("category_id") is None
                    else strawberry.ID(str(point["category_id"])),
                    category_name=point.get("category_name"),
                )
                for point in document["points"]
            ],
        )

    @strawberry.field(
        permission_classes=[SignedIn, Staff],
        description="Served-list cache hits and misses. Staff only.",
    )
    async def cache_stats(self, info: Info) -> CacheStats:
        stats = await sync_to_async(recommendation_cache.cache_stats)()
        return CacheStats(
            hits=stats.hits, misses=stats.misses, requests=stats.requests, hit_rate=stats.hit_rate
        )

    @strawberry.field(
        permission_classes=[SignedIn, Staff],
        description=(
            "The exploration bandit: each candidate source's posterior now and after each of "
            "the `history` latest counts of outcomes (1..500), for the reader `segment` "
            "(empty: every reader). Staff only."
        ),
    )
    async def bandit_state(self, info: Info, segment: str = "", history: int = 100) -> BanditState:
        if len(segment) > SEGMENT_MAX:
            raise input_error(
                ValidationError({"segment": [f"Use at most {SEGMENT_MAX} characters."]})
            )
        if not 1 <= history <= source_shares.HISTORY_MAX:
            raise input_error(
                ValidationError({"history": [f"Give 1 to {source_shares.HISTORY_MAX} counts."]})
            )
        return await sync_to_async(_bandit_state)(segment, history)


def _bandit_state(segment: str, history: int) -> BanditState:
    shares, updated_at = source_shares.current_shares(segment)
    return BanditState(
        segment=segment,
        segments=source_shares.segments(),
        enabled=bool(getattr(settings, "RECOMMENDATION_BANDIT", False)),
        updated_at=updated_at,
        sources=[source_share(s) for s in shares],
        history=[
            SourceSharesAt(taken_at=point.taken_at, sources=[source_share(s) for s in point.shares])
            for point in source_shares.share_history(segment, history)
        ],
    )
