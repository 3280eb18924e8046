from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from backend.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Preferences", {"fields": ("accent_color", "font_size")}),
        ("Interests", {"fields": ("interested_tags", "interested_categories")}),
    )
    filter_horizontal = ("groups", "user_permissions", "interested_tags", "interested_categories")
