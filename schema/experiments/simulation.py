"""GraphQL types of the simulator's saved figures, derived from
``backend/experiments/simulation_report.py``."""

from __future__ import annotations

import strawberry

from backend.experiments import simulation_report as report
from schema.derived import graphql_type
from schema.experiments import types as _types  # noqa: F401  (derives Estimate first)

__all__ = ["SimulationReport"]

graphql_type(report.SimulationPlan)
graphql_type(report.SimulatedVariant)
graphql_type(report.SimulatedAB, name="SimulatedAbTest")
graphql_type(report.SimulatedAARun, name="SimulatedAaRun")
graphql_type(report.SimulatedAA, name="SimulatedAaTest")
graphql_type(report.CurvePoint)
graphql_type(report.SourceSlots, name="SimulatedSourceSlots")
graphql_type(report.NamedRate)
graphql_type(report.DebutFigures, name="SimulatedDebutItems")
graphql_type(
    report.SimulatedBandit,
    fields={
        "slot_shares_by_round": strawberry.field(
            description="Per round, the share of the bandit's slots each source filled."
        ),
        "posterior_mean": strawberry.field(
            description="Each source's posterior mean engagement rate at the end."
        ),
    },
)
graphql_type(report.FatigueRound)
graphql_type(report.SimulatedFatigue)
SimulationReport = graphql_type(report.SimulationReport)
