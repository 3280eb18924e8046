"""Content: creators, what they publish, and the tags and categories that organise it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Category(models.Model):
    """A top-level section of the catalogue (e.g. Cooking, Music); one per item."""

    name = models.CharField(max_length=80, unique=True, help_text="Display name.")
    slug = models.SlugField(max_length=80, unique=True, help_text="URL-safe identifier.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label on items; tags carry signal between items in the recommender's graph."""

    name = models.CharField(max_length=80, unique=True, help_text="Display name.")
    slug = models.SlugField(max_length=80, unique=True, help_text="URL-safe identifier.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Creator(models.Model):
    """The publishing side of a user: a user is a creator when this profile exists."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="creator_profile",
        help_text="The account that publishes as this creator.",
    )
    display_name = models.CharField(max_length=120, help_text="Name shown on items.")
    bio = models.TextField(blank=True, help_text="Short self-description.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name


class ContentType(models.TextChoices):
    """Kinds of content; new kinds are added here and need no schema change elsewhere."""

    BLOG = "blog", "Blog post"
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"


class ContentItem(models.Model):
    """One piece of published content: the thing people read, watch and react to."""

    type = models.CharField(
        max_length=16, choices=ContentType.choices, help_text="Kind of content."
    )
    external_id = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="The platform's id of this item (ingestion API); empty for local items.",
    )
    title = models.CharField(max_length=200, help_text="Headline shown on cards.")
    excerpt = models.CharField(max_length=500, blank=True, help_text="One or two sentences.")
    body = models.TextField(blank=True, help_text="Full text or description.")
    image_url = models.URLField(max_length=500, blank=True, help_text="Cover image.")
    creator = models.ForeignKey(
        Creator, on_delete=models.CASCADE, related_name="items", help_text="Who published it."
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        help_text="Section of the catalogue.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="items", help_text="Labels.")
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When it went public; empty for drafts."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["creator", "-published_at"], name="item_creator_published"),
            models.Index(fields=["category", "-published_at"], name="item_category_published"),
            models.Index(fields=["type", "-published_at"], name="item_type_published"),
            # Serving asks for items changed since the model was trained, on every request.
            models.Index(fields=["updated_at"], name="item_updated"),
        ]

    def __str__(self) -> str:
        return self.title
