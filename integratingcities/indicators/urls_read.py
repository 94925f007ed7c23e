from django.urls import URLPattern, path, register_converter
from django.urls.converters import SlugConverter

from . import exports, views


class IndicatorKey(SlugConverter):
    """An indicator's key, but never a word the other indicator pages start with."""

    regex = r"(?!(?:cities|manage)/)[-a-zA-Z0-9_]+"


register_converter(IndicatorKey, "indicator")

# Reading pages: a city's indicators over time, an indicator across the network.
urlpatterns: list[URLPattern] = [
    path("", views.indicator_list, name="list"),
    path("cities/<slug:slug>/", views.city_indicators, name="city"),
    path("cities/<slug:slug>/<slug:key>.svg", views.city_chart, name="city_chart"),
    path("<indicator:key>/", views.indicator_detail, name="detail"),
    path("<indicator:key>/chart.svg", views.indicator_chart, name="chart"),
    path("values.csv", exports.export_csv, name="export_csv"),
]
