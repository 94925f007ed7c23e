from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "integratingcities.rounds"
    label = "rounds"
