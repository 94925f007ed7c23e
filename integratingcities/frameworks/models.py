"""Frameworks (the Charter, thematic benchmarks) as versioned data.

Every human text is a translated mapping (see ``lib.translation``). A published version is never
changed in place: importing a changed file needs a new version number.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from integratingcities.lib.translation import translate


class FrameworkKind(models.TextChoices):
    CHARTER = "charter", _("Charter")
    BENCHMARK = "benchmark", _("Benchmark")


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ItemKind(models.TextChoices):
    RATING = "rating", _("Rating on a scale")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")


class Framework(models.Model):
    lineage = models.SlugField(
        _("lineage"), max_length=80, help_text=_("Stays the same from one version to the next.")
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=FrameworkKind.choices)
    title = models.JSONField(_("title"))
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    standard = models.JSONField(_("standard"), default=dict, blank=True)
    # A benchmark's aims (translated texts) and framing notes ({key, title, text}).
    aims = models.JSONField(_("aims"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    previous_version = models.PositiveIntegerField(_("follows version"), null=True, blank=True)
    source = models.JSONField(_("source"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    content_hash = models.CharField(max_length=64, editable=False)
    imported_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lineage", "-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="framework_version_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=FrameworkKind.values), name="framework_kind_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{translate(self.title)} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse(
            "frameworks:detail", kwargs={"lineage": self.lineage, "version": self.version}
        )

    @property
    def is_published(self) -> bool:
        return self.status == FrameworkStatus.PUBLISHED


class Scale(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="scales")
    key = models.SlugField(max_length=60)
    title = models.JSONField(_("title"), default=dict, blank=True)

    class Meta:
        ordering = ["framework", "key"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="scale_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key


class Level(models.Model):
    """One answer on a scale. A level without a score (not applicable, don't know) is left out
    of every score and counted as coverage instead."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="levels")
    key = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField()
    label = models.JSONField(_("label"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    requires_evidence = models.BooleanField(_("requires evidence"), default=False)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "key"], name="level_key_unique"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="level_score_between_0_and_100",
            ),
        ]

    def __str__(self) -> str:
        return translate(self.label)


class Section(models.Model):
    """A Charter role, a benchmark key factor, or a block of survey questions."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField()
    title = models.JSONField(_("title"))
    description = models.JSONField(_("description"), default=dict, blank=True)
    guidance = models.JSONField(_("guidance"), default=dict, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)
    is_context = models.BooleanField(
        _("context factors"),
        default=False,
        help_text=_("A section of context factors: cited and explained, never scored."),
    )
    # How named cities meet it: [{"city": text, "city_slug": key, "title": text, "text": text,
    # "links": [url]}]
    examples = models.JSONField(_("examples"), default=list, blank=True)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="section_key_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="section_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return translate(self.title)


class Item(models.Model):
    """A Charter commitment, a guide question, or a survey question."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    text = models.JSONField(_("text"))
    guidance = models.JSONField(_("guidance"), default=dict, blank=True)
    sub_questions = models.JSONField(_("sub-questions"), default=list, blank=True)
    follows = models.SlugField(
        _("follows"),
        max_length=80,
        blank=True,
        help_text=_("The key of this item in the previous version, when it changed."),
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)
    scale = models.ForeignKey(
        Scale, on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )
    # Choices for single and multiple choice items: [{"key": ..., "label": {"en": ...}}]
    options = models.JSONField(_("options"), default=list, blank=True)
    number_min = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    number_max = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.JSONField(_("unit"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="item_key_unique_in_section"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="item_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ItemKind.values), name="item_kind_is_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=ItemKind.RATING) | models.Q(scale__isnull=False),
                name="rating_item_has_scale",
            ),
        ]

    def __str__(self) -> str:
        return translate(self.text)

    @property
    def is_rating(self) -> bool:
        return self.kind == ItemKind.RATING
