from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import search
from .models import Practice, PracticeTheme


class ThemeInline(admin.TabularInline):
    model = PracticeTheme
    extra = 0


@admin.register(Practice)
class PracticeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "city", "year", "source", "status", "is_illustrative"]
    list_filter = ["status", "source", "is_illustrative"]
    search_fields = ["key", "title", "summary"]
    autocomplete_fields = ["city", "other_cities"]
    raw_id_fields = ["from_answer", "created_by"]
    inlines = [ThemeInline]

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        search.index([form.instance.pk])  # keep the full-text index in step
