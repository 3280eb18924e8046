from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from backend.apikeys import services
from backend.apikeys.models import ApiKey, Scope


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key reaches.",
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "revoked_at")

    def clean_scopes(self) -> list[str]:
        scopes = sorted(self.cleaned_data["scopes"])
        errors = services.scope_errors(scopes)
        if errors:
            raise ValidationError(errors)
        return scopes


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    actions = ["revoke_keys"]

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if not change:
            key, obj.prefix = services.new_key()
            obj.digest = services.digest_of(key)
            super().save_model(request, obj, form, change)
            # The only time the key can be read: only its digest is stored.
            messages.warning(request, f"The key of {obj.name}, shown only now: {key}")
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected keys")
    def revoke_keys(self, request, queryset) -> None:
        for api_key in queryset:
            services.revoke(api_key)
