from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "backend.recommendations"
    label = "recommendations"
    verbose_name = "Recommender models"
