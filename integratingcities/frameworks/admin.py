from django.contrib import admin

from .models import Framework, Item, Level, Scale, Section


def _framework_of(obj: object) -> Framework | None:
    if isinstance(obj, Framework):
        return obj
    if isinstance(obj, Section | Scale):
        return obj.framework
    return None


class DraftsOnly:
    """A published version may have answers: it is read, never changed, here as on import."""

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        framework = _framework_of(obj)
        if framework is not None and framework.is_published:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        framework = _framework_of(obj)
        if framework is not None and framework.is_published:
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        framework = _framework_of(obj)
        if framework is not None and framework.is_published:
            return False
        if isinstance(self, admin.ModelAdmin):
            return super().has_add_permission(request)  # type: ignore[misc]
        return super().has_add_permission(request, obj)  # type: ignore[misc]


class SectionInline(DraftsOnly, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "key", "title", "weight", "is_context"]


class ItemInline(DraftsOnly, admin.StackedInline):
    model = Item
    extra = 0
    fields = [
        "position",
        "key",
        "kind",
        "text",
        "guidance",
        "sub_questions",
        "follows",
        "weight",
        "scale",
        "options",
        "required",
    ]


class LevelInline(DraftsOnly, admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(DraftsOnly, admin.ModelAdmin):
    list_display = ["__str__", "lineage", "version", "kind", "status", "published_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["content_hash", "imported_at", "published_at"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(DraftsOnly, admin.ModelAdmin):
    list_display = ["__str__", "framework", "position", "key"]
    list_filter = ["framework"]
    inlines = [ItemInline]


@admin.register(Scale)
class ScaleAdmin(DraftsOnly, admin.ModelAdmin):
    list_display = ["key", "framework"]
    inlines = [LevelInline]
