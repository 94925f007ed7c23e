from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("about/", views.process, name="process"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<slug:slug>/", views.project_detail, name="project"),
    path("conferences/", views.conference_list, name="conferences"),
    path("news/", views.news_list, name="news"),
    path("news/manage/", views.news_manage, name="news_manage"),
    path("news/new/", views.news_edit, name="news_create"),
    path("news/<slug:slug>/", views.news_detail, name="news_detail"),
    path("news/<slug:slug>/edit/", views.news_edit, name="news_edit"),
]
