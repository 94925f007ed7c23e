from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "integratingcities.practices"
    label = "practices"
