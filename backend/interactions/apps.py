from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "backend.interactions"
    label = "interactions"
    verbose_name = "Feedback and impressions"
