from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "integratingcities.indicators"
    label = "indicators"
    verbose_name = _("city indicators")

    def ready(self) -> None:
        from integratingcities.lib.page_cache import warm_after_clearing

        from .tasks import warm_indicator_pages

        warm_after_clearing(self, warm_indicator_pages.enqueue)
