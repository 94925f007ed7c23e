from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "integratingcities.assessments"
    label = "assessments"
