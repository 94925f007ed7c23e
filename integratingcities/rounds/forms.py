import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from integratingcities.assessments.models import AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, FrameworkStatus
from integratingcities.lib import scoring
from integratingcities.lib.forms import BoundedModelMultipleChoiceField

MAX_REMINDER_DAYS = 365
MAX_REMINDERS = 5


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    framework = forms.ModelChoiceField(
        label=_("Framework version"),
        queryset=Framework.objects.filter(status=FrameworkStatus.PUBLISHED).order_by(
            "kind", "lineage", "-version"
        ),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    cities = BoundedModelMultipleChoiceField(
        label=_("Invited cities"),
        queryset=City.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The editors and viewers of each city are told by e-mail."),
    )
    reminder_days = forms.CharField(
        label=_("Remind cities that have not submitted, this many days before the deadline"),
        initial="14, 3",
        required=False,
        max_length=60,
        help_text=_(
            "Whole numbers separated by commas, e.g. 14, 3. Leave empty for no scheduled "
            "reminder; you can always remind from the board."
        ),
    )

    def clean_title(self) -> str:
        """One line: the title goes into the subject of the invitations, a header without breaks."""
        title: str = self.cleaned_data["title"]
        if any(unicodedata.category(char) in {"Cc", "Zl", "Zp"} for char in title):
            raise forms.ValidationError(
                _("The title must be one line, without line breaks or control characters."),
                code="not_one_line",
            )
        return title

    def clean_reminder_days(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["reminder_days"].split(",")]
        days = set()
        for part in filter(None, parts):
            if not part.isdigit() or not 1 <= int(part) <= MAX_REMINDER_DAYS:
                raise forms.ValidationError(
                    _(
                        "“%(value)s” is not a number of days: give whole numbers between 1 and "
                        "%(max)d, separated by commas."
                    ),
                    code="invalid_days",
                    params={"value": part[:20], "max": MAX_REMINDER_DAYS},
                )
            days.add(int(part))
        if len(days) > MAX_REMINDERS:
            raise forms.ValidationError(
                _("At most %(max)d reminders."), code="too_many", params={"max": MAX_REMINDERS}
            )
        return sorted(days, reverse=True)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:  # type: ignore[operator]
            self.add_error("closes_on", _("The round cannot close before it opens."))
        return data


class InviteForm(forms.Form):
    cities = BoundedModelMultipleChoiceField(
        label=_("Cities to invite"),
        queryset=City.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )


class BoardForm(forms.Form):
    """The response board's filters and order (GET), and the name of cities to invite."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *AssessmentState.choices],
    )
    q = forms.CharField(label=_("City name contains"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("city", _("City, A to Z")),
            ("-city", _("City, Z to A")),
            ("state", _("State")),
            ("answered", _("Answered, fewest first")),
            ("-answered", _("Answered, most first")),
            ("activity", _("Last activity, oldest first")),
            ("-activity", _("Last activity, latest first")),
        ],
    )
    find = forms.CharField(label=_("Find cities by name"), required=False, max_length=100)

    def value(self, name: str) -> str:
        """The field's checked value; empty where it is not valid (the others still count)."""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "").strip()


class ResultsFilterForm(forms.Form):
    country = forms.CharField(required=False, max_length=2)
    band = forms.ChoiceField(
        label=_("City size"),
        required=False,
        choices=[("", _("All sizes")), *[(band.name, band.value) for band in scoring.Band]],
    )

    foreign_born = forms.ChoiceField(
        label=_("Share born abroad"),
        required=False,
        choices=[("", _("Any share")), *[(band, band) for band in scoring.FOREIGN_BORN_BANDS]],
    )

    def filters_foreign_born(self) -> str:
        return (self.cleaned_data.get("foreign_born") or "") if self.is_valid() else ""

    def filters_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper() if self.is_valid() else ""

    def filters_band(self) -> scoring.Band | None:
        if not self.is_valid() or not self.cleaned_data.get("band"):
            return None
        return scoring.Band[self.cleaned_data["band"]]


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the published results must be corrected"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the round's history and shown beside the revised results."),
    )
