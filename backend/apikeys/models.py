"""API keys: how another service of the platform calls Lupi without a person signed in.

A key is its own app rather than a kind of account: it is no one's login, it holds
scopes instead of a user's permissions, and a platform rotates and revokes keys without
touching any account. Lupi keeps only a digest of each key (shown once, when made).
"""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    """What a key reaches; each protected field names the scope it needs."""

    INGEST = "ingest", "ingest: feedback, items and users of the whole platform"
    RECOMMEND = "recommend", "recommend: lists for any platform user"
    READ_INSIGHTS = "read-insights", "read-insights: insights of any creator"


class ApiKey(models.Model):
    """A bearer key for a service of the platform, with the scopes it may use."""

    name = models.CharField(
        max_length=100, unique=True, help_text="Who uses the key, e.g. feed-service."
    )
    prefix = models.CharField(
        max_length=8,
        unique=True,
        editable=False,
        help_text="The key's first characters after lupi_, to tell keys apart in logs.",
    )
    # SHA-256 of the whole key: a key is 256 random bits, so a fast digest is as safe as a
    # slow password hash, and lets each request find its key with one indexed lookup.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list, help_text="Scopes the key may use.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the key was revoked; empty while it works."
    )
    last_used_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Last request with the key, to the minute (it is stamped at most once a minute).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} (lupi_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes
