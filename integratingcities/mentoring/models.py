"""Mentoring schemes: mentor and implementing cities on one theme, each implementing city's
roadmap (objectives, actions, local support group, progress reports, comments) and the visits.

A scheme is public (its theme, project, period and cities by role); a roadmap is not: who may
read or change it is decided in ``integratingcities.permissions``.

A scheme's theme is the name the project gave it, and the toolkit that is that theme's home in
the catalogue where there is one. The toolkit's key is the lineage of its benchmark, whose key
factors the roadmap's objectives are tied to; several themes of the projects (all but one of
ImpleMentoring's and CITIES GROW's) have no benchmark file on the platform yet, and one has no
toolkit at all, so the theme cannot simply be a framework.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 10_000


class SchemeRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor city")
    IMPLEMENTING = "implementing", _("Implementing city")


class Scheme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    theme = models.CharField(
        _("theme"), max_length=300, help_text=_("The theme as the project names it.")
    )
    toolkit = models.ForeignKey(
        "toolkits.Toolkit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schemes",
        verbose_name=_("toolkit"),
        help_text=_("The theme's benchmark in the catalogue, where there is one."),
    )
    project = models.CharField(_("project"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The sources often give only years ("2012-2014"): said in words beside the dates.
    period_note = models.CharField(_("period, in words"), max_length=120, blank=True)
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    # The facilitator's person on the platform, if any: they read and comment on the roadmaps.
    facilitator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_schemes",
        verbose_name=_("facilitator's account"),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before an action is due"), default=7
    )
    remind_days_after = models.PositiveSmallIntegerField(
        _("remind days after an action is overdue"), default=7
    )
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Which city mentored which is not a fact from the sources."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("mentoring scheme")
        verbose_name_plural = _("mentoring schemes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="scheme_ends_after_it_starts",
                violation_error_message=_("The scheme ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentoring:scheme", kwargs={"pk": self.pk})

    @property
    def lineage(self) -> str:
        """The benchmark lineage of the theme ('' where the theme has no toolkit)."""
        return self.toolkit.key if self.toolkit_id and self.toolkit else ""


class SchemeCity(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="members")
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="schemes")
    role = models.CharField(_("role"), max_length=16, choices=SchemeRole.choices)

    class Meta:
        ordering = ["scheme", "role", "city__name"]
        verbose_name = _("city in a scheme")
        verbose_name_plural = _("cities in schemes")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "city"], name="one_role_per_city_in_scheme"),
            models.CheckConstraint(
                condition=models.Q(role__in=SchemeRole.values), name="scheme_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.city} · {self.get_role_display()}"


class Roadmap(models.Model):
    """One implementing city's plan in a scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="roadmaps")
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="roadmaps")
    summary = models.TextField(_("summary"), blank=True, max_length=MAX_TEXT)
    # The city's validated self-test of the theme when the roadmap was written, and a later one.
    baseline = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline self-test"),
    )
    follow_up = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up self-test"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moved by every service that changes the roadmap or one of its rows: the PDF's version.
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["scheme", "city__name"]
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "city"], name="one_roadmap_per_city"),
        ]

    def __str__(self) -> str:
        return f"{self.city} · {self.scheme}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:roadmap", kwargs={"pk": self.pk})


class Objective(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=300)
    key_factors = models.ManyToManyField(
        "frameworks.Section", blank=True, related_name="+", verbose_name=_("key factors")
    )
    gap = models.TextField(_("gap"), max_length=MAX_TEXT)
    root_cause = models.TextField(_("root cause"), blank=True, max_length=MAX_TEXT)
    change_sought = models.TextField(_("change sought"), max_length=MAX_TEXT)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["roadmap", "created_at", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


# An action in one of these states is finished: never late, never reminded.
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)


class Action(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.CharField(_("owner"), max_length=200)
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    resources = models.TextField(_("resources"), blank=True, max_length=MAX_TEXT)
    funding_source = models.CharField(_("funding source"), max_length=300, blank=True)
    expected_output = models.TextField(_("expected output"), blank=True, max_length=MAX_TEXT)
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    evidence = models.TextField(_("evidence"), blank=True, max_length=MAX_TEXT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values),
                name="action_status_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(due_on__gte=models.F("starts_on")),
                name="action_due_after_it_starts",
                violation_error_message=_("The action is due before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_late(self, today: date) -> bool:
        """Past its due date and not finished."""
        return not self.is_closed and self.due_on < today


class ReminderWhen(models.TextChoices):
    BEFORE = "before", _("Before the due date")
    AFTER = "after", _("After the due date")


class ActionReminder(models.Model):
    """A reminder sent about an action: each (before, after) goes once per due date, however
    often the job runs; an action given a new due date is reminded again."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    when = models.CharField(max_length=8, choices=ReminderWhen.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action reminder")
        verbose_name_plural = _("action reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "when", "due_on"], name="one_reminder_per_action_and_due_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.when} {self.due_on}"


class SupportGroupType(models.TextChoices):
    MIGRANT_ORGANISATION = "migrant_organisation", _("Migrant organisation")
    NGO = "ngo", _("NGO")
    EMPLOYER = "employer", _("Employer")
    TRADE_UNION = "trade_union", _("Trade union")
    EQUALITY_BODY = "equality_body", _("Equality body")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    OTHER = "other", _("Other")


class SupportGroupMember(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="support_group")
    name = models.CharField(_("person or organisation"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=24, choices=SupportGroupType.choices)
    role = models.CharField(_("role in the group"), max_length=200, blank=True)

    class Meta:
        ordering = ["roadmap", "type", "name"]
        verbose_name = _("support group member")
        verbose_name_plural = _("support group members")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=SupportGroupType.values),
                name="support_group_type_is_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="visits")
    host = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("host city")
    )
    visited_on = models.DateField(_("date"))
    who_came = models.TextField(_("who came"), max_length=MAX_TEXT)
    notes = models.TextField(_("notes"), blank=True, max_length=MAX_TEXT)
    recommendations = models.TextField(_("recommendations"), blank=True, max_length=MAX_TEXT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["scheme", "-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.host} · {self.visited_on}"


class ProgressReport(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="progress_reports")
    reported_on = models.DateField(_("date"))
    period = models.CharField(_("period"), max_length=120, blank=True)
    what_changed = models.TextField(_("what changed"), max_length=MAX_TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["roadmap", "-reported_on", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.roadmap} · {self.reported_on}"


class RoadmapComment(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["roadmap", "created_at", "id"]
        verbose_name = _("comment on a roadmap")
        verbose_name_plural = _("comments on roadmaps")

    def __str__(self) -> str:
        return f"{self.roadmap} · {self.created_at:%Y-%m-%d}"
