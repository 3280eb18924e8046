"""``manage.py gnn_rollback``: reactivate the model version promoted before the active one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from backend.recommendations.services import PromotionError, active_version, rollback


class Command(BaseCommand):
    help = "Retire the active recommender model and reactivate the previously promoted one."

    def handle(self, *args: object, **options: object) -> None:
        current = active_version()
        try:
            restored = rollback()
        except PromotionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Rolled back {current.version} -> {restored.version} (active)")
        )
