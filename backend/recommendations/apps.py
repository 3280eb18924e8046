from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "backend.recommendations"
    label = "recommendations"
    verbose_name = "Recommender models"

    def ready(self) -> None:
        # Served lists are cached; feedback and promotions must reach the cache.
        from backend.recommendations.cache import connect_signals

        connect_signals()
