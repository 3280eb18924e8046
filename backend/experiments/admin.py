from django.contrib import admin

from backend.experiments.models import Experiment, SurfaceDefault, Variant


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("name", "is_control", "traffic_share", "config")


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    # The lifecycle (start, pause, stop, ship) goes through the services, which keep the
    # serving path in step; the admin shows experiments and edits their descriptions.
    list_display = ("name", "surface", "status", "started_at", "stopped_at")
    list_filter = ("surface", "status")
    search_fields = ("name", "description")
    readonly_fields = (
        "status",
        "salt",
        "created_at",
        "started_at",
        "stopped_at",
        "shipped_variant",
    )
    inlines = [VariantInline]

    def get_inline_instances(self, request, obj=None):
        # Variants are fixed once an experiment has started: their shares are its users.
        if obj is not None and obj.status != Experiment.Status.DRAFT:
            return []
        return super().get_inline_instances(request, obj)


@admin.register(SurfaceDefault)
class SurfaceDefaultAdmin(admin.ModelAdmin):
    list_display = ("surface", "shipped_from", "updated_at")
    readonly_fields = ("surface", "config", "shipped_from", "updated_at")
