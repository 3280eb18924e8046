from django.contrib import admin

from backend.interactions.models import Impression, Interaction, NotInterested


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "item", "value", "device", "occurred_at")
    list_filter = ("kind", "device")
    raw_id_fields = ("user", "item")
    date_hierarchy = "occurred_at"


@admin.register(NotInterested)
class NotInterestedAdmin(admin.ModelAdmin):
    list_display = ("user", "tag", "creator", "created_at")
    raw_id_fields = ("user", "tag", "creator")


@admin.register(Impression)
class ImpressionAdmin(admin.ModelAdmin):
    list_display = ("user", "item", "position", "method", "model_version", "variant", "shown_at")
    list_filter = ("method", "variant")
    raw_id_fields = ("user", "item")
