from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompareConfig(AppConfig):
    name = "integratingcities.compare"
    label = "compare"
    verbose_name = _("comparison")
