"""Feedback: what people did with items, what they refused, and what they were shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InteractionKind(models.TextChoices):
    VIEW = "view", "View"
    CLICK = "click", "Click"
    LIKE = "like", "Like"
    SHARE = "share", "Share"
    COMMENT = "comment", "Comment"
    SAVE = "save", "Save"
    DWELL = "dwell", "Dwell"
    SKIP = "skip", "Skip"
    DISLIKE = "dislike", "Dislike"
    HIDE = "hide", "Hide"


# Kinds that say "show me less of this": they are never training positives and the
# recommender drops the item from the user's lists.
NEGATIVE_KINDS = frozenset({InteractionKind.SKIP, InteractionKind.DISLIKE, InteractionKind.HIDE})


class Interaction(models.Model):
    """One act of a user on an item, with its time, strength and context."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interactions"
    )
    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(max_length=16, choices=InteractionKind.choices)
    value = models.FloatField(
        null=True, blank=True, help_text="Strength where the kind has one, e.g. dwell milliseconds."
    )
    device = models.CharField(
        max_length=32, blank=True, help_text="Client device class, e.g. mobile, desktop, tv."
    )
    client_timezone = models.CharField(
        max_length=64, blank=True, help_text="IANA time zone of the client, e.g. Europe/Paris."
    )
    local_hour = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Hour of day (0..23) on the client's clock."
    )
    occurred_at = models.DateTimeField(db_index=True, help_text="When it happened.")
    # Attribution: the served list the act followed, so outcomes join their impression by
    # request id rather than by a guess from times.
    request_id = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Request id of the served list the act followed; blank when none.",
    )
    position = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="0-based rank of the item in that list; empty without a request id.",
    )
    # Null for feedback recorded by Lupi's own pages; unique otherwise (constraint below).
    idempotency_key = models.CharField(
        max_length=128,
        null=True,
        blank=True,
        help_text="The platform's id of the event (ingestion API); empty when none.",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Per-user history by time: recent activity, fold-in, exclusions.
            models.Index(fields=["user", "-occurred_at"], name="interaction_user_time"),
            # Per-item by time: creator insights, trending.
            models.Index(fields=["item", "-occurred_at"], name="interaction_item_time"),
            models.Index(fields=["kind", "-occurred_at"], name="interaction_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(local_hour__isnull=True) | models.Q(local_hour__lte=23),
                name="interaction_local_hour_0_23",
            ),
            # A batch the platform sends again writes nothing twice: the database refuses
            # the second row, so no read-then-write race. Partial, so that the bulk loads
            # of feedback without a key (the demo, imports) never touch the index.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="interaction_unique_idempotency_key",
            ),
            # A position only means something inside a served list.
            models.CheckConstraint(
                condition=models.Q(position__isnull=True) | ~models.Q(request_id=""),
                name="interaction_position_needs_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.item_id}"


class NotInterested(models.Model):
    """A user's "not interested in this tag / creator": exactly one of the two is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_interested"
    )
    tag = models.ForeignKey("content.Tag", on_delete=models.CASCADE, null=True, blank=True)
    creator = models.ForeignKey("content.Creator", on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(tag__isnull=False) & models.Q(creator__isnull=True))
                | (models.Q(tag__isnull=True) & models.Q(creator__isnull=False)),
                name="not_interested_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["user", "tag"], name="not_interested_unique_tag"),
            models.UniqueConstraint(
                fields=["user", "creator"], name="not_interested_unique_creator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} not interested in {self.tag or self.creator}"


class Impression(models.Model):
    """An item shown to a user in a served list: the denominator of CTR and A/B results."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="impressions"
    )
    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.CASCADE, related_name="impressions"
    )
    position = models.PositiveSmallIntegerField(help_text="0-based rank in the served list.")
    method = models.CharField(
        max_length=16, help_text="How the list was made: hybrid, content, trending, fallback."
    )
    model_version = models.CharField(max_length=64, blank=True)
    variant = models.CharField(max_length=64, blank=True, help_text="Experiment variant, if any.")
    request_id = models.CharField(max_length=64, db_index=True)
    shown_at = models.DateTimeField(db_index=True)
    source = models.CharField(
        max_length=16,
        blank=True,
        help_text="Candidate source that placed the item (graph, content, trending, new_items, "
        "new_creators, or blended for the blended ranking's slots); empty when the list was "
        "not made from sources.",
    )

    class Meta:
        ordering = ["-shown_at", "position"]
        indexes = [
            models.Index(fields=["item", "-shown_at"], name="impression_item_time"),
            models.Index(fields=["user", "-shown_at"], name="impression_user_time"),
            # The bandit's count finds the next impression placed by a source at once, past
            # any number of lists that were not made from sources.
            models.Index(fields=["id"], condition=~models.Q(source=""), name="impression_sourced"),
            # Experiment results: impressions per variant and day, read from the index alone.
            models.Index(fields=["variant", "shown_at"], name="impression_variant_time"),
            # One entry per served list (its first row): a list's variant, time and user by
            # request id, for joining outcomes and counting users without the item rows.
            models.Index(
                fields=["variant", "shown_at", "user", "request_id"],
                condition=models.Q(position=0),
                name="impression_served_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.position} for {self.user_id}"
