import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("being made")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class Download(models.Model):
    """A file made in the background (a PDF, a workbook). Kept, and served again, until the
    data it was made from change (``version``); the same file for everyone who may have it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict)
    key = models.CharField(max_length=64, help_text="kind and parameters, hashed")
    version = models.CharField(max_length=200)
    language = models.CharField(max_length=12)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "version", "language"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pending(self) -> bool:
        return self.status in {Status.QUEUED, Status.RUNNING}
