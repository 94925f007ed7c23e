"""One city's answers to one framework version, with their workflow and full history."""

from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AssessmentState(models.TextChoices):
    INVITED = "invited", _("Invited")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    VALIDATED = "validated", _("Validated")


# States in which the city may still change its answers.
EDITABLE_STATES = {
    AssessmentState.INVITED,
    AssessmentState.IN_PROGRESS,
    AssessmentState.CHANGES_REQUESTED,
}


class AssessmentKind(models.TextChoices):
    """What an assessment is for. Only a survey belongs to a round; only validated self-tests
    are compared with peers (a mentoring baseline or follow-up never joins them)."""

    SURVEY = "survey", _("Survey of a monitoring round")
    SELF_TEST = "self_test", _("Self-test")
    BASELINE = "baseline", _("Mentoring baseline")
    FOLLOW_UP = "follow_up", _("Mentoring follow-up")


def _with_kind(assessment: "Assessment") -> "Assessment":
    """A kind left empty follows from the round: a survey in a round, a self-test outside."""
    if not assessment.kind:
        assessment.kind = (
            AssessmentKind.SURVEY if assessment.round_id is not None else AssessmentKind.SELF_TEST
        )
    return assessment


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def surveys(self) -> "AssessmentQuerySet":
        """Assessments answering a monitoring round."""
        return self.filter(kind=AssessmentKind.SURVEY)

    def self_tests(self) -> "AssessmentQuerySet":
        """Free-standing self-tests against a benchmark (no round, no mentoring)."""
        return self.filter(kind=AssessmentKind.SELF_TEST)

    # django-stubs does not bind the model type of a queryset declared before its model.
    def create(self, **kwargs: Any) -> "Assessment":  # type: ignore[override]
        if not kwargs.get("kind"):
            in_round = kwargs.get("round") is not None or kwargs.get("round_id") is not None
            kwargs["kind"] = AssessmentKind.SURVEY if in_round else AssessmentKind.SELF_TEST
        return cast("Assessment", super().create(**kwargs))

    def bulk_create(  # type: ignore[override]
        self, objs: Iterable["Assessment"], *args: Any, **kwargs: Any
    ) -> list["Assessment"]:
        objs = [_with_kind(obj) for obj in objs]
        return cast("list[Assessment]", super().bulk_create(objs, *args, **kwargs))  # type: ignore[arg-type]

    def recount_answered(self) -> int:
        """Set ``answered_count`` from the answers, in one UPDATE: for the paths that write
        answers in bulk (demonstration data, benchmarks), which the answer service does not see."""
        answered = (
            Answer.objects.filter(assessment_id=models.OuterRef("pk"), is_answered=True)
            .order_by()
            .values("assessment_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.update(
            answered_count=Coalesce(
                models.Subquery(answered, output_field=models.IntegerField()), 0
            )
        )


class Assessment(models.Model):
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="assessments")
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="assessments"
    )
    round = models.ForeignKey(
        "rounds.Round",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
    )
    # Left empty, it is set on creation from the round (see ``_with_kind``).
    kind = models.CharField(
        _("kind"), max_length=20, choices=AssessmentKind.choices, default="", editable=False
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AssessmentState.choices,
        default=AssessmentState.INVITED,
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # How many answers give something (``Answer.is_answered``): kept by the services that save
    # answers, in their transaction, so the response board sorts 20,000 cities by it through an
    # index instead of counting every city's answers first. ``recount_answered`` sets it anew.
    answered_count = models.PositiveIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)
    share_evidence = models.BooleanField(
        _("share our evidence"),
        default=False,
        help_text=_(
            "Other cities may read this assessment's evidence, and the context factors it cites, "
            "where the city meets a key factor."
        ),
    )
    # Section results and top-level items, recorded at validation (validated answers never
    # change): see results.scores.record. None until then.
    scores = models.JSONField(null=True, blank=True, editable=False)
    # The earlier assessment of the city whose answers this one started from ("Start from
    # last time"), if it did; its answers then carry ``Answer.is_carried_over`` until confirmed.
    carried_over_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("started from"),
    )
    # Not auto_now_add: the surveys a round invites at once share one moment, so that lists
    # sorted newest first read them in their cities' order (round_invite).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["city__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "city"], name="one_assessment_per_city_and_round"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=AssessmentState.values),
                name="assessment_state_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AssessmentKind.values),
                name="assessment_kind_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=AssessmentKind.SURVEY, round__isnull=False)
                | (~models.Q(kind=AssessmentKind.SURVEY) & models.Q(round__isnull=True)),
                name="a_survey_and_only_a_survey_has_a_round",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "state"]),
            models.Index(fields=["round", "answered_count"], name="assessment_round_answered"),
            models.Index(fields=["kind", "state"], name="assessment_kind_state"),
        ]

    def __str__(self) -> str:
        return f"{self.city} · {self.framework}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_self_test(self) -> bool:
        return self.kind == AssessmentKind.SELF_TEST


class Answer(models.Model):
    """The answer to one item. ``version`` grows with every save and detects conflicts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey("frameworks.Item", on_delete=models.PROTECT, related_name="answers")
    level = models.ForeignKey(
        "frameworks.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    choices = models.JSONField(_("choices"), default=list, blank=True)
    number = models.DecimalField(
        _("number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("answer"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    # Whether anything is given; kept with the row so progress is counted in the database.
    is_answered = models.BooleanField(default=False)
    # Copied from the city's previous assessment and not yet confirmed by an editor: saving the
    # answer (changed, or confirmed as it is) clears it.
    is_carried_over = models.BooleanField(_("carried over, to be confirmed"), default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["item__section__position", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.item.key}"

    def has_content(self) -> bool:
        return bool(self.level_id or self.choices or self.number is not None or self.text.strip())


class Comment(models.Model):
    """A reviewer's or the secretariat's remark on one answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey("frameworks.Item", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]
