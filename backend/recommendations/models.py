"""Recommender model versions, the training runs that produced them, and the exploration
bandit's state (its arms, their history, and how far outcomes were counted)."""

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


class SourceArm(models.Model):
    """The bandit's belief about one candidate source: a Beta(alpha, beta) posterior of the
    chance that an item the source placed is engaged with (clicked, liked or saved).

    One row per source and reader segment, shared by every worker; outcomes are added with
    ``F()`` expressions (``backend.recommendations.bandit.count_outcomes``), never
    read-modify-written in a process.
    """

    source = models.CharField(max_length=16, help_text="Candidate source, e.g. trending.")
    segment = models.CharField(
        max_length=16,
        blank=True,
        help_text="Reader segment (the list's method), or empty for all readers.",
    )
    alpha = models.FloatField(default=1.0, help_text="Prior 1 plus the engaged impressions.")
    beta = models.FloatField(default=1.0, help_text="Prior 1 plus the impressions not engaged.")
    shown = models.BigIntegerField(default=0, help_text="Impressions counted so far.")
    engaged = models.BigIntegerField(default=0, help_text="Of those, engaged with.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["segment", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "segment"], name="source_arm_unique"),
            models.CheckConstraint(
                condition=models.Q(alpha__gt=0) & models.Q(beta__gt=0),
                name="source_arm_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.segment or 'all'} Beta({self.alpha:g}, {self.beta:g})"


class SourceArmSnapshot(models.Model):
    """An arm's posterior after one counting of outcomes: the history of the source shares."""

    taken_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=16)
    segment = models.CharField(max_length=16, blank=True)
    alpha = models.FloatField()
    beta = models.FloatField()

    class Meta:
        ordering = ["-taken_at", "segment", "source"]

    def __str__(self) -> str:
        return f"{self.source}/{self.segment or 'all'} at {self.taken_at:%Y-%m-%d %H:%M}"


class OutcomeCursor(models.Model):
    """How far the bandit has counted impressions: every impression up to ``impression_id``
    is in the arms. One row, locked while a count runs, so no impression counts twice."""

    impression_id = models.BigIntegerField(default=0)
    counted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"counted up to impression {self.impression_id}"
