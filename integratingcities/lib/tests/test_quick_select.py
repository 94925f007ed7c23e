"""The widgets written in Python are byte for byte what Django's templates write."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from integratingcities.cities.models import City
from integratingcities.lib.forms import (
    QuickCheckboxSelectMultiple,
    QuickHiddenInput,
    QuickRadioSelect,
    QuickSelect,
    QuickSelectMultiple,
    QuickTextarea,
)
from integratingcities.lib.testing import People

CHOICES = [
    ("", "—"),
    ("a&b", 'Saint-Gilles "Sint-Gillis" <Brussels>'),
    (3, gettext_lazy("City")),
    ("Groups", [("x", "Ghent"), ("y", "L'Aquila")]),
]


@pytest.mark.parametrize("value", [None, "", "a&b", 3, "y", "unknown"])
def test_a_menu_is_written_as_django_writes_it(value: object) -> None:
    attrs = {"id": "id_city", "required": True, "aria-invalid": "true", "disabled": False}
    expected = forms.Select(choices=CHOICES).render("city", value, attrs)
    assert QuickSelect(choices=CHOICES).render("city", value, attrs) == expected


def test_a_multiple_menu_is_written_as_django_writes_it() -> None:
    attrs = {"id": "id_mentors", "size": 8}
    chosen = ["a&b", "y"]
    expected = forms.SelectMultiple(choices=CHOICES).render("mentors", chosen, attrs)
    assert QuickSelectMultiple(choices=CHOICES).render("mentors", chosen, attrs) == expected


@pytest.mark.django_db
def test_a_menu_of_cities_in_a_form_is_unchanged(people: People) -> None:
    class Django(forms.Form):
        city = forms.ModelChoiceField(queryset=City.objects.order_by("name"), required=False)
        cities = forms.ModelMultipleChoiceField(queryset=City.objects.order_by("name"))

    class Quick(Django):
        city = forms.ModelChoiceField(
            queryset=City.objects.order_by("name"), required=False, widget=QuickSelect
        )
        cities = forms.ModelMultipleChoiceField(
            queryset=City.objects.order_by("name"), widget=QuickSelectMultiple
        )

    data = {"city": str(people.ghent.pk), "cities": [str(people.riga.pk)]}
    assert str(Quick(data)) == str(Django(data))
    assert str(Quick()) == str(Django())
    assert f'<option value="{people.ghent.pk}" selected>' in str(Quick(data)["city"])


@pytest.mark.parametrize("value", [None, "", "a&b", 3, "y", ["a&b", "y"], "unknown"])
@pytest.mark.parametrize(
    ("quick", "django"),
    [
        (QuickRadioSelect, forms.RadioSelect),
        (QuickCheckboxSelectMultiple, forms.CheckboxSelectMultiple),
    ],
)
def test_choices_are_written_as_django_writes_them(
    quick: type[forms.RadioSelect], django: type[forms.RadioSelect], value: object
) -> None:
    for attrs in (
        {"id": "id_i7-level", "required": True, "aria-describedby": 'x"y', "disabled": False},
        {"class": "inline <b>"},
        None,
    ):
        expected = django(choices=CHOICES).render("i7-level", value, attrs)
        assert quick(choices=CHOICES).render("i7-level", value, attrs) == expected


@pytest.mark.parametrize("value", [None, "", "Evidence & <b>proof</b>\n  indented", 0, 12])
def test_text_areas_and_hidden_fields_are_written_as_django_writes_them(value: object) -> None:
    attrs = {"id": "id_i7-evidence", "aria-invalid": "true", "maxlength": 5000, "hidden": True}
    for quick, django in (
        (QuickTextarea(attrs={"rows": 4}), forms.Textarea(attrs={"rows": 4})),
        (QuickHiddenInput(), forms.HiddenInput()),
    ):
        assert quick.render("i7-evidence", value, attrs) == django.render(
            "i7-evidence", value, attrs
        )
