from django.urls import URLPattern

# The secretariat's pages: catalogue, values, imports.
urlpatterns: list[URLPattern] = []
