"""What each surface serves now, as the serving path reads it on every request.

A :class:`SurfacePlan` holds a surface's default and its running experiment (at most one:
``Experiment``'s ``one_live_experiment_per_surface`` constraint). This process keeps the
plans of every surface in memory and re-reads them from the database only when the
``lupi:serving-config`` counter in the shared cache has moved (every lifecycle change and
every ship bumps it, now and after its commit) or, when the cache cannot be reached, every
``check_interval`` seconds. A request therefore costs one cache read and no SQL while
nothing changes, whether or not an experiment runs.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.db import DatabaseError

from backend.experiments.assignment import pick
from backend.experiments.models import Experiment, SurfaceDefault
from backend.recommendations import cache
from backend.recommendations.config import DEFAULT_CHOICE, ServingChoice, ServingConfig
from backend.recommendations.request import InvalidKnob

__all__ = ["LiveExperiment", "Plans", "SurfacePlan", "plans", "serving_choice"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveExperiment:
    """A running experiment as assignment needs it: its salt and its arms in order."""

    name: str
    salt: str
    arms: tuple[tuple[float, ServingChoice], ...]


@dataclass(frozen=True)
class SurfacePlan:
    default: ServingChoice = DEFAULT_CHOICE
    experiment: LiveExperiment | None = None

    def choice_for(self, user_id: int) -> ServingChoice:
        """The user's variant when the running experiment takes them, else the default."""
        if self.experiment is not None:
            arm = pick(self.experiment.salt, user_id, self.experiment.arms)
            if arm is not None:
                return arm
        return self.default


def read_plans() -> dict[str, SurfacePlan]:
    """Every surface's plan from the database (three queries). A stored configuration that
    no longer validates (bounds tightened since) is logged and left out, never served."""
    defaults: dict[str, ServingChoice] = {}
    for row in SurfaceDefault.objects.all():
        try:
            defaults[row.surface] = ServingChoice(ServingConfig.from_dict(row.config))
        except InvalidKnob as exc:
            logger.error("the default of %s is not valid (%s); not served", row.surface, exc)
    running: dict[str, LiveExperiment] = {}
    live = Experiment.objects.filter(status=Experiment.Status.RUNNING).prefetch_related("variants")
    for experiment in live:
        try:
            arms = tuple(
                (
                    variant.traffic_share,
                    ServingChoice(ServingConfig.from_dict(variant.config), label),
                )
                for variant in experiment.variants.all()
                for label in [f"{experiment.name}:{variant.name}"]
            )
        except InvalidKnob as exc:
            logger.error("experiment %s has a variant that is not valid (%s)", experiment, exc)
            continue
        running[experiment.surface] = LiveExperiment(experiment.name, experiment.salt, arms)
    return {
        surface: SurfacePlan(defaults.get(surface, DEFAULT_CHOICE), running.get(surface))
        for surface in set(defaults) | set(running)
    }


class Plans:
    """This process's copy of the plans; see the module docstring."""

    def __init__(self, check_interval: float = 30.0) -> None:
        self.check_interval = check_interval
        self._plans: dict[str, SurfacePlan] = {}
        self._token: object = object()
        self._checked_at = -math.inf
        self._lock = threading.Lock()

    def current(self) -> dict[str, SurfacePlan]:
        token = cache.serving_config_token()
        if self._fresh(token):
            return self._plans
        with self._lock:
            if not self._fresh(token):
                self._refresh(token)
        return self._plans

    def reset(self) -> None:
        """Forget the plans; the next request reads them again."""
        with self._lock:
            self._plans, self._token, self._checked_at = {}, object(), -math.inf

    def _fresh(self, token: object) -> bool:
        if time.monotonic() - self._checked_at >= self.check_interval:
            return False
        return token is None or token == self._token

    def _refresh(self, token: object) -> None:
        try:
            self._plans = read_plans()
        except DatabaseError as exc:
            # Keep serving the plans we have; the next request looks again.
            logger.warning("could not read the experiments' plans: %s", exc)
            return
        self._token, self._checked_at = token, time.monotonic()


plans = Plans()


def serving_choice(user_id: int, surface: str) -> ServingChoice:
    """``RECOMMENDATION_SERVING_CHOICE``: the user's configuration on ``surface``."""
    plan = plans.current().get(surface)
    return DEFAULT_CHOICE if plan is None else plan.choice_for(user_id)
