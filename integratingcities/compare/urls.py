from django.urls import path

from . import views

app_name = "compare"
urlpatterns = [
    path("", views.page, name="page"),
    path("data.csv", views.data_csv, name="csv"),
    path("chart.svg", views.chart_svg, name="chart"),
]
