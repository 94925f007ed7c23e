from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "emailed_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "subject"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["recipient", "kind", "subject", "body", "url", "created_at", "emailed_at"]
