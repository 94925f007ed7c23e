from django.urls import path

from . import matching_views, views

app_name = "mentoring"
urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("new/", views.scheme_create, name="create"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("roadmaps/<int:pk>/", views.roadmap_detail, name="roadmap"),
    path("roadmaps/<int:pk>/edit/", views.roadmap_edit, name="roadmap_edit"),
    path("roadmaps/<int:pk>/comments/", views.comment, name="comment"),
    path("roadmaps/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("roadmaps/<int:pk>/visits/<int:row>/edit/", views.visit_edit, name="visit_edit"),
    path("roadmaps/<int:pk>/visits/<int:row>/delete/", views.visit_delete, name="visit_delete"),
    path(
        "roadmaps/<int:pk>/objectives/<int:objective>/actions/new/",
        views.action_new,
        name="action_new",
    ),
    path("roadmaps/<int:pk>/<slug:kind>/new/", views.row_new, name="row_new"),
    path("roadmaps/<int:pk>/<slug:kind>/<int:row>/edit/", views.row_edit, name="row_edit"),
    path("roadmaps/<int:pk>/<slug:kind>/<int:row>/delete/", views.row_delete, name="row_delete"),
]
urlpatterns += matching_views.urlpatterns  # mentor matching (issue 15, part 2)
