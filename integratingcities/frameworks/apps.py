from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "integratingcities.frameworks"
    label = "frameworks"
