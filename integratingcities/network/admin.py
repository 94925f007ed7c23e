from typing import Any

from django.contrib import admin

from .models import Conference, NewsItem, Project, ProjectPartner
from .services import news_schedule


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["city"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "start_year", "end_year", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnerInline]


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "year", "host"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "summary", "body"]

    def save_model(self, request: Any, obj: NewsItem, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        news_schedule(obj)  # dated later: the kept pages are made again at its hour
