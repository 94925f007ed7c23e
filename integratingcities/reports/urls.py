from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.workspace, name="workspace"),
    path("<int:pk>/cover/", views.cover, name="cover"),
    path("<int:pk>/write/<str:key>/", views.write, name="write"),
    path("<int:pk>/commitments/<slug:key>/", views.commitment, name="commitment"),
    path("<int:pk>/highlights/add/", views.highlight_add_view, name="highlight_add"),
    path(
        "<int:pk>/highlights/<int:hid>/remove/",
        views.highlight_remove_view,
        name="highlight_remove",
    ),
    path("<int:pk>/highlights/<int:hid>/move/", views.highlight_move_view, name="highlight_move"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/editions/<int:number>/", views.edition_detail, name="edition"),
]
