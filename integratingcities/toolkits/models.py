"""The catalogue of Integrating Cities toolkits, each the home of one benchmark lineage.

A toolkit's content (standard, key factors, guide questions, examples, context factors) is a
framework of kind "benchmark" whose lineage is the toolkit's key; an entry without one is listed
honestly as not loaded yet.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from integratingcities.lib.translation import translate


class Toolkit(models.Model):
    key = models.SlugField(
        _("key"), max_length=60, unique=True, help_text=_("The lineage of its benchmark file.")
    )
    title = models.JSONField(_("title"))
    project = models.ForeignKey(
        "network.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="toolkits",
        verbose_name=_("project"),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    note = models.JSONField(_("note"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["year", "position"]
        verbose_name = _("toolkit")
        verbose_name_plural = _("toolkits")

    def __str__(self) -> str:
        return translate(self.title)

    def get_absolute_url(self) -> str:
        return reverse("toolkits:benchmark", kwargs={"key": self.key})
