from django.contrib import admin

from backend.recommendations.models import ModelVersion, TrainingRun


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("id", "status", "num_users", "num_items", "started_at", "finished_at")
    list_filter = ("status",)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "created_at", "promoted_at")
    list_filter = ("is_active",)
