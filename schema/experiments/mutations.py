"""Creating experiments and moving them through their lifecycle: staff only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError

from backend.experiments import services
from schema.context import Info
from schema.errors import input_error
from schema.experiments.types import Experiment, ExperimentInput
from schema.ids import parse_id
from schema.permissions import SignedIn, Staff

__all__ = ["ExperimentsMutation"]

ID_DOC = "The experiment."


def _specs(input: ExperimentInput) -> list[services.VariantSpec]:
    return [
        services.VariantSpec(
            name=variant.name,
            traffic_share=variant.traffic_share,
            config=variant.config.as_dict() if variant.config else {},
            is_control=variant.is_control,
        )
        for variant in input.variants
    ]


async def _transition(
    change: Callable[..., services.ExperimentView], experiment_id: strawberry.ID, *args: str
) -> services.ExperimentView:
    try:
        pk = parse_id(experiment_id, "experiment_id")
        return await sync_to_async(change)(pk, *args)
    except ValidationError as exc:
        raise input_error(exc) from None


@strawberry.type
class ExperimentsMutation:
    @strawberry.mutation(
        permission_classes=[SignedIn, Staff],
        description="Create an experiment, as a draft, with its variants. Staff only.",
    )
    async def create_experiment(self, info: Info, input: ExperimentInput) -> Experiment:
        try:
            return await sync_to_async(services.create_experiment)(
                input.name,
                _specs(input),
                surface=input.surface.value,
                description=input.description,
                salt=input.salt,
            )
        except ValidationError as exc:
            raise input_error(exc, "input") from None

    @strawberry.mutation(
        permission_classes=[SignedIn, Staff],
        description=(
            "Start a draft experiment or resume a paused one; refused while another "
            "experiment runs or is paused on its surface. Staff only."
        ),
    )
    async def start_experiment(
        self,
        info: Info,
        experiment_id: Annotated[strawberry.ID, strawberry.argument(description=ID_DOC)],
    ) -> Experiment:
        return await _transition(services.start_experiment, experiment_id)

    @strawberry.mutation(
        permission_classes=[SignedIn, Staff],
        description="Pause a running experiment: its users get the default. Staff only.",
    )
    async def pause_experiment(
        self,
        info: Info,
        experiment_id: Annotated[strawberry.ID, strawberry.argument(description=ID_DOC)],
    ) -> Experiment:
        return await _transition(services.pause_experiment, experiment_id)

    @strawberry.mutation(
        permission_classes=[SignedIn, Staff],
        description="Stop a running or paused experiment for good. Staff only.",
    )
    async def stop_experiment(
        self,
        info: Info,
        experiment_id: Annotated[strawberry.ID, strawberry.argument(description=ID_DOC)],
    ) -> Experiment:
        return await _transition(services.stop_experiment, experiment_id)

    @strawberry.mutation(
        permission_classes=[SignedIn, Staff],
        description=(
            "Make a variant's configuration its surface's default and mark the experiment "
            "shipped, in one transaction. Staff only."
        ),
    )
    async def ship_experiment(
        self,
        info: Info,
        experiment_id: Annotated[strawberry.ID, strawberry.argument(description=ID_DOC)],
        variant: Annotated[str, strawberry.argument(description="The variant's name.")],
    ) -> Experiment:
        return await _transition(services.ship_variant, experiment_id, variant)
