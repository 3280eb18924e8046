from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "backend.recommendations"
    label = "recommendations"
    verbose_name = "Recommender models"

    def ready(self) -> None:
        # Served lists are cached; feedback and promotions must reach the cache.
        from backend.interactions.signals import feedback_recorded
        from backend.recommendations.cache import connect_signals

        connect_signals()
        feedback_recorded.connect(_invalidate_on_feedback, dispatch_uid="lupi-feedback-cache")


def _invalidate_on_feedback(sender, user_id: int, **kwargs) -> None:
    from backend.recommendations.cache import invalidate_user

    invalidate_user(user_id)
