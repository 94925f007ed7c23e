import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from integratingcities.assessments.models import AssessmentState
from integratingcities.cities.models import City, Network
from integratingcities.cities.selectors import countries_of
from integratingcities.frameworks.models import Framework, FrameworkStatus
from integratingcities.lib import scoring
from integratingcities.lib.forms import BoundedModelMultipleChoiceField

from . import selectors

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

    # Who is invited: see InvitationFields below.

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


MAX_NAMES = 1000
INVITATION_FIELDS = ("group", "country", "band", "network", "names", "cities")


def _country_choices() -> list[tuple[str, str]]:
    """The countries that have a city: one short query, made only when the field is shown or
    a country is given (the board's invite form has the field but never shows it)."""
    options = countries_of(City.objects.all())
    return [("", str(_("Any country"))), *[(option.code, option.name) for option in options]]


class InvitationFields(forms.Form):
    """Who is invited, at any size of network and without JavaScript: a group narrowed by
    country, size and network, plus cities by name (typed) or by id (posted by scripts, by the
    board's boxes). Which names are cities is the service's question (``invited_cities``)."""

    group = forms.ChoiceField(
        label=_("Invite"),
        required=False,
        choices=selectors.InviteGroup.choices,
        widget=forms.RadioSelect,
        initial=selectors.InviteGroup.NAMED,
    )
    country = forms.ChoiceField(
        label=_("Only in this country"), required=False, choices=_country_choices
    )
    band = forms.ChoiceField(
        label=_("Only of this size"),
        required=False,
        choices=[("", _("Any size")), *[(band.name, band.value) for band in scoring.Band]],
    )
    network = forms.ModelChoiceField(
        label=_("Only members of"),
        required=False,
        queryset=Network.objects.order_by("name"),
        empty_label=_("Any network or none"),
    )
    names = forms.CharField(
        label=_("Cities by name or short name"),
        required=False,
        max_length=60_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line, or separated by commas; invited besides the group. The short name is "
            "the last part of the city's address (…/cities/ghent/ → ghent)."
        ),
    )
    # Cities by id: what scripts and the board post. Not shown: the page names cities by name.
    cities = BoundedModelMultipleChoiceField(
        label=_("Invited cities"),
        required=False,
        queryset=City.objects.order_by("name"),
        widget=forms.MultipleHiddenInput,
    )

    def clean_names(self) -> list[str]:
        parts = re.split(r"[\n,;]", self.cleaned_data["names"])
        names = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
        if len(names) > MAX_NAMES:
            raise forms.ValidationError(
                _("At most %(max)d names at a time: invite larger sets as a group."),
                code="too_many",
                params={"max": MAX_NAMES},
            )
        return names

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if any(name in self.errors for name in INVITATION_FIELDS):
            return data
        filtered = data.get("country") or data.get("band") or data.get("network")
        if filtered and not data.get("group"):
            self.add_error(
                "group",
                _("The country, size and network narrow a group: choose the group they narrow."),
            )
        elif not (data.get("group") or data.get("names") or data.get("cities")):
            self.add_error(
                "cities",
                forms.ValidationError(
                    _(
                        "Choose who is invited: a group, or the cities by name. At least one "
                        "city is required."
                    ),
                    code="required",
                ),
            )
        return data

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("country", "band", "network")]

    def invitation(self) -> selectors.Invitation:
        data = self.cleaned_data
        network = data.get("network")
        return selectors.Invitation(
            group=data.get("group") or "",
            country=data.get("country") or "",
            band=scoring.Band[data["band"]] if data.get("band") else None,
            network=network.pk if network is not None else None,
            names=tuple(data.get("names") or ()),
            ids=tuple(city.pk for city in data.get("cities") or ()),
        )


class RoundOpenForm(RoundForm, InvitationFields):
    """The round and whom it invites, one form: the page shows them in two parts. (Each
    ``clean`` calls the next one's: the dates are checked, then the invitation.)"""

    ROUND_FIELDS = ("title", "framework", "opens_on", "closes_on", "reminder_days")

    def round_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ROUND_FIELDS]


class InviteForm(InvitationFields):
    """More cities for an open round, from the board: the boxes it lists (at most
    ``selectors.INVITE_LIMIT``, written by the template), names, or a group."""


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
