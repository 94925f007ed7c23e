from django.urls import path

from . import views

app_name = "toolkits"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("upload/", views.upload, name="upload"),
    path("self-tests/<int:pk>/", views.results, name="results"),
    path("self-tests/<int:pk>/chart/<slug:kind>.svg", views.chart, name="chart"),
    path("self-tests/<int:pk>/sharing/", views.sharing, name="sharing"),
    path("<slug:key>/", views.benchmark, name="benchmark"),
    path("<slug:key>/v<int:version>/", views.version, name="version"),
    path("<slug:key>/v<int:version>/publish/", views.publish, name="publish"),
    path("<slug:key>/self-test/", views.start, name="start"),
]
