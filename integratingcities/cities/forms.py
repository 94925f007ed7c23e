from django import forms
from django.utils.translation import gettext_lazy as _

from integratingcities.lib.forms import BoundedModelMultipleChoiceField

from .models import City


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
