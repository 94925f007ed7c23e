"""The good-practice library: what named cities did, tied to Charter commitments and key factors.

A practice is structured as practitioners' libraries are (Cities of Migration's "Good Ideas"):
what the city did, for whom, with which partners, the results, the body responsible and what
another city needs to transfer it. A field the source does not give stays empty.

Full-text search lives in ``search.py``: on PostgreSQL the ``search_vector`` column below; on
SQLite an FTS5 table, seen by the ORM through the unmanaged ``PracticeSearchRow``.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Lookup
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

CHARTER_LINEAGE = "charter"
YEAR_MIN, YEAR_MAX = 1900, 2100


class PracticeSource(models.TextChoices):
    REPORT_2015 = (
        "report-2015",
        _('"Cities and Migrants: Implementing the Integrating Cities Charter" (EUROCITIES, 2015)'),
    )
    TOOLKIT_2018 = (
        "toolkit-2018",
        _(
            'CITIES GROW toolkit "Anti-discrimination strategies for the local job market"'
            " (EUROCITIES, 2018)"
        ),
    )
    SUBMITTED = "submitted", _("Evidence submitted by a city")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed for publication")
    RETURNED = "returned", _("Sent back to the city")
    PUBLISHED = "published", _("Published")


class PracticeQuerySet(models.QuerySet["Practice"]):
    def published(self) -> "PracticeQuerySet":
        return self.filter(status=PracticeStatus.PUBLISHED)


class Practice(models.Model):
    key = models.SlugField(_("short name"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=300)
    city = models.ForeignKey(
        "cities.City", on_delete=models.PROTECT, related_name="practices", verbose_name=_("city")
    )
    other_cities = models.ManyToManyField(
        "cities.City",
        blank=True,
        related_name="shared_practices",
        verbose_name=_("other cities"),
        help_text=_("Cities the source credits together with the first one."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
    )
    summary = models.TextField(
        _("summary"), help_text=_("Markdown: paragraphs, **bold**, lists, links.")
    )
    what = models.TextField(_("what the city did"), blank=True)
    for_whom = models.TextField(_("for whom"), blank=True)
    partners = models.TextField(_("partners"), blank=True)
    results = models.TextField(_("results and indicators of success"), blank=True)
    responsible_body = models.TextField(_("responsible body"), blank=True)
    transfer = models.TextField(_("what another city needs to transfer it"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=PracticeSource.choices)
    source_section = models.CharField(_("section of the source"), max_length=300, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    review_comment = models.TextField(_("comment from the secretariat"), blank=True)
    from_answer = models.ForeignKey(
        "assessments.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("proposed from the answer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Synthetic or demonstration data, not a fact from the sources."),
    )
    # PostgreSQL full-text search (search.py keeps it up to date); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_vector", "updated_at"])

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PracticeStatus.values),
                name="practice_status_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=PracticeSource.values),
                name="practice_source_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(year__isnull=True)
                | models.Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX),
                name="practice_year_in_range",
                violation_error_message=_("The year must be between 1900 and 2100."),
            ),
            models.UniqueConstraint(fields=["from_answer"], name="one_practice_per_answer"),
        ]
        indexes = [
            models.Index(fields=["status", "title"]),
            models.Index(fields=["status", "year"]),
            models.Index(fields=["status", "source"]),
            # A practice's related practices rank every published practice that shares a theme
            # by year and title: read from this narrow index, not from the rows' long texts.
            models.Index(
                fields=["id", "year", "title"],
                condition=models.Q(status=PracticeStatus.PUBLISHED),
                name="practice_published_ranked",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", kwargs={"key": self.key})

    @property
    def is_published(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED

    @property
    def is_proposed(self) -> bool:
        return self.status == PracticeStatus.PROPOSED

    @property
    def is_editable_by_city(self) -> bool:
        """The city edits a draft and a practice sent back; not while it is reviewed."""
        return self.status in {PracticeStatus.DRAFT, PracticeStatus.RETURNED}


class PracticeTheme(models.Model):
    """What a practice illustrates, as rows so that filters and counts run in the database.

    A Charter commitment: lineage "charter", section_key the role, item_key the commitment.
    A benchmark key factor: lineage the benchmark's, section_key the key factor, item_key "".
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="themes")
    lineage = models.SlugField(_("framework"), max_length=80)
    section_key = models.SlugField(_("role or key factor"), max_length=80)
    item_key = models.SlugField(_("commitment"), max_length=80, blank=True)

    class Meta:
        ordering = ["lineage", "section_key", "item_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "lineage", "section_key", "item_key"],
                name="practice_theme_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["lineage", "item_key", "practice"]),
            models.Index(fields=["lineage", "section_key", "practice"]),
        ]

    def __str__(self) -> str:
        return "/".join(part for part in (self.lineage, self.section_key, self.item_key) if part)

    @property
    def is_commitment(self) -> bool:
        return self.lineage == CHARTER_LINEAGE


class FtsColumn(models.TextField):
    """A column of the SQLite FTS5 table; ``__match`` searches the whole table."""


@FtsColumn.register_lookup
class FtsMatch(Lookup):
    """``<alias>.<table> MATCH %s``: FTS5's hidden column named after the table, which also
    works when the table is joined under an alias (as inside a subquery)."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        rhs, rhs_params = self.process_rhs(compiler, connection)
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        column = connection.ops.quote_name(self.lhs.target.model._meta.db_table)
        return f"{table}.{column} MATCH {rhs}", rhs_params


class PracticeSearchRow(models.Model):
    """The SQLite FTS5 table (created by migration 0002 on SQLite only). Never used on
    PostgreSQL; read through ``Practice.objects.filter(search_row__title__match=...)``."""

    practice = models.OneToOneField(
        Practice,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        related_name="search_row",
    )
    title = FtsColumn()
    places = FtsColumn()
    body = FtsColumn()
    # FTS5's hidden rank column: bm25 with the column weights set in the migration.
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "practices_practice_fts"

    def __str__(self) -> str:
        return self.title
