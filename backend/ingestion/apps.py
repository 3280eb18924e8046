from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "backend.ingestion"
    label = "ingestion"
    verbose_name = "Ingestion from the platform"
