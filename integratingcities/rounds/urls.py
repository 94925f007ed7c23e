from django.urls import path

from . import views

app_name = "rounds"

urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_create, name="create"),
    path("<int:pk>/", views.round_board, name="board"),
    path("<int:pk>/remind/", views.round_remind_view, name="remind"),
    path("<int:pk>/close/", views.round_close_view, name="close"),
    path("<int:pk>/publish/", views.round_publish_view, name="publish"),
    path("<int:pk>/invite/", views.round_invite_view, name="invite"),
    path("<int:pk>/correct/", views.round_correct_view, name="correct"),
    path("<int:pk>/results/", views.round_results, name="results"),
    path("<int:pk>/results/chart/<slug:key>.svg", views.round_chart, name="chart"),
    path("<int:pk>/results/<slug:slug>/", views.city_results, name="city_results"),
]
