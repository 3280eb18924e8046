from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "backend.insights"
    label = "insights"
    verbose_name = "Creator insights"
