"""A monitoring round: one framework version, a window, and the cities invited to answer."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


def default_reminder_days() -> list[int]:
    return [14, 3]


class Round(models.Model):
    title = models.CharField(_("title"), max_length=200)
    framework = models.ForeignKey(
        "frameworks.Framework",
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("framework version"),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    # Days before the deadline on which cities that have not submitted are reminded, by a
    # background job; reminders_sent keeps which of them went, so each goes once.
    reminder_days = models.JSONField(
        _("reminders, in days before the deadline"), default=default_reminder_days, blank=True
    )
    reminders_sent = models.JSONField(default=list, blank=True, editable=False)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Demonstration answers, not the cities' real answers."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when results are published again after a correction (the reason is in the audit trail).
    revised_at = models.DateTimeField(_("revised"), null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_it_opens",
                violation_error_message=_("A round cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rounds:board", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED
