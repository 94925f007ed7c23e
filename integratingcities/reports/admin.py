from django.contrib import admin

from .models import Edition, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "round", "updated_at"]
    search_fields = ["title", "round__title"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions are frozen: read here, never changed (publishing is the workspace's)."""

    list_display = ["report", "number", "published_on"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
