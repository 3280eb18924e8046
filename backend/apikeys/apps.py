from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "backend.apikeys"
    label = "apikeys"
    verbose_name = "Service access (API keys)"
