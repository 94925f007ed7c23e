from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "integratingcities.network"
    label = "network"
