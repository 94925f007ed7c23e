from django.contrib import admin

from .models import Framework, Item, Level, Scale, Section


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "key", "title", "weight", "is_context"]


class ItemInline(admin.StackedInline):
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


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "lineage", "version", "kind", "status", "published_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["content_hash", "imported_at", "published_at"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "framework", "position", "key"]
    list_filter = ["framework"]
    inlines = [ItemInline]


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["key", "framework"]
    inlines = [LevelInline]
