from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "integratingcities.mentoring"
    label = "mentoring"
    verbose_name = _("mentoring schemes")

    def ready(self) -> None:
        from integratingcities.downloads.registry import register

        from .downloads import ROADMAP_PDF

        register(ROADMAP_PDF)
