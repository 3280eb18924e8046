"""GraphQL types of served recommendations and of the models that make them."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry
import strawberry_django
from strawberry.scalars import JSON

from backend.recommendations import models, serving, source_shares
from backend.recommendations.context import DEVICES
from backend.recommendations.explanations import ReasonKind as ServiceReasonKind
from backend.recommendations.sources import SOURCES
from schema.content.types import ContentItem, ContentType
from schema.context import Info

__all__ = [
    "AtlasPoint",
    "AtlasPointKind",
    "BanditState",
    "CacheStats",
    "CandidateSource",
    "EmbeddingAtlas",
    "ModelVersion",
    "Reason",
    "ReasonKind",
    "Recommendation",
    "RecommendationContext",
    "RecommendationFilters",
    "RecommendationKnobs",
    "RecommendationList",
    "RecommendationMethod",
    "ScoreBreakdown",
    "SourceShare",
    "SourceSharesAt",
    "TrainingRun",
    "recommendation_list",
]

RecommendationMethod = strawberry.enum(
    Enum("RecommendationMethod", {m.name: m.value for m in serving.Method}),
    description=(
        "How a list was made. HYBRID: the graph model blended with the content tower. "
        "CONTENT: from declared interests through the content tower (a user without "
        "history). TRENDING: popular lately (no history, no interests). FALLBACK: trending "
        "because no model is loaded or it failed to load."
    ),
)
ReasonKind = strawberry.enum(
    Enum("ReasonKind", {k.name: k.value for k in ServiceReasonKind}),
    description=(
        "Why an item was recommended, or (SIMILAR_TO_ITEM, SHARES_TAGS, SAME_CREATOR, "
        "SAME_CATEGORY) why it is among another item's similar items."
    ),
)

CandidateSource = strawberry.enum(
    Enum("CandidateSource", {source.upper(): source for source in SOURCES}),
    description=(
        "Where the exploration bandit takes a list's items from. GRAPH: the graph model's "
        "collaborative score. CONTENT: the content tower. TRENDING: popular lately. "
        "NEW_ITEMS: published in the last week and seldom shown. NEW_CREATORS: items of "
        "creators who debuted in the last 30 days."
    ),
)


@strawberry.type(description="One reason an item is in the list, with the evidence it cites.")
class Reason:
    kind: ReasonKind
    text: str = strawberry.field(description="A short sentence for people, e.g. for a chip.")
    evidence_type: str = strawberry.field(
        description="What `evidenceIds` are: `item`, `tag`, `creator`, `category`, or empty."
    )
    evidence_ids: list[strawberry.ID] = strawberry.field(
        description=(
            "Ids of what is cited: liked items, followed tags or engaged creators; for a "
            "similar item, the item it is similar to, or the tags, creator or category they share."
        )
    )


@strawberry.type(
    description=(
        "The parts of a score: score = graph + content + popularity + freshness + context "
        "- fatiguePenalty - diversityPenalty."
    )
)
class ScoreBreakdown:
    graph: float = strawberry.field(
        description="Collaborative part, from the graph model, at median popularity."
    )
    content: float = strawberry.field(
        description=(
            "Content part: the content tower (tags, category, text) and, for an item nobody "
            "has consumed yet, how well its tags match the tags of what the user consumed."
        )
    )
    popularity: float = strawberry.field(
        description=(
            "What the item's popularity adds: in model lists, its graph score beyond that of "
            "an item of median popularity (negative for niche items); in trending lists, the "
            "trending score."
        )
    )
    freshness: float = strawberry.field(description="Boost for recently published items.")
    context: float = strawberry.field(
        description=(
            "What the moment of the request (its `context`: local hour, device) adds, or takes "
            "when items like this are read less then; 0 without a context."
        )
    )
    fatigue_penalty: float = strawberry.field(
        description=(
            "What the item's recent impressions to the viewer, none of them engaged with, "
            "take off (0 for an item shown at most once)."
        )
    )
    diversity_penalty: float = strawberry.field(
        description="What diversity re-ranking took off (similar items, same creator)."
    )


@strawberry.type(description="One recommended item with its score and the reasons for it.")
class Recommendation:
    item_id: strawberry.Private[int]
    score: float = strawberry.field(description="Final ranking score; higher ranks first.")
    reasons: list[Reason]
    breakdown: ScoreBreakdown

    @strawberry.field(description="The recommended item.")
    async def item(self, info: Info) -> ContentItem | None:
        return await info.context.loaders.content_item_by_id.load(self.item_id)


@strawberry.type(description="A served list of recommendations and how it was made.")
class RecommendationList:
    method: RecommendationMethod
    model_version: str = strawberry.field(description="Model version used; empty without one.")
    diversity: float = strawberry.field(
        description="Intra-list diversity: mean pairwise distance of the items (0..1)."
    )
    cached: bool = strawberry.field(description="Whether the list came from the cache.")
    request_id: str = strawberry.field(description="Id under which impressions were logged.")
    items: list[Recommendation]


def recommendation_list(result: serving.RecommendationList) -> RecommendationList:
    return RecommendationList(
        method=RecommendationMethod(result.method.value),
        model_version=result.model_version,
        diversity=result.diversity,
        cached=result.cached,
        request_id=result.request_id,
        items=[
            Recommendation(
                item_id=rec.item_id,
                score=rec.score,
                reasons=[
                    Reason(
                        kind=ReasonKind(reason.kind.value),
                        text=reason.text,
                        evidence_type=reason.evidence_type,
                        evidence_ids=[strawberry.ID(str(i)) for i in reason.evidence_ids],
                    )
                    for reason in rec.reasons
                ],
                breakdown=ScoreBreakdown(
                    graph=rec.breakdown.graph,
                    content=rec.breakdown.content,
                    popularity=rec.breakdown.popularity,
                    freshness=rec.breakdown.freshness,
                    context=rec.breakdown.context,
                    fatigue_penalty=rec.breakdown.fatigue_penalty,
                    diversity_penalty=rec.breakdown.diversity_penalty,
                ),
            )
            for rec in result.items
        ],
    )


@strawberry.input(description="What may appear in the list. Empty lists mean no restriction.")
class RecommendationFilters:
    types: list[ContentType] | None = strawberry.field(
        default=None, description="Only these kinds of content."
    )
    category_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only items in these categories."
    )
    exclude_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Never these items (e.g. already on screen)."
    )
    exclude_own: bool = strawberry.field(
        default=False, description="Leave out items the viewer published as a creator."
    )


@strawberry.input(description="Per-request tuning of the ranking; each knob is bounded.")
class RecommendationKnobs:
    blend: float | None = strawberry.field(
        default=None,
        description=(
            "Share of the content score, 0 (graph only) to 1 (content only); "
            "null keeps the blend the model learned."
        ),
    )
    diversity: float | None = strawberry.field(
        default=None,
        description=(
            "0 (pure relevance) to 1 (strongest diversification: similar items, the same "
            "creator and the same category each cost the more the higher the knob)."
        ),
    )
    freshness_half_life_days: float | None = strawberry.field(
        default=None,
        description=(
            "Days after which an item keeps half its freshness boost (1..365); 0 turns the "
            "boost off (with diversity 0: the model's own ranking, no re-ranking)."
        ),
    )


@strawberry.input(
    description=(
        "When and on what the list will be read, as the client sees it: the ranking lifts the "
        "kinds of items read more at that hour on that device. Either part may be left out."
    )
)
class RecommendationContext:
    local_hour: int | None = strawberry.field(
        default=None, description="Hour of day on the client's clock, 0..23."
    )
    device: str | None = strawberry.field(
        default=None,
        description=f"Device class: one of {', '.join(DEVICES)}.",
    )


@strawberry.type(description="Served-list cache counters, summed over all server processes.")
class CacheStats:
    hits: int
    misses: int
    requests: int
    hit_rate: float = strawberry.field(description="hits / requests, 0 when no requests.")


@strawberry_django.type(models.TrainingRun, description="One training of the recommender.")
class TrainingRun:
    id: strawberry.ID
    status: str = strawberry_django.field(description="running, succeeded or failed.")
    params: JSON = strawberry_django.field(description="Options and model settings.")
    loss_curve: list[float] = strawberry_django.field(
        description="Validation recall@20 after each step of the recipe's search."
    )
    metrics: JSON = strawberry_django.field(
        description="Validation metrics: recall@K, ndcg@K, coverage, diversity, novelty."
    )
    num_users: int
    num_items: int
    num_interactions: int = strawberry_django.field(description="User-item pairs trained on.")
    error: str
    started_at: dt.datetime
    finished_at: dt.datetime | None


@strawberry.type(
    description=(
        "Scheduled retraining on the task queue's workers: train again every "
        "`intervalSeconds` since the last training run, or once `minNewFeedback` "
        "interactions arrived since it; each promoted through the same gate as a manual run."
    )
)
class RetrainingSchedule:
    enabled: bool = strawberry.field(description="Whether either trigger is configured.")
    interval_seconds: int | None = strawberry.field(
        description="Seconds between trainings; null: no time schedule."
    )
    min_new_feedback: int | None = strawberry.field(
        description="New interactions that trigger a training; null: no such trigger."
    )
    check_seconds: int = strawberry.field(description="How often the schedule is checked.")
    new_feedback: int = strawberry.field(
        description="Interactions since the last training run (0 without that trigger)."
    )
    last_run_at: dt.datetime | None = strawberry.field(
        description="When the last training run started, whoever asked for it."
    )
    last_trigger: str | None = strawberry.field(
        description="What started it: manual, schedule or feedback."
    )
    next_run_at: dt.datetime | None = strawberry.field(
        description="When the schedule trains next; null when only new feedback can."
    )


@strawberry_django.type(models.ModelVersion, description="A trained model artifact.")
class ModelVersion:
    id: strawberry.ID
    version: str
    metrics: JSON
    is_active: bool
    created_at: dt.datetime
    promoted_at: dt.datetime | None
    rolled_back_at: dt.datetime | None
    training_run: TrainingRun | None


@strawberry.enum(description="What a point of the embedding atlas stands for.")
class AtlasPointKind(Enum):
    ITEM = "item"
    USER = "user"
    TAG = "tag"


@strawberry.type(description="One point of the embedding atlas.")
class AtlasPoint:
    kind: AtlasPointKind
    id: strawberry.ID = strawberry.field(
        description="Item or tag id; for readers an anonymous number, not an account id."
    )
    label: str = strawberry.field(description="Item title, #tag, or 'A reader'.")
    x: float
    y: float
    category_id: strawberry.ID | None = strawberry.field(description="Items: their category.")
    category_name: str | None


@strawberry.type(
    description=(
        "A 2-D map (t-SNE, cosine) of a sample of the active model's items, readers and "
        "tags: points close together would be recommended together."
    )
)
class EmbeddingAtlas:
    model_version: str
    method: str
    points: list[AtlasPoint]


@strawberry.type(
    description=(
        "The bandit's belief about one candidate source: a Beta(alpha, beta) posterior of "
        "the chance that an item it places is clicked, liked or saved."
    )
)
class SourceShare:
    source: CandidateSource
    alpha: float = strawberry.field(description="1 plus the engaged impressions counted.")
    beta: float = strawberry.field(description="1 plus the impressions not engaged.")
    mean: float = strawberry.field(description="Posterior mean engagement rate, 0..1.")
    low: float = strawberry.field(description="Lower end of the 95% credible interval.")
    high: float = strawberry.field(description="Upper end of the 95% credible interval.")
    slot_share: float = strawberry.field(
        description=(
            "Chance that this source's Thompson draw is the best: the share of a list's slots "
            "the bandit gives it, before candidate caps and the slots kept for new items and "
            "new creators. The sources' shares sum to 1."
        )
    )
    shown: int = strawberry.field(description="Impressions counted (0 in the history).")
    engaged: int = strawberry.field(description="Of those, engaged with (0 in the history).")


def source_share(share: source_shares.SourceShare) -> SourceShare:
    return SourceShare(
        source=CandidateSource(share.source),
        alpha=share.alpha,
        beta=share.beta,
        mean=share.mean,
        low=share.low,
        high=share.high,
        slot_share=share.slot_share,
        shown=share.shown,
        engaged=share.engaged,
    )


@strawberry.type(description="Every source's posterior after one count of outcomes.")
class SourceSharesAt:
    taken_at: dt.datetime
    sources: list[SourceShare]


@strawberry.type(description="The exploration bandit over candidate sources, for staff.")
class BanditState:
    segment: str = strawberry.field(
        description="The reader segment shown (a list method), or empty for every reader."
    )
    segments: list[str] = strawberry.field(description="Segments with arms; empty is all.")
    enabled: bool = strawberry.field(
        description=(
            "Whether lists that name no source mix are made by the bandit "
            "(RECOMMENDATION_BANDIT); experiment variants may turn it on for their users."
        )
    )
    updated_at: dt.datetime | None = strawberry.field(
        description="When outcomes last changed an arm of this segment; null before any."
    )
    sources: list[SourceShare] = strawberry.field(description="Each source's posterior now.")
    history: list[SourceSharesAt] = strawberry.field(
        description="The posteriors after each of the latest counts of outcomes, oldest first."
    )
