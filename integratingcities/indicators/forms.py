"""Forms of the indicator pages: defining an indicator, importing a file, entering one value,
filtering the values."""

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.cities.forms import CityField
from integratingcities.cities.models import City
from integratingcities.lib.forms import QuickSelect, TypedDecimalField
from integratingcities.permissions import is_secretariat

from .imports import (
    FORMATS,
    ImportFileError,
    check_size,
    file_format,
    max_bytes,
    read_file,
    unit_problem,
)
from .models import (
    YEAR_MAX,
    YEAR_MIN,
    Basis,
    Better,
    ImportBatch,
    Indicator,
    IndicatorValue,
    Unit,
)
from .services import indicator_problems


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    indicator = forms.ModelChoiceField(
        label=_("Indicator of a JSON-stat file"),
        queryset=Indicator.objects.all(),
        required=False,
        empty_label=_("(not needed for a CSV or XLSX file)"),
        help_text=_(
            "A JSON-stat file (such as Eurostat's city statistics) holds one indicator and names "
            "it by its own code: say which of the platform's indicators it is."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A .csv or .xlsx file made from the template, or a JSON-stat .json file; at most "
            "%(limit)d MB."
        ) % {"limit": max_bytes() // (1024 * 1024)}
        self.fields["file"].widget.attrs["accept"] = ",".join(FORMATS)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)  # before a byte of it is read
            self.cleaned_data["format"] = file_format(upload.name)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, kind = data.get("file"), data.get("format")
        if upload is None or kind is None:
            return data
        if kind == "json-stat" and data.get("indicator") is None:
            self.add_error(
                "indicator",
                gettext("Choose the indicator the JSON-stat file holds: it names only its codes."),
            )
            return data
        try:
            data["rows"] = read_file(upload.name, upload.read(), indicator=data.get("indicator"))
        except ImportFileError as error:
            self.add_error("file", str(error))
        return data


class _NamedErrors(forms.Form):
    """Each field's errors name the field ("Year: a year between 1900 and 2100"), so that
    they read right in a summary and to a screen reader."""

    def full_clean(self) -> None:
        super().full_clean()
        for name, errors in list(self.errors.items()):
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            label = self.fields[name].label
            self.errors[name] = self.error_class(
                [
                    gettext("%(field)s: %(error)s") % {"field": label, "error": error}
                    for error in errors
                ],
                renderer=self.renderer,
            )


def editable_cities(user: User) -> QuerySet[City]:
    """The cities whose values the person may enter: any for the secretariat; a city's editors
    their own."""
    if is_secretariat(user):
        return City.objects.all()
    return City.objects.filter(
        pk__in=Membership.objects.filter(user=user, role=Role.EDITOR).values("city_id")
    )


def enterable_indicators(user: User) -> QuerySet[Indicator]:
    """Any indicator for the secretariat; for a city's editors those opened to cities."""
    if is_secretariat(user):
        return Indicator.objects.all()
    return Indicator.objects.filter(cities_may_enter=True)


class ValueForm(_NamedErrors):
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.none(),
        error_messages={"required": _("choose the city.")},
        widget=QuickSelect,
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        error_messages={"required": _("choose the indicator.")},
    )
    year = forms.IntegerField(
        label=_("Year"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("give the year the figure is for."),
            "invalid": _("a year between %(min)d and %(max)d, such as 2015.")
            % {"min": YEAR_MIN, "max": YEAR_MAX},
        },
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Where the source gives a day, such as 1 January (YYYY-MM-DD)."),
        error_messages={"invalid": _("a day, written as 2015-12-31.")},
    )
    value = TypedDecimalField(
        label=_("Value"),
        example="12.5",
        error_messages={"required": _("give the figure.")},
        help_text=_("A share in per cent is a number from 0 to 100; a number of people is whole."),
    )
    basis = forms.ChoiceField(
        label=_("Who counts"),
        required=False,
        choices=[("", _("as the indicator defines it")), *Basis.choices],
        help_text=_("Only where the source counts migrants differently from the indicator."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        error_messages={"required": _("say where the figure comes from.")},
        help_text=_("The publication or office, with its year, such as “Statbel, 1 January 2015”."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 3}))
    is_illustrative = forms.BooleanField(
        label=_("Illustrative: not a fact from a source (demonstration data)"), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_secretariat(user):  # any city: typed, as a menu of every city grew with N
            self.fields["city"] = CityField(
                label=_("City"), error_messages={"required": _("name the city.")}
            )
        else:  # the few cities the person edits
            cities = cast("forms.ModelChoiceField[City]", self.fields["city"])
            cities.queryset = editable_cities(user).order_by("name")
        indicators = cast("forms.ModelChoiceField[Indicator]", self.fields["indicator"])
        indicators.queryset = enterable_indicators(user)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise forms.ValidationError(self.fields["year"].error_messages["invalid"])
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator, city, year = data.get("indicator"), data.get("city"), data.get("year")
        value, day = data.get("value"), data.get("date")
        if indicator is not None and value is not None:
            problem = unit_problem(indicator.unit, value)
            if problem:
                self.add_error("value", problem)
        if day is not None and year is not None and day.year != year:
            self.add_error(
                "date",
                gettext("the date is not in the year %(year)d.") % {"year": year},
            )
        if (
            indicator is not None
            and city is not None
            and year is not None
            and IndicatorValue.objects.filter(indicator=indicator, city=city, year=year).exists()
        ):
            self.add_error(
                "year",
                gettext(
                    "%(city)s already has a value of “%(indicator)s” for %(year)d: delete it "
                    "first to enter another."
                )
                % {"city": city.name, "indicator": indicator.name, "year": year},
            )
        return data


class ValueFilterForm(forms.Form):
    city = CityField(
        label=_("City"),
        required=False,
        help_text=_("Its name or short name; empty for every city."),
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.all(),
        required=False,
        empty_label=_("All indicators"),
    )
    batch = forms.ModelChoiceField(
        queryset=ImportBatch.objects.all(), required=False, widget=forms.HiddenInput
    )


class IndicatorForm(_NamedErrors):
    """An indicator of the catalogue; the short name only when it is created."""

    key = forms.SlugField(
        label=_("Short name"),
        max_length=80,
        help_text=_(
            "Lower-case letters, digits and hyphens, such as “staff-migrant-background-share”: "
            "the indicator's address and its name in import files. It cannot be changed later."
        ),
        error_messages={
            "required": _("give the indicator a short name."),
            "invalid": _("only lower-case letters, digits and hyphens, such as “turnout”."),
        },
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("give the name.")}
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=Unit.choices,
        help_text=_("It cannot be changed once the indicator has values."),
        error_messages={"required": _("choose the unit.")},
    )
    basis = forms.ChoiceField(
        label=_("Who counts"),
        choices=Basis.choices,
        help_text=_("The definition of a migrant the indicator follows."),
        error_messages={"required": _("choose who counts.")},
    )
    better = forms.ChoiceField(
        label=_("Which direction is better"),
        choices=Better.choices,
        error_messages={"required": _("choose which direction is better.")},
    )
    definition = forms.CharField(
        label=_("Definition"),
        widget=forms.Textarea({"rows": 4}),
        help_text=_("What is counted, and how, so that cities give comparable figures."),
        error_messages={"required": _("define what the indicator counts.")},
    )
    source_guidance = forms.CharField(
        label=_("Where to find the figure"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("The usual sources: the national statistics office, a census, the city."),
    )
    reference = forms.ModelChoiceField(
        label=_("Read against"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_(
            "An indicator this one is compared with: staff share against population share, "
            "foreign residents' turnout against all residents'."
        ),
    )
    cities_may_enter = forms.BooleanField(
        label=_("City editors may enter their own city's values"), required=False
    )

    def __init__(self, *args: Any, indicator: Indicator | None = None, **kwargs: Any) -> None:
        self.indicator = indicator
        if indicator is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "basis": indicator.basis,
                    "better": indicator.better,
                    "definition": indicator.definition,
                    "source_guidance": indicator.source_guidance,
                    "reference": indicator.reference_id,
                    "cities_may_enter": indicator.cities_may_enter,
                },
            )
        super().__init__(*args, **kwargs)
        references = Indicator.objects.all()
        if indicator is not None:
            del self.fields["key"]  # a built-in indicator's too: addresses and files use it
            references = references.exclude(pk=indicator.pk)
        field = cast("forms.ModelChoiceField[Indicator]", self.fields["reference"])
        field.queryset = references

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checked = {name: value for name, value in data.items() if name not in self.errors}
        for name, problem in indicator_problems(indicator=self.indicator, data=checked).items():
            self.add_error(name, problem)
        return data

    def refused(self, problems: dict[str, str]) -> None:
        """Show what the service refused (a colleague's change meanwhile) at its field."""
        for name, problem in problems.items():
            if name in self.fields:
                label = self.fields[name].label
                problem = gettext("%(field)s: %(error)s") % {"field": label, "error": problem}
                self.add_error(name, problem)
            else:
                self.add_error(None, problem)
