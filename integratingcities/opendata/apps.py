from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "integratingcities.opendata"
    label = "opendata"
    verbose_name = _("open data and exports")

    def ready(self) -> None:
        from integratingcities.downloads.registry import register

        from .builders import BUILDERS

        for builder in BUILDERS:
            register(builder)
