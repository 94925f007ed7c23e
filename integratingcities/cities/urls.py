from django.urls import path

from . import profile_views, views

app_name = "cities"

urlpatterns = [
    path("signatories/", views.signatories, name="signatories"),
    path("cities/", views.city_list, name="list"),
    path("cities/new/", views.city_edit, name="create"),
    path("cities/<slug:slug>/", views.city_detail, name="detail"),
    path("cities/<slug:slug>/edit/", views.city_edit, name="edit"),
    path("cities/<slug:slug>/team/", views.city_team_view, name="team"),
    path("cities/<slug:slug>/profile/", profile_views.city_profile_view, name="profile"),
]
