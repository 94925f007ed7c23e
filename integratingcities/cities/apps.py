from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "integratingcities.cities"
    label = "cities"
