from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "integratingcities.api"
    label = "api"
