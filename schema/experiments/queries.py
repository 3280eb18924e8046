"""Experiments and their results: staff only."""

from __future__ import annotations

import strawberry
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError

from backend.experiments import results as experiment_results
from backend.experiments import services, simulation_report
from backend.experiments.models import Experiment as ExperimentModel
from schema.context import Info
from schema.errors import input_error
from schema.experiments.simulation import SimulationReport
from schema.experiments.types import Experiment, ExperimentResults
from schema.ids import parse_id
from schema.permissions import SignedIn, Staff

__all__ = ["ExperimentsQuery"]

MAX_EXPERIMENTS = 100


def _experiment(pk: int) -> services.ExperimentView | None:
    row = ExperimentModel.objects.prefetch_related("variants").filter(pk=pk).first()
    return None if row is None else services.experiment_view(row)


@strawberry.type
class ExperimentsQuery:
    @strawberry.field(
        permission_classes=[SignedIn, Staff],
        description="Experiments, newest first, with their variants (at most 100). Staff only.",
    )
    async def experiments(self, info: Info, first: int = 20) -> list[Experiment]:
        return await sync_to_async(services.experiments)(max(1, min(first, MAX_EXPERIMENTS)))

    @strawberry.field(
        permission_classes=[SignedIn, Staff],
        description="One experiment with its variants; null when there is none. Staff only.",
    )
    async def experiment(self, info: Info, experiment_id: strawberry.ID) -> Experiment | None:
        try:
            pk = parse_id(experiment_id, "experiment_id")
        except ValidationError as exc:
            raise input_error(exc) from exc
        return await sync_to_async(_experiment)(pk)

    @strawberry.field(
        permission_classes=[SignedIn, Staff],
        description=(
            "An experiment's results per variant and per UTC day: impressions, CTR, like "
            "rate, hide rate and mean dwell with 95% intervals, each variant's difference "
            "to the control (Newcombe's interval for rates, normal for dwell), and the "
            "sample-ratio check. Outcomes count by the request id they carry. Staff only."
        ),
    )
    async def experiment_results(
        self, info: Info, experiment_id: strawberry.ID
    ) -> ExperimentResults:
        try:
            pk = parse_id(experiment_id, "experiment_id")
            return await sync_to_async(experiment_results.experiment_results)(pk)
        except ValidationError as exc:
            raise input_error(exc) from exc

    @strawberry.field(
        permission_classes=[SignedIn, Staff],
        description=(
            "The traffic simulator's latest figures per scenario (A/B, A/A, bandit, "
            "fatigue), as `manage.py simulate_traffic --scenario ...` saved them; null "
            "before it has saved any. Staff only."
        ),
    )
    async def simulation_report(self, info: Info) -> SimulationReport | None:
        return await sync_to_async(simulation_report.saved_report)()
