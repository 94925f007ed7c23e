from django.urls import path

from . import exports, views

app_name = "practices"

urlpatterns = [
    path("", views.library, name="library"),
    path("practices.csv", views.export_csv, name="export_csv"),
    path("practices.json", views.export_json, name="export_json"),
    path("practices.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("proposals/", views.proposals, name="proposals"),
    path("propose/<int:answer_id>/", views.propose, name="propose"),
    path("<slug:key>/", views.practice_detail, name="detail"),
    path("<slug:key>/edit/", views.practice_edit, name="edit"),
    path("<slug:key>/submit/", views.submit, name="submit"),
    path("<slug:key>/publish/", views.publish, name="publish"),
    path("<slug:key>/send-back/", views.send_back, name="send_back"),
]
