from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integratingcities.lib.forms import BoundedModelMultipleChoiceField

from .models import City

MAX_LINES = 5000  # more cities than the network has: a pasted file by mistake


class CityForm(forms.ModelForm):
    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = City
        fields = [
            "name",
            "slug",
            "country",
            "signed_earliest",
            "signed_latest",
            "signature_source",
            "population",
            "population_year",
            "population_source",
            "foreign_born_share",
            "foreign_born_year",
            "foreign_born_source",
            "networks",
            "summary",
            "website",
            "contact_email",
            "is_illustrative",
        ]
        field_classes = {"networks": BoundedModelMultipleChoiceField}
        widgets = {
            "signed_earliest": forms.DateInput(attrs={"type": "date"}),
            "signed_latest": forms.DateInput(attrs={"type": "date"}),
            "networks": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        earliest, latest = data.get("signed_earliest"), data.get("signed_latest")
        if earliest and not latest:
            self.add_error("signed_latest", _("Give the latest date too (the same day if known)."))
        if earliest and latest and earliest > latest:
            self.add_error("signed_latest", _("The latest date is before the earliest date."))
        for figure, year, source in (
            ("population", "population_year", "population_source"),
            ("foreign_born_share", "foreign_born_year", "foreign_born_source"),
        ):
            if data.get(figure) is not None:
                if not data.get(year):
                    self.add_error(year, _("A figure needs the year it describes."))
                if not data.get(source):
                    self.add_error(source, _("A figure needs its source."))
        for year in ("population_year", "foreign_born_year"):
            value = data.get(year)
            if value is not None and not 1800 <= int(str(value)) <= 2100:
                self.add_error(year, _("Give a year between 1800 and 2100."))
        return data


class CityNames:
    """Cities as people type them: by name or short name, in any case (one query)."""

    def __init__(self) -> None:
        self.by_slug: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str]]] = {}
        for pk, name, slug in City.objects.order_by("name").values_list("pk", "name", "slug"):
            self.by_slug[slug.casefold()] = pk
            self.by_name.setdefault(name.casefold(), []).append((pk, slug))

    def find(self, text: str) -> int:
        key = text.strip().casefold()
        if key in self.by_slug:
            return self.by_slug[key]
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return found[0][0]
        if found:
            raise forms.ValidationError(
                gettext("several cities are called “%(name)s”: give the short name (%(slugs)s)")
                % {"name": text.strip(), "slugs": ", ".join(slug for _pk, slug in found)}
            )
        raise forms.ValidationError(gettext("no city called “%(name)s”") % {"name": text.strip()})


def typed_lines(text: str) -> list[tuple[int, str]]:
    """The lines that hold something, with their numbers (from 1)."""
    found = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(found) > MAX_LINES:
        raise forms.ValidationError(
            gettext("At most %(max)d cities a list.") % {"max": MAX_LINES}, code="too_many"
        )
    return found


def city_lines(text: str, names: CityNames) -> list[int]:
    """The cities typed one a line (``CityNames``), in their order; every line that names
    none, or a city listed already, is told by its number."""
    found: list[int] = []
    problems = []
    for n, line in typed_lines(text):
        try:
            pk = names.find(line)
        except forms.ValidationError as error:
            problems.append(
                gettext("Line %(n)d: %(problem)s.") % {"n": n, "problem": error.message}
            )
            continue
        if pk in found:
            problems.append(
                gettext("Line %(n)d: “%(name)s” is listed twice.") % {"n": n, "name": line}
            )
        else:
            found.append(pk)
    if problems:
        raise forms.ValidationError(problems)
    return found


class CityField(forms.CharField):
    """One city, typed: its name or short name in any case, or its id (what links and scripts
    send). A menu of every city grew with the network (118 KB at 2,000 cities)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("Its name or short name (as in its address)."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> City | None:  # type: ignore[override]
        text = str(super().clean(value)).strip()
        if not text:
            return None
        if text.isdigit() and len(text) < 19:  # an id, within the database's integers
            found = City.objects.filter(pk=int(text)).first()
            if found is None:
                raise forms.ValidationError(gettext("No city has the id %(id)s.") % {"id": text})
            return found
        # A short name is one indexed look-up; a name needs every name (in Python: any case).
        by_slug = City.objects.filter(slug=text.casefold()).first()
        if by_slug is not None:
            return by_slug
        try:
            return City.objects.get(pk=CityNames().find(text))
        except forms.ValidationError as error:  # worded for a list's "Line 2: …"
            raise forms.ValidationError(capfirst(error.message) + ".") from None
