from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The trail is read here, never written: entries come only from the services."""

    list_display = ("created_at", "action", "actor", "city", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("actor__email", "actor__name", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "city", "target_type")
    readonly_fields = (
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "city",
        "from_state",
        "to_state",
        "reason",
        "data",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
