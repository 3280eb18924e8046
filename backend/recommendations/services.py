"""Model versions: registering, promoting and rolling back trained recommenders."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from backend.recommendations.models import ModelVersion

# The validation metric that decides promotion: full-ranking recall of the held-out
# most recent interactions.
PROMOTION_METRIC = "recall@20"


class PromotionError(Exception):
    """Raised when a promotion or rollback cannot happen; the message says why."""


@dataclass(frozen=True)
class PromotionDecision:
    promoted: bool
    reason: str
    previous: str | None


def active_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def verify_artifact(version: ModelVersion) -> None:
    """Raise ``PromotionError`` unless ``version``'s files load and pass their checks (the
    manifest's sha256 of each file, the shapes of the weights, the id maps): a version is
    made active only if the servers will be able to load it."""
    import gnn  # torch is imported only by commands that switch versions

    try:
        gnn.load_artifact(version.path)
    except (gnn.ArtifactError, OSError, ValueError) as exc:
        raise PromotionError(f"{version.version} cannot be activated: {exc}") from exc


def promote(candidate: ModelVersion, *, force: bool = False) -> PromotionDecision:
    """Make ``candidate`` the active version if it is not worse than the active one.

    The flip happens in one transaction with the active row locked, so two trainings that
    finish together cannot both end up active, and serving never sees zero or two. The
    candidate's artifact is verified first; one that fails raises ``PromotionError`` and
    changes nothing.
    """
    verify_artifact(candidate)
    with transaction.atomic():
        current = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        if current is not None and current.pk == candidate.pk:
            return PromotionDecision(False, f"{candidate.version} is already active", None)
        if current is not None and not force:
            new = float(candidate.metrics.get(PROMOTION_METRIC, 0.0))
            old = float(current.metrics.get(PROMOTION_METRIC, 0.0))
            if new < old:
                return PromotionDecision(
                    False,
                    f"{PROMOTION_METRIC} {new:.4f} is worse than the active "
                    f"{current.version}'s {old:.4f} (use --force to promote anyway)",
                    current.version,
                )
        if current is not None:
            current.is_active = False
            current.save(update_fields=["is_active"])
        candidate.is_active = True
        candidate.promoted_at = timezone.now()
        candidate.rolled_back_at = None
        candidate.save(update_fields=["is_active", "promoted_at", "rolled_back_at"])
    previous = current.version if current else None
    return PromotionDecision(True, f"{candidate.version} is now active", previous)


def rollback() -> ModelVersion:
    """Retire the active version and reactivate the one promoted before it, after verifying
    its artifact: onto a version whose files fail, ``PromotionError`` and nothing changes."""
    with transaction.atomic():
        current = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        if current is None:
            raise PromotionError("no model version is active, nothing to roll back")
        previous = (
            ModelVersion.objects.select_for_update()
            .filter(
                promoted_at__isnull=False,
                promoted_at__lt=current.promoted_at,
                rolled_back_at__isnull=True,
            )
            .exclude(pk=current.pk)
            .order_by("-promoted_at")
            .first()
        )
        if previous is None:
            raise PromotionError(f"{current.version} is the first promoted version")
        verify_artifact(previous)
        current.is_active = False
        current.rolled_back_at = timezone.now()
        current.save(update_fields=["is_active", "rolled_back_at"])
        previous.is_active = True
        previous.save(update_fields=["is_active"])
    return previous
