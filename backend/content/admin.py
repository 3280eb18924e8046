from django.contrib import admin

from backend.content.models import Category, ContentItem, Creator, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "created_at")
    search_fields = ("display_name", "user__username")
    raw_id_fields = ("user",)


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "creator", "category", "published_at")
    list_filter = ("type", "category")
    search_fields = ("title", "excerpt")
    raw_id_fields = ("creator",)
    autocomplete_fields = ("tags",)
    date_hierarchy = "published_at"
