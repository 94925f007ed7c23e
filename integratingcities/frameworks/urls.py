from django.urls import path

from . import views

app_name = "frameworks"

urlpatterns = [
    path("charter/", views.charter, name="charter"),
    path("frameworks/", views.framework_list, name="list"),
    path("frameworks/<slug:lineage>/v<int:version>/", views.framework_detail, name="detail"),
]
