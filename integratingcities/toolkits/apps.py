from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitsConfig(AppConfig):
    name = "integratingcities.toolkits"
    verbose_name = _("Toolkits and benchmarks")
