"""The open data licence the secretariat chose: one row, read by every file and page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Licence(models.TextChoices):
    """Open licences a data portal commonly offers, by their SPDX identifier."""

    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0 International (CC BY 4.0)")
    CC_BY_SA_4 = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0 = "CC0-1.0", _("Creative Commons Zero 1.0: public domain dedication (CC0 1.0)")
    ODC_BY = "ODC-By-1.0", _("Open Data Commons Attribution License 1.0 (ODC-By)")
    ODBL = "ODbL-1.0", _("Open Data Commons Open Database License 1.0 (ODbL)")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class OpenDataSettings(models.Model):
    """The licence of every published dataset, and how to credit it. One row (pk 1); until the
    secretariat saves it, the defaults (CC BY 4.0) apply."""

    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_4
    )
    attribution = models.TextField(
        _("how to credit the data"),
        blank=True,
        default="Integrating Cities platform, EUROCITIES.",
        help_text=_("Shown beside the licence and written into every file. Markdown."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("open data settings")
        verbose_name_plural = _("open data settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(licence__in=Licence.values), name="opendata_licence_is_known"
            ),
            models.CheckConstraint(condition=models.Q(pk=1), name="opendata_settings_one_row"),
        ]

    def __str__(self) -> str:
        return str(self.get_licence_display())

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS[Licence(self.licence)]
