"""City indicators: what is happening in a city, year by year, beside what it does.

An ``Indicator`` is defined once (by the secretariat, or shipped in content/indicators.yaml);
an ``IndicatorValue`` is one city's figure for one year, with its source and the definition it
follows. Values that came in one import share an ``ImportBatch``, so the import can be undone as
a whole. The city's latest population and foreign-born share are copied onto ``City`` (with
their year and source) because every peer group reads them there.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

YEAR_MIN, YEAR_MAX = 1900, 2100


class Unit(models.TextChoices):
    COUNT = "count", _("number of people")
    PERCENT = "percent", _("per cent")
    RATIO = "ratio", _("ratio")


class Better(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")
    NEITHER = "neither", _("neither: a fact about the city")


class Basis(models.TextChoices):
    """Who counts as a migrant: the definitions differ between countries, and a series that
    changes definition is shown with a break."""

    ALL_RESIDENTS = "all_residents", _("all residents")
    FOREIGN_BORN = "foreign_born", _("born abroad")
    FOREIGN_NATIONALS = "foreign_nationals", _("foreign nationality")
    MIGRANT_BACKGROUND = "migrant_background", _("migrant background")
    REFUGEES = "refugees", _("asylum seekers and refugees")


class Indicator(models.Model):
    key = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    definition = models.TextField(_("definition"))
    source_guidance = models.TextField(_("where to find the figure"), blank=True)
    better = models.CharField(_("which direction is better"), max_length=16, choices=Better.choices)
    basis = models.CharField(
        _("who counts"),
        max_length=24,
        choices=Basis.choices,
        help_text=_("The definition of a migrant the indicator follows, where it has one."),
    )
    reference = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read against"),
        help_text=_(
            "An indicator this one is compared with: staff share against population share, "
            "foreign residents' turnout against all residents'."
        ),
    )
    cities_may_enter = models.BooleanField(
        _("city editors may enter their own city's values"), default=False
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_builtin = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__in=Unit.values), name="indicator_unit_is_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One import of values: who, when, from which file; undone as a whole."""

    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=16)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    value_count = models.PositiveIntegerField(_("values"), default=0)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("import of indicator values")
        verbose_name_plural = _("imports of indicator values")

    def __str__(self) -> str:
        return self.file_name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.CASCADE,
        related_name="indicator_values",
        verbose_name=_("city"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    # Where the source gives a day or a month ("November 2014", "June 2014").
    date = models.DateField(_("date"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    basis = models.CharField(
        _("who counts"),
        max_length=24,
        choices=Basis.choices,
        help_text=_("The definition this figure follows; a change is shown as a break."),
    )
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Not a fact from a source: demonstration data."),
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="values",
        verbose_name=_("import"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["indicator", "city", "year"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "city", "year"], name="one_value_per_city_indicator_year"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX),
                name="indicator_value_year_in_range",
            ),
        ]
        indexes = [models.Index(fields=["city", "indicator", "-year"], name="value_city_latest")]

    def __str__(self) -> str:
        return f"{self.city} · {self.indicator} · {self.year}"
