from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/sections/<slug:key>/", views.section_edit, name="section"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/carry-over/", views.carry_over, name="carry_over"),
    path("<int:pk>/history/", views.answer_history, name="history"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/request-changes/", views.request_changes, name="request_changes"),
    path("<int:pk>/validate/", views.validate, name="validate"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
]
