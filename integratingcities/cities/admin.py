from django.contrib import admin

from .models import City, Network


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "country",
        "signed_earliest",
        "signed_latest",
        "population",
        "is_illustrative",
    ]
    list_filter = ["country", "networks", "is_illustrative"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["networks"]
