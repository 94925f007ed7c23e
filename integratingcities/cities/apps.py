from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "integratingcities.cities"
    label = "cities"

    def ready(self) -> None:
        from integratingcities.downloads.registry import register

        from .profile_views import PROFILE_PDF

        register(PROFILE_PDF)
