"""Forms of the indicator pages: importing a file, entering one value, filtering the values."""

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.cities.models import City
from integratingcities.lib.forms import TypedDecimalField
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
from .models import YEAR_MAX, YEAR_MIN, Basis, ImportBatch, Indicator, IndicatorValue


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
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name"),
        required=False,
        empty_label=_("All cities"),
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
