"""Experiments: creating them with their variants, and their lifecycle.

``draft → running ⇄ paused → stopped``, and from running, paused or stopped to
``shipped``, which makes one variant's configuration the surface's default in the same
transaction. Every change reaches the serving path through the ``lupi:serving-config``
counter (:mod:`backend.experiments.plans`), bumped now and again after the commit.

At most one experiment per surface is running or paused: the database refuses a second
(``one_live_experiment_per_surface``), so a user is in one experiment per surface at most
and each experiment's variants split that surface's users by their shares. A paused
experiment keeps the surface, so that resuming it continues with the same users.

Errors are :class:`~django.core.exceptions.ValidationError` keyed by field (``[i].``
prefixes for variants), and nothing is written when one is raised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.experiments.models import Experiment, SurfaceDefault, Variant
from backend.recommendations import cache
from backend.recommendations.config import ServingConfig, Surface
from backend.recommendations.models import ModelVersion
from backend.recommendations.request import InvalidKnob

__all__ = [
    "ExperimentView",
    "VariantSpec",
    "VariantView",
    "create_experiment",
    "experiment_view",
    "experiments",
    "pause_experiment",
    "ship_variant",
    "start_experiment",
    "stop_experiment",
    "surface_default",
]

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
NAME_MAX = Experiment._meta.get_field("name").max_length
VARIANT_NAME_MAX = Variant._meta.get_field("name").max_length
# Shares are floats: a split in thirds sums to 1 only up to rounding.
SHARE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class VariantSpec:
    """A variant as a caller describes it, before validation; ``config`` is a
    :class:`ServingConfig` in its JSON form."""

    name: str
    traffic_share: float
    config: Mapping[str, Any] = field(default_factory=dict)
    is_control: bool = False


@dataclass(frozen=True)
class VariantView:
    """One arm of an experiment: its share of the surface's users and its configuration."""

    variant_id: int
    name: str
    label: str
    is_control: bool
    traffic_share: float
    config: dict


@dataclass(frozen=True)
class ExperimentView:
    """An experiment with its variants, as staff see it."""

    experiment_id: int
    name: str
    description: str
    surface: str
    salt: str
    status: str
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None
    shipped_variant: str | None
    variants: tuple[VariantView, ...]


def experiment_view(experiment: Experiment) -> ExperimentView:
    """``experiment`` as a view (its variants prefetched or read here)."""
    variants = list(experiment.variants.all())
    shipped = next((v.name for v in variants if v.pk == experiment.shipped_variant_id), None)
    return ExperimentView(
        experiment_id=experiment.pk,
        name=experiment.name,
        description=experiment.description,
        surface=experiment.surface,
        salt=experiment.salt,
        status=experiment.status,
        created_at=experiment.created_at,
        started_at=experiment.started_at,
        stopped_at=experiment.stopped_at,
        shipped_variant=shipped,
        variants=tuple(
            VariantView(
                variant_id=v.pk,
                name=v.name,
                label=f"{experiment.name}:{v.name}",
                is_control=v.is_control,
                traffic_share=v.traffic_share,
                config=v.config,
            )
            for v in variants
        ),
    )


def experiments(limit: int = 100) -> list[ExperimentView]:
    """The newest experiments first, with their variants (two queries)."""
    rows = Experiment.objects.prefetch_related("variants")[:limit]
    return [experiment_view(row) for row in rows]


def _slug_errors(value: str, limit: int) -> list[str]:
    if not isinstance(value, str) or not _SLUG.fullmatch(value) or len(value) > limit:
        return [
            f"Use 1 to {limit} lowercase letters, digits, hyphens or underscores, "
            "starting with a letter or digit."
        ]
    return []


def _config_errors(config: Mapping[str, Any]) -> tuple[dict[str, list[str]], dict]:
    """Errors of one variant's configuration, and its normalised JSON form."""
    try:
        parsed = ServingConfig.from_dict(config)
    except InvalidKnob as exc:
        return {f"config.{exc.knob}": [str(exc).split(": ", 1)[-1]]}, {}
    except TypeError as exc:  # a knob of the wrong kind reached a dataclass
        return {"config": [str(exc)]}, {}
    if (
        parsed.model_version
        and not ModelVersion.objects.filter(version=parsed.model_version).exists()
    ):
        return {"config.model_version": [f"No model version {parsed.model_version!r}."]}, {}
    return {}, parsed.to_dict()


def _variant_errors(specs: list[VariantSpec]) -> tuple[dict[str, list[str]], list[dict]]:
    errors: dict[str, list[str]] = {}
    configs: list[dict] = []
    if len(specs) < 2:
        errors["variants"] = ["Give at least two variants: a control and a treatment."]
    if sum(1 for spec in specs if spec.is_control) != 1:
        errors.setdefault("variants", []).append("Mark exactly one variant as the control.")
    share = sum(spec.traffic_share for spec in specs if _is_share(spec.traffic_share))
    if share > 1 + SHARE_TOLERANCE:
        errors.setdefault("variants", []).append(
            f"The traffic shares sum to {share:g}; they may sum to 1 at most."
        )
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if problems := _slug_errors(spec.name, VARIANT_NAME_MAX):
            errors[f"[{index}].name"] = problems
        elif spec.name in seen:
            errors[f"[{index}].name"] = [f"Two variants are named {spec.name!r}."]
        seen.add(spec.name)
        if not _is_share(spec.traffic_share):
            errors[f"[{index}].traffic_share"] = ["Enter a share above 0 and at most 1."]
        config_errors, config = _config_errors(spec.config)
        errors.update({f"[{index}].{key}": value for key, value in config_errors.items()})
        configs.append(config)
    return errors, configs


def _is_share(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value <= 1
    )


def create_experiment(
    name: str,
    variants: list[VariantSpec],
    *,
    surface: str = Surface.FOR_YOU,
    description: str = "",
    salt: str | None = None,
) -> ExperimentView:
    """A draft experiment with its variants (in this order, which assignment keeps)."""
    errors: dict[str, list[str]] = {}
    if problems := _slug_errors(name, NAME_MAX):
        errors["name"] = problems
    elif Experiment.objects.filter(name=name).exists():
        errors["name"] = [f"An experiment named {name!r} exists already."]
    if surface not in {s.value for s in Surface}:
        errors["surface"] = [
            f"Unknown surface {surface!r}; use one of {[s.value for s in Surface]}."
        ]
    if salt is not None and not 1 <= len(salt) <= 64:
        errors["salt"] = ["Use 1 to 64 characters."]
    variant_errors, configs = _variant_errors(variants)
    errors.update({k if k == "variants" else f"variants{k}": v for k, v in variant_errors.items()})
    if errors:
        raise ValidationError(errors)
    extra = {} if salt is None else {"salt": salt}
    try:
        with transaction.atomic():
            experiment = Experiment.objects.create(
                name=name, surface=surface, description=description, **extra
            )
            Variant.objects.bulk_create(
                Variant(
                    experiment=experiment,
                    name=spec.name,
                    is_control=spec.is_control,
                    traffic_share=float(spec.traffic_share),
                    config=config,
                )
                for spec, config in zip(variants, configs, strict=True)
            )
    except IntegrityError:  # the same name created concurrently
        raise ValidationError({"name": [f"An experiment named {name!r} exists already."]}) from None
    return experiment_view(experiment)


# Which statuses each transition starts from.
_FROM = {
    "start": {Experiment.Status.DRAFT, Experiment.Status.PAUSED},
    "pause": {Experiment.Status.RUNNING},
    "stop": {Experiment.Status.RUNNING, Experiment.Status.PAUSED},
    "ship": {Experiment.Status.RUNNING, Experiment.Status.PAUSED, Experiment.Status.STOPPED},
}


def _locked(experiment_id: int, action: str) -> Experiment:
    """The experiment, locked for this transaction, if ``action`` may change it now."""
    experiment = Experiment.objects.select_for_update().filter(pk=experiment_id).first()
    if experiment is None:
        raise ValidationError({"experiment_id": [f"No experiment with id {experiment_id}."]})
    if experiment.status not in _FROM[action]:
        allowed = " or ".join(sorted(_FROM[action]))
        raise ValidationError(
            {
                "experiment_id": [
                    f"Cannot {action} experiment {experiment.name!r}: it is "
                    f"{experiment.status}, and only a {allowed} one can be."
                ]
            }
        )
    return experiment


def _announce() -> None:
    """Tell every process that what a surface serves has changed: now, and after the
    commit (a process that re-read the plans in between read them without the change)."""
    cache.bump_serving_config_token()
    transaction.on_commit(cache.bump_serving_config_token)


def start_experiment(experiment_id: int) -> ExperimentView:
    """Start a draft experiment, or resume a paused one; refused while another one holds
    the surface."""
    try:
        with transaction.atomic():
            experiment = _locked(experiment_id, "start")
            experiment.status = Experiment.Status.RUNNING
            experiment.started_at = experiment.started_at or timezone.now()
            experiment.save(update_fields=["status", "started_at"])
            _announce()
    except IntegrityError:
        holder = Experiment.objects.filter(
            surface=experiment.surface, status__in=Experiment.LIVE
        ).first()
        name = holder.name if holder is not None else "another experiment"
        raise ValidationError(
            {
                "experiment_id": [
                    f"Surface {experiment.surface} already runs {name!r}: stop or ship it "
                    "first (one experiment per surface)."
                ]
            }
        ) from None
    return experiment_view(experiment)


def pause_experiment(experiment_id: int) -> ExperimentView:
    """Pause: its users get the surface's default until it is started again."""
    with transaction.atomic():
        experiment = _locked(experiment_id, "pause")
        experiment.status = Experiment.Status.PAUSED
        experiment.save(update_fields=["status"])
        _announce()
    return experiment_view(experiment)


def stop_experiment(experiment_id: int) -> ExperimentView:
    """Stop for good: its results stay, the surface is free for another experiment."""
    with transaction.atomic():
        experiment = _locked(experiment_id, "stop")
        experiment.status = Experiment.Status.STOPPED
        experiment.stopped_at = timezone.now()
        experiment.save(update_fields=["status", "stopped_at"])
        _announce()
    return experiment_view(experiment)


def ship_variant(experiment_id: int, variant_name: str) -> ExperimentView:
    """Make the variant's configuration the surface's default and mark the experiment
    shipped, in one transaction: either both happen or neither."""
    with transaction.atomic():
        experiment = _locked(experiment_id, "ship")
        variant = experiment.variants.filter(name=variant_name).first()
        if variant is None:
            raise ValidationError(
                {"variant": [f"Experiment {experiment.name!r} has no variant {variant_name!r}."]}
            )
        _store_default(experiment.surface, variant)
        _mark_shipped(experiment, variant)
        _announce()
    return experiment_view(experiment)


def _store_default(surface: str, variant: Variant) -> None:
    SurfaceDefault.objects.update_or_create(
        surface=surface, defaults={"config": variant.config, "shipped_from": variant}
    )


def _mark_shipped(experiment: Experiment, variant: Variant) -> None:
    experiment.status = Experiment.Status.SHIPPED
    experiment.shipped_variant = variant
    experiment.stopped_at = experiment.stopped_at or timezone.now()
    experiment.save(update_fields=["status", "shipped_variant", "stopped_at"])


def surface_default(surface: str = Surface.FOR_YOU) -> ServingConfig:
    """The configuration ``surface`` serves outside any experiment."""
    row = SurfaceDefault.objects.filter(surface=surface).first()
    return ServingConfig() if row is None else ServingConfig.from_dict(row.config)
