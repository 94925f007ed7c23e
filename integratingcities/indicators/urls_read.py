from django.urls import URLPattern

# Reading pages: a city's indicators over time, an indicator across the network.
urlpatterns: list[URLPattern] = []
