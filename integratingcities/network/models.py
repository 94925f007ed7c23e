"""The network's own work: projects, the conference series and news."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    full_name = models.CharField(_("full name"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    period_note = models.CharField(_("period, in words"), max_length=200, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    funding = models.CharField(_("funding"), max_length=300, blank=True)
    coordinator = models.CharField(_("coordinator"), max_length=200, blank=True)
    experts = models.JSONField(_("facilitators and expert partners"), default=list, blank=True)
    outputs = models.JSONField(_("outputs"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "start_year", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_year__isnull=True)
                | models.Q(end_year__isnull=True)
                | models.Q(start_year__lte=models.F("end_year")),
                name="project_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:project", kwargs={"slug": self.slug})


class PartnerRole(models.TextChoices):
    PARTNER = "partner", _("Partner city")
    CONTRIBUTOR = "contributor", _("Contributing city")
    PARTICIPANT = "participant", _("Participating city")


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="projects")
    role = models.CharField(_("role"), max_length=16, choices=PartnerRole.choices)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("When the partner was an organisation in the city rather than the city."),
    )

    class Meta:
        ordering = ["project", "city__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "city"], name="one_partnership_per_city"),
        ]

    def __str__(self) -> str:
        return f"{self.city} in {self.project}"


class Conference(models.Model):
    """One conference of the Integrating Cities series."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    host = models.ForeignKey(
        "cities.City", on_delete=models.PROTECT, related_name="conferences_hosted"
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")

    def __str__(self) -> str:
        return self.title


class NewsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class NewsItemQuerySet(models.QuerySet["NewsItem"]):
    def published(self) -> "NewsItemQuerySet":
        return self.filter(status=NewsStatus.PUBLISHED, published_at__lte=timezone.now())


class NewsItem(models.Model):
    slug = models.SlugField(_("address"), unique=True, max_length=120)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=400)
    body = models.TextField(_("text"), help_text=_("Markdown: paragraphs, **bold**, lists, links."))
    status = models.CharField(
        _("status"), max_length=16, choices=NewsStatus.choices, default=NewsStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network:news_detail", kwargs={"slug": self.slug})
