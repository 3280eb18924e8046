"""People: the platform's users, their display preferences and declared interests."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

HEX_COLOR = RegexValidator(
    regex=r"^#[0-9a-fA-F]{6}$",
    message="Enter a colour as #rrggbb, for example #1f9cee.",
    code="invalid_color",
)
DEFAULT_ACCENT_COLOR = "#1f9cee"
FONT_SIZE_MIN = 10
FONT_SIZE_MAX = 28
DEFAULT_FONT_SIZE = 14


class User(AbstractUser):
    """A person on the platform: reads, watches, reacts, and may also be a creator."""

    accent_color = models.CharField(
        max_length=7,
        default=DEFAULT_ACCENT_COLOR,
        validators=[HEX_COLOR],
        help_text="Accent colour of the dashboard, as #rrggbb.",
    )
    font_size = models.PositiveSmallIntegerField(
        default=DEFAULT_FONT_SIZE,
        validators=[MinValueValidator(FONT_SIZE_MIN), MaxValueValidator(FONT_SIZE_MAX)],
        help_text=f"Base font size of the dashboard in pixels ({FONT_SIZE_MIN}..{FONT_SIZE_MAX}).",
    )
    # The platform's own id of the person, when the platform keeps Lupi in sync through
    # the ingestion API; null (and so never a clash) for accounts made here.
    external_id = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="The platform's id of this user (ingestion API); empty for local accounts.",
    )
    interested_tags = models.ManyToManyField(
        "content.Tag",
        blank=True,
        related_name="followers",
        help_text="Tags the user declared an interest in; used for cold-start recommendations.",
    )
    interested_categories = models.ManyToManyField(
        "content.Category",
        blank=True,
        related_name="followers",
        help_text="Categories the user declared an interest in.",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            # The database holds the same bounds as the validators, so a bulk write that
            # skips full_clean() still cannot store a font the dashboard cannot render.
            models.CheckConstraint(
                condition=models.Q(font_size__gte=FONT_SIZE_MIN)
                & models.Q(font_size__lte=FONT_SIZE_MAX),
                name="user_font_size_in_range",
            ),
        ]

    @property
    def is_creator(self) -> bool:
        return hasattr(self, "creator_profile")
