from urllib.parse import urlencode

from django.urls import path, reverse

from . import views

app_name = "downloads"
urlpatterns = [
    path("file/<uuid:pk>/", views.status, name="status"),
    path("file/<uuid:pk>/download/", views.file, name="file"),
    path("file/<uuid:pk>/retry/", views.retry, name="retry"),
    path("<str:kind>/", views.ask, name="ask"),
]


def link(kind: str, **params: object) -> str:
    """Where a page sends a person for a file: served at once when kept, else made."""
    url = reverse("downloads:ask", kwargs={"kind": kind})
    return f"{url}?{urlencode(params)}" if params else url
