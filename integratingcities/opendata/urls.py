from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.licence_settings, name="settings"),
    path("datapackage.json", views.datapackage, name="datapackage"),
    path("rounds/<int:pk>/answers.csv", views.round_answers, name="round_answers"),
    path("rounds/<int:pk>/summary.csv", views.round_summary, name="round_summary"),
    path("rounds/<int:pk>/data.json", views.round_json, name="round_json"),
    path(
        "benchmarks/<slug:lineage>/answers.csv", views.benchmark_answers, name="benchmark_answers"
    ),
    path(
        "benchmarks/<slug:lineage>/summary.csv", views.benchmark_summary, name="benchmark_summary"
    ),
    path("benchmarks/<slug:lineage>/data.json", views.benchmark_json, name="benchmark_json"),
]
