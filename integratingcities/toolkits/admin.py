from django.contrib import admin

from .models import Toolkit


@admin.register(Toolkit)
class ToolkitAdmin(admin.ModelAdmin):
    list_display = ("key", "__str__", "project", "year")
    list_filter = ("project", "year")
    search_fields = ("key",)
