"""Recommender model versions and the training runs that produced them."""

from __future__ import annotations

from django.db import models


class TrainingRun(models.Model):
    """One execution of ``train_gnn``: its parameters, loss curve and metrics."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    params = models.JSONField(default=dict, help_text="Command options and model settings.")
    loss_curve = models.JSONField(
        default=list,
        help_text="Validation recall@20 after each step of the recipe's search.",
    )
    metrics = models.JSONField(default=dict, help_text="Validation metrics (recall, NDCG, ...).")
    data_hash = models.CharField(max_length=64, blank=True, help_text="Snapshot of the data.")
    num_users = models.PositiveIntegerField(default=0)
    num_items = models.PositiveIntegerField(default=0)
    num_interactions = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the run failed, when it did.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class ModelVersion(models.Model):
    """A trained model artifact on disk; at most one version is active at a time."""

    version = models.CharField(max_length=64, unique=True, help_text="Artifact directory name.")
    path = models.CharField(max_length=500, help_text="Artifact directory.")
    training_run = models.OneToOneField(
        TrainingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="model_version"
    )
    metrics = models.JSONField(default=dict)
    is_active = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a rollback retired this version."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Serving reads "the" active version; the database guarantees there is one at most.
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_model_version",
            ),
        ]

    def __str__(self) -> str:
        return self.version
