"""The network report of a round: the secretariat's narrative and highlights, and its editions.

A draft (``Report`` with its ``ReportText`` and ``Highlight`` rows) is the secretariat's work in
progress. Publishing freezes everything the report shows (texts, figures, credited answers) into
an ``Edition``'s snapshot, so that later changes of data never alter a published edition.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The narrative parts of a report that are not tied to a role or a commitment, in their order.
SECTION_KEYS = (
    "foreword",
    "summary",
    "organisation",
    "trends",
    "debates",
    "national",
    "charter_use",
    "challenges",
    "next_steps",
    "method",
)
# Chapter 1 of the report: a narrative, then what each city answered to the Charter survey's
# section of the same key.
CHAPTER_KEYS = ("organisation", "trends", "debates", "national", "charter_use")


class Report(models.Model):
    round = models.OneToOneField(
        "rounds.Round", on_delete=models.CASCADE, related_name="report", verbose_name=_("round")
    )
    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    network = models.CharField(
        _("network"),
        max_length=200,
        blank=True,
        help_text=_("Who publishes the report, as it should be cited (e.g. EUROCITIES)."),
    )
    illustrative_note = models.TextField(
        _("note on illustrative levels"),
        blank=True,
        help_text=_(
            "Shown beside every chart when the round's levels are illustrative; left empty, a "
            "standard sentence is shown."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("network report")
        verbose_name_plural = _("network reports")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:workspace", kwargs={"pk": self.round_id})


class ReportText(models.Model):
    """One narrative part, in Markdown: ``section.<key>``, ``role.<section key>`` (a role's
    overview) or ``commitment.<item key>`` (the trends of a commitment)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="texts")
    key = models.CharField(max_length=120)
    body = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="report_text_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key


class Highlight(models.Model):
    """A city's evidence the secretariat highlights under a commitment, in its own wording."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="highlights")
    # A validated answer with evidence, of the report's round: it names the city and commitment.
    answer = models.ForeignKey(
        "assessments.Answer", on_delete=models.CASCADE, related_name="+", verbose_name=_("answer")
    )
    text = models.TextField(_("text"))
    practice = models.ForeignKey(
        "practices.Practice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("practice of the library"),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "answer"], name="report_highlights_an_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Edition(models.Model):
    """A published edition: numbered from 1 per report, frozen, citable at a stable URL."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveIntegerField(_("edition"))
    published_on = models.DateField(_("published on"))
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("what changed"), blank=True)
    # Every text and figure the edition shows (see selectors.snapshot).
    snapshot = models.JSONField(editable=False)

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="edition_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="edition_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:edition", kwargs={"pk": self.report.round_id, "number": self.number}
        )
