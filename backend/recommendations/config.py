"""How a surface serves its lists: one :class:`ServingConfig` per surface (its default) or
per experiment variant, and the :class:`ServingChoice` the serving path makes per request.

A configuration is stored as JSON (an experiment's variant, a surface's default) and read
back through :meth:`ServingConfig.from_dict`, which validates every part with the same
bounds as a request's knobs (:meth:`RecommendationKnobs.validated`).

Who decides the choice for a user is named by the ``RECOMMENDATION_SERVING_CHOICE`` setting
(a dotted path to ``(user_id, surface) -> ServingChoice``): the experiments app, which sits
above this one, so that this app never imports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from backend.recommendations.request import InvalidKnob, RecommendationKnobs
from backend.recommendations.sources import SOURCES as SOURCE_ORDER
from backend.recommendations.sources import SourcePlan

__all__ = [
    "DEFAULT_CHOICE",
    "SOURCES",
    "ServingChoice",
    "ServingConfig",
    "SourceMix",
    "Surface",
    "serving_choice",
]


class Surface(StrEnum):
    """Where a served list is shown; each surface has its default and its experiments."""

    FOR_YOU = "for_you"


@dataclass(frozen=True)
class SourceMix:
    """Relative weights of the candidate sources in a list's slots (each 0 to 1, not all
    0): the graph model, the content tower, trending items, new items and new creators."""

    graph: float = 0.0
    content: float = 0.0
    trending: float = 0.0
    new_items: float = 0.0
    new_creators: float = 0.0

    def validated(self) -> SourceMix:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidKnob(f"source_mix.{name}", "must be a number from 0 to 1")
            if not math.isfinite(value) or not 0.0 <= value <= 1.0:
                raise InvalidKnob(f"source_mix.{name}", f"must be from 0 to 1, got {value!r}")
        if sum(asdict(self).values()) <= 0:
            raise InvalidKnob("source_mix", "give at least one source a weight above 0")
        return self

    def shares(self) -> dict[str, float]:
        """Each source's share of the slots (the weights scaled to sum to 1)."""
        weights = asdict(self)
        total = sum(weights.values())
        return {name: weight / total for name, weight in weights.items()}


SOURCES = tuple(item.name for item in fields(SourceMix))
# One weight per candidate source, in the order the source plan takes them.
assert SOURCES == SOURCE_ORDER, (SOURCES, SOURCE_ORDER)


@dataclass(frozen=True)
class ServingConfig:
    """A recommendation configuration: the model version (blank: the active one), the
    knobs, the source mix (``None``: the ranking's own, no quota per source) and whether
    the bandit decides the source slots instead."""

    model_version: str = ""
    knobs: RecommendationKnobs = field(default_factory=RecommendationKnobs)
    source_mix: SourceMix | None = None
    bandit: bool = False

    def validated(self) -> ServingConfig:
        if not isinstance(self.model_version, str) or len(self.model_version) > 64:
            raise InvalidKnob("model_version", "must be a version name of at most 64 characters")
        try:
            self.knobs.validated()
        except InvalidKnob as exc:  # named by its place in the configuration
            raise InvalidKnob(f"knobs.{exc.knob}", str(exc).split(": ", 1)[-1]) from None
        if self.source_mix is not None:
            self.source_mix.validated()
        if not isinstance(self.bandit, bool):
            raise InvalidKnob("bandit", "must be true or false")
        return self

    def source_plan(self) -> SourcePlan | None:
        """What the configuration asks of the candidate sources (``None``: nothing, the
        blended ranking alone): the mix's weights, shared by the bandit when it is on."""
        if self.source_mix is None and not self.bandit:
            return None
        weights = None if self.source_mix is None else tuple(asdict(self.source_mix).values())
        return SourcePlan(weights=weights, bandit=self.bandit)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the database (and hashed into cache keys)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServingConfig:
        """A validated configuration from its JSON form; unknown keys are refused."""
        if not isinstance(data, Mapping):
            raise InvalidKnob("config", "must be an object")
        _refuse_unknown("", data, {item.name for item in fields(cls)})
        knobs = data.get("knobs") or {}
        if not isinstance(knobs, Mapping):
            raise InvalidKnob("knobs", "must be an object")
        _refuse_unknown("knobs.", knobs, {item.name for item in fields(RecommendationKnobs)})
        mix = data.get("source_mix")
        if mix is not None and not isinstance(mix, Mapping):
            raise InvalidKnob("source_mix", "must be an object or null")
        if mix is not None:
            _refuse_unknown("source_mix.", mix, set(SOURCES))
        return cls(
            model_version=data.get("model_version", ""),
            knobs=RecommendationKnobs(**knobs),
            source_mix=None if mix is None else SourceMix(**mix),
            bandit=data.get("bandit", False),
        ).validated()


def _refuse_unknown(prefix: str, data: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidKnob(f"{prefix}{unknown[0]}", f"unknown setting; use one of {sorted(known)}")


@dataclass(frozen=True)
class ServingChoice:
    """The configuration a request is served with, and the experiment variant it stands
    for (``"<experiment>:<variant>"``; empty outside any experiment), which the
    impressions record."""

    config: ServingConfig = field(default_factory=ServingConfig)
    variant: str = ""


DEFAULT_CHOICE = ServingChoice()


@lru_cache(maxsize=4)
def _chooser(path: str) -> Callable[[int, str], ServingChoice]:
    return import_string(path)


def serving_choice(user_id: int, surface: str) -> ServingChoice:
    """The user's configuration on ``surface``, from ``RECOMMENDATION_SERVING_CHOICE``
    (the defaults when the setting is empty)."""
    path = getattr(settings, "RECOMMENDATION_SERVING_CHOICE", "")
    if not path:
        return DEFAULT_CHOICE
    return _chooser(path)(user_id, surface)
