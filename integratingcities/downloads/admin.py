from django.contrib import admin

from .models import Download


@admin.register(Download)
class DownloadAdmin(admin.ModelAdmin[Download]):
    list_display = ["title", "kind", "status", "progress", "size", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in Download._meta.fields if field.name != "content"]
    exclude = ["content"]
