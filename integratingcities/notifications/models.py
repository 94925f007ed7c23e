"""What the platform told a person, and what each person chose not to be told.

A notification is kept as it was sent (subject and text rendered in the person's language at
that time), so that the list on the home page and the e-mail say the same thing.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SURVEY_OPENED = "survey_opened", _("A survey is opened to my city")
    REMINDER = "reminder", _("A deadline is near and my city has not submitted")
    SUBMITTED = "submitted", _("A city I review submits its answers")
    CHANGES_REQUESTED = "changes_requested", _("Changes are asked for in my city's answers")
    VALIDATED = "validated", _("My city's answers are validated")
    ROUND_PUBLISHED = "round_published", _("The results of a round my city took part in are out")
    PRACTICE_DECIDED = "practice_decided", _("A practice of my city is published or sent back")
    ACTION_DUE = "action_due", _("An action of my city's mentoring roadmap is due or overdue")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    # A path on this site (the e-mail carries it with SITE_URL in front).
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="notification_kind_is_known"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OptOut(models.Model):
    """A kind of notification a person chose not to receive (neither e-mail nor list entry)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)

    class Meta:
        verbose_name = _("notification turned off")
        verbose_name_plural = _("notifications turned off")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
