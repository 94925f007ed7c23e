from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "integratingcities.reports"
    label = "reports"
    verbose_name = _("the network report")

    def ready(self) -> None:
        from integratingcities.downloads.registry import register

        from .downloads import EDITION_PDF

        register(EDITION_PDF)
