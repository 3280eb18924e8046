"""Experiments, their variants, and each surface's default configuration.

A variant's ``config`` and a surface default's ``config`` hold a
:class:`~backend.recommendations.config.ServingConfig` as JSON, validated by the services
(``ServingConfig.from_dict``) before they are stored.
"""

from __future__ import annotations

import secrets

from django.db import models

from backend.recommendations.config import Surface


def _new_salt() -> str:
    # Random per experiment: two experiments never split the same users the same way.
    return secrets.token_hex(8)


class Experiment(models.Model):
    """An A/B test on one surface: its variants split the surface's users by hash."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"
        SHIPPED = "shipped", "Shipped"

    # Statuses that hold the surface: a paused experiment resumes with the same users.
    LIVE = (Status.RUNNING, Status.PAUSED)

    name = models.SlugField(
        max_length=40, unique=True, help_text="Short unique name; impressions record it."
    )
    description = models.TextField(blank=True, help_text="What is tested, and why.")
    surface = models.CharField(
        max_length=32,
        choices=[(s.value, s.value) for s in Surface],
        default=Surface.FOR_YOU.value,
        help_text="Where the served lists are shown.",
    )
    salt = models.CharField(
        max_length=64,
        default=_new_salt,
        help_text="Hashed with the user id to assign a variant; fixed once started.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="First start; results count from here."
    )
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="When it stopped (or shipped); results end here."
    )
    shipped_variant = models.ForeignKey(
        "Variant",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The variant made the surface's default, once shipped.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A user is in at most one experiment per surface: at most one holds it.
            models.UniqueConstraint(
                fields=["surface"],
                condition=models.Q(status__in=["running", "paused"]),
                name="one_live_experiment_per_surface",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="shipped") & models.Q(shipped_variant__isnull=False))
                | (~models.Q(status="shipped") & models.Q(shipped_variant__isnull=True)),
                name="experiment_shipped_has_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class Variant(models.Model):
    """One arm of an experiment: its share of the traffic and its configuration."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.SlugField(max_length=23, help_text="Unique within the experiment.")
    is_control = models.BooleanField(
        default=False, help_text="The arm the others are compared with; exactly one."
    )
    traffic_share = models.FloatField(
        help_text="Share of the surface's users (above 0, at most 1); they sum to 1 at most.",
    )
    config = models.JSONField(
        default=dict, help_text="The serving configuration (ServingConfig as JSON)."
    )

    class Meta:
        # Assignment walks the variants in this order: it must never change.
        ordering = ["experiment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_unique_name"),
            models.UniqueConstraint(
                fields=["experiment"],
                condition=models.Q(is_control=True),
                name="variant_one_control",
            ),
            models.CheckConstraint(
                condition=models.Q(traffic_share__gt=0) & models.Q(traffic_share__lte=1),
                name="variant_share_in_0_1",
            ),
        ]

    @property
    def label(self) -> str:
        """What impressions record: ``"<experiment>:<variant>"``."""
        return f"{self.experiment.name}:{self.name}"

    def __str__(self) -> str:
        return self.label


class SurfaceDefault(models.Model):
    """The configuration a surface serves to everyone outside a running experiment."""

    surface = models.CharField(
        max_length=32, unique=True, choices=[(s.value, s.value) for s in Surface]
    )
    config = models.JSONField(help_text="The serving configuration (ServingConfig as JSON).")
    shipped_from = models.ForeignKey(
        Variant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The experiment variant that was shipped as this default, if any.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["surface"]

    def __str__(self) -> str:
        return f"default of {self.surface}"
