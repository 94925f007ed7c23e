"""The audit trail: who decided what, when, about which object, and from which state.

A row's own history (every version of an answer, a practice) is kept by django-simple-history;
an ``AuditEntry`` records a decision or an event that is not one row's new version: a survey
submitted, changes asked for, a published round corrected, cities invited. Services write them
through ``audit.services.log_action``; nothing else does.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    ASSESSMENT_STARTED = "assessment.started", _("Answers started")
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("Answers submitted")
    ASSESSMENT_CHANGES_REQUESTED = "assessment.changes_requested", _("Changes requested")
    ASSESSMENT_VALIDATED = "assessment.validated", _("Answers validated")
    # The secretariat takes a validation back (validated in error), with a reason.
    ASSESSMENT_CORRECTED = "assessment.corrected", _("Validation taken back")
    ASSESSMENT_COMMENT_ADDED = "assessment.comment_added", _("Comment added")
    ASSESSMENT_SHARING_CHANGED = "assessment.sharing_changed", _("Evidence sharing changed")
    # An editor started from the city's previous answers ("Start from last time").
    ASSESSMENT_CARRIED_OVER = "assessment.carried_over", _("Started from earlier answers")
    ROUND_OPENED = "round.opened", _("Round opened")
    ROUND_CITIES_INVITED = "round.cities_invited", _("Cities invited")
    ROUND_REMINDED = "round.reminded", _("Reminder sent")
    ROUND_CLOSED = "round.closed", _("Round closed")
    ROUND_PUBLISHED = "round.published", _("Round published")
    ROUND_CORRECTED = "round.corrected", _("Published round corrected")
    PRACTICE_PROPOSED = "practice.proposed", _("Practice proposed")
    PRACTICE_PUBLISHED = "practice.published", _("Practice published")
    PRACTICE_SENT_BACK = "practice.sent_back", _("Practice sent back")
    PRACTICE_WITHDRAWN = "practice.withdrawn", _("Practice withdrawn")
    FRAMEWORK_IMPORTED = "framework.imported", _("Framework imported")
    FRAMEWORK_PUBLISHED = "framework.published", _("Framework published")
    # The network report of a round: its narrative and highlights, and each published edition.
    REPORT_TEXT_SAVED = "report.text_saved", _("Report text saved")
    REPORT_HIGHLIGHT_ADDED = "report.highlight_added", _("Report highlight added")
    REPORT_HIGHLIGHT_REMOVED = "report.highlight_removed", _("Report highlight removed")
    REPORT_HIGHLIGHT_MOVED = "report.highlight_moved", _("Report highlight moved")
    REPORT_EDITION_PUBLISHED = "report.edition_published", _("Report edition published")
    # Mentoring: a scheme formed or changed, a roadmap's rows changed (what, in the details),
    # an action's owner city reminded of its due date.
    SCHEME_CREATED = "scheme.created", _("Mentoring scheme formed")
    SCHEME_CHANGED = "scheme.changed", _("Mentoring scheme changed")
    ROADMAP_CHANGED = "roadmap.changed", _("Roadmap changed")
    ROADMAP_ACTION_REMINDED = "roadmap.action_reminded", _("Roadmap action reminded")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64, choices=Action.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of object")
    )
    target_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("target_type", "target_id")
    # Whose data it concerns: lets a city's people be shown their own entries later.
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Small details: counts, item ids. Never whole answers.
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="audit_action_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
