"""GraphQL types of experiments and their results, derived from the services' dataclasses
(``backend/experiments/services.py`` and ``results.py``); inputs for creating one."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from backend.experiments import results, services, statistics
from backend.experiments.models import Experiment as ExperimentModel
from backend.recommendations.config import Surface
from schema.derived import graphql_type
from schema.recommendations.types import RecommendationKnobs

__all__ = [
    "Experiment",
    "ExperimentInput",
    "ExperimentResults",
    "ExperimentStatus",
    "ExperimentSurface",
    "ServingConfigInput",
    "SourceMixInput",
    "VariantInput",
]

ExperimentStatus = strawberry.enum(
    Enum("ExperimentStatus", {s.name: s.value for s in ExperimentModel.Status}),
    description="DRAFT → RUNNING ⇄ PAUSED → STOPPED; SHIPPED once a variant became the default.",
)
ExperimentSurface = strawberry.enum(
    Enum("ExperimentSurface", {s.name: s.value for s in Surface}),
    description="Where the experiment's lists are shown.",
)


def _excludes_zero(self: Any) -> bool:
    return self.low > 0 or self.high < 0


Estimate = graphql_type(
    statistics.Estimate,
    name="Estimate",
    extra={
        "excludes_zero": strawberry.field(
            resolver=_excludes_zero,
            description="The interval lies wholly above or below 0 (for a difference: "
            "significant at the 5% level).",
        )
    },
)
Variant = graphql_type(
    services.VariantView,
    name="ExperimentVariant",
    fields={
        "label": strawberry.field(description="What impressions record: experiment:variant."),
        "config": strawberry.field(
            description="The serving configuration: model_version, knobs (blend, diversity, "
            "freshness_half_life_days), source_mix (graph, content, trending, new_items, "
            "new_creators; null: the ranking's own) and bandit."
        ),
    },
)
Experiment = graphql_type(
    services.ExperimentView,
    name="Experiment",
    types_={"status": ExperimentStatus, "surface": ExperimentSurface},
    fields={"shipped_variant": strawberry.field(description="The variant shipped, if any.")},
)
Metrics = graphql_type(
    results.Metrics,
    name="ExperimentMetrics",
    fields={
        "ctr": strawberry.field(
            description="Opened impressions / impressions (an attributed click or view), "
            "with its Wilson 95% interval."
        ),
        "like_rate": strawberry.field(description="Liked impressions / impressions (Wilson)."),
        "hide_rate": strawberry.field(description="Hidden impressions / impressions (Wilson)."),
        "mean_dwell_ms": strawberry.field(
            description="Mean attributed dwell time (ms) with its normal 95% interval; null "
            "below two dwell times."
        ),
    },
)
Comparison = graphql_type(results.Comparison, name="ExperimentComparison")
DayResult = graphql_type(results.DayResult, name="ExperimentDay")
VariantResult = graphql_type(results.VariantResult, name="VariantResults")
SampleRatio = graphql_type(results.SampleRatio, name="SampleRatioCheck")
ExperimentResults = graphql_type(results.ExperimentResults, types_={"status": ExperimentStatus})


@strawberry.input(description="Relative weights (0..1) of the candidate sources in a list.")
class SourceMixInput:
    graph: float = 0.0
    content: float = 0.0
    trending: float = 0.0
    new_items: float = 0.0
    new_creators: float = 0.0


@strawberry.input(
    description="A variant's serving configuration; what is left out keeps its default."
)
class ServingConfigInput:
    model_version: str = strawberry.field(
        default="", description="A trained model version's name; empty: the active one."
    )
    knobs: RecommendationKnobs | None = strawberry.field(
        default=None, description="Blend, diversity and freshness, with the request's bounds."
    )
    source_mix: SourceMixInput | None = strawberry.field(
        default=None, description="Slots per source; null: the ranking's own mix."
    )
    bandit: bool = strawberry.field(
        default=False, description="Let the bandit decide the source slots."
    )

    def as_dict(self) -> dict[str, Any]:
        knobs = self.knobs
        given = (
            {}
            if knobs is None
            else {
                "blend": knobs.blend,
                "diversity": knobs.diversity,
                "freshness_half_life_days": knobs.freshness_half_life_days,
            }
        )
        return {
            "model_version": self.model_version,
            # A null blend is meaningful ("the model's own"); other nulls are "not given".
            "knobs": {k: v for k, v in given.items() if v is not None or k == "blend"},
            "source_mix": None if self.source_mix is None else vars(self.source_mix).copy(),
            "bandit": self.bandit,
        }


@strawberry.input(description="One arm of a new experiment.")
class VariantInput:
    name: str = strawberry.field(description="Lowercase letters, digits, - and _ (at most 23).")
    traffic_share: float = strawberry.field(
        description="Share of the surface's users, above 0 and at most 1; shares sum to 1 at most."
    )
    is_control: bool = strawberry.field(default=False, description="Exactly one is the control.")
    config: ServingConfigInput | None = strawberry.field(
        default=None, description="Its serving configuration; null: the defaults."
    )


@strawberry.input(description="A new experiment, created as a draft.")
class ExperimentInput:
    name: str = strawberry.field(description="Unique; lowercase letters, digits, - and _.")
    variants: list[VariantInput] = strawberry.field(description="In order; assignment keeps it.")
    surface: ExperimentSurface = strawberry.field(
        default=ExperimentSurface.FOR_YOU, description="Where its lists are shown."
    )
    description: str = strawberry.field(default="", description="What is tested, and why.")
    salt: str | None = strawberry.field(
        default=None, description="Hashed with user ids to assign variants; random if null."
    )
