from typing import cast

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField


class Network(models.Model):
    """A network or working group cities belong to (e.g. the EUROCITIES working group)."""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    slug = models.SlugField(_("short name"), unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=120)
    country = CountryField(_("country"))

    # Charter signature. The seeds often give only a window ("between March 2013 and
    # October 2015"), so the date is stored as the earliest and latest possible day.
    signed_earliest = models.DateField(
        _("signed the Charter, earliest date"), null=True, blank=True
    )
    signed_latest = models.DateField(_("signed the Charter, latest date"), null=True, blank=True)
    signature_source = models.CharField(
        _("source of the signature date"), max_length=300, blank=True
    )

    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population: year"), null=True, blank=True)
    population_source = models.CharField(_("population: source"), max_length=300, blank=True)
    foreign_born_share = models.DecimalField(
        _("foreign-born share (%)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    foreign_born_year = models.PositiveSmallIntegerField(
        _("foreign-born share: year"), null=True, blank=True
    )
    foreign_born_source = models.CharField(
        _("foreign-born share: source"), max_length=300, blank=True
    )

    networks = models.ManyToManyField(
        Network, blank=True, related_name="cities", verbose_name=_("networks")
    )
    summary = models.TextField(_("summary"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Synthetic or demonstration data, not a fact from the sources."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_earliest__isnull=True)
                | models.Q(signed_latest__isnull=True)
                | models.Q(signed_earliest__lte=models.F("signed_latest")),
                name="city_signature_window_ordered",
                violation_error_message=_("The latest signature date is before the earliest."),
            ),
            models.CheckConstraint(
                condition=models.Q(foreign_born_share__isnull=True)
                | models.Q(foreign_born_share__gte=0, foreign_born_share__lte=100),
                name="city_foreign_born_share_is_percentage",
                violation_error_message=_("The foreign-born share is a percentage, 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cities:detail", kwargs={"slug": self.slug})

    @property
    def country_code(self) -> str:
        """The two-letter code. django-countries gives a ``Country``; django-stubs, reading a
        CharField, types the attribute as ``str``."""
        return cast(Country, self.country).code

    @property
    def is_signatory(self) -> bool:
        return self.signed_latest is not None

    @property
    def signature_period(self) -> str:
        """The signature date as precisely as it is known, e.g. "October 2015"."""
        from django.utils.formats import date_format

        if self.signed_latest is None:
            return ""
        latest = date_format(self.signed_latest, "YEAR_MONTH_FORMAT")
        if self.signed_earliest is None:
            return _("by %(date)s") % {"date": latest}
        earliest = date_format(self.signed_earliest, "YEAR_MONTH_FORMAT")
        if earliest == latest:
            return latest
        return _("between %(earliest)s and %(latest)s") % {"earliest": earliest, "latest": latest}
