from django.urls import URLPattern, path

from . import manage_views as views

# The secretariat's pages: catalogue, values, imports.
urlpatterns: list[URLPattern] = [
    path("manage/", views.manage, name="manage"),
    path("manage/indicators/new/", views.indicator_new, name="indicator_new"),
    path("manage/indicators/<slug:key>/edit/", views.indicator_edit, name="indicator_edit"),
    path("manage/import/", views.import_values, name="import"),
    path("manage/imports/<int:pk>/undo/", views.undo, name="import_undo"),
    path("manage/template.csv", views.template_csv, name="template_csv"),
    path("manage/template.xlsx", views.template_xlsx, name="template_xlsx"),
    path("manage/values/", views.values, name="values"),
    path("manage/values/new/", views.value_new, name="value_new"),
    path("manage/values/<int:pk>/delete/", views.value_remove, name="value_delete"),
]
