"""Forms of the practice library: the search (GET), a practice's text, the secretariat's comment."""

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from integratingcities.assessments.forms import MAX_TEXT, clean_links

from . import search, selectors
from .models import YEAR_MAX, YEAR_MIN, Practice, PracticeSource
from .services import PracticeInput

_KEY = re.compile(r"^[a-z0-9_-]{1,80}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _key_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=80, strip=True)


class SearchForm(forms.Form):
    """The library's search: every value optional, a wrong one named and then ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        help_text=_('Words, "a phrase", -leave-out, or: either side.'),
    )
    role = _key_field(_("Role"))
    commitment = _key_field(_("Commitment"))
    benchmark = _key_field(_("Benchmark"))
    factor = _key_field(_("Key factor"))
    country = forms.CharField(label=_("Country"), required=False, max_length=100)
    city = _key_field(_("City"))
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", ""), *PracticeSource.choices]
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("Best match, else by title")),
            ("relevance", _("Best match")),
            ("newest", _("Newest first")),
            ("title", _("Title")),
        ],
    )

    def _clean_key(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        if value and not _KEY.match(value):
            raise ValidationError(
                _("“%(value)s” is not a key: lower-case letters, digits and hyphens only.")
                % {"value": value[:40]},
                code="invalid",
            )
        return value

    def clean_role(self) -> str:
        return self._clean_key("role")

    def clean_commitment(self) -> str:
        return self._clean_key("commitment")

    def clean_benchmark(self) -> str:
        return self._clean_key("benchmark")

    def clean_factor(self) -> str:
        return self._clean_key("factor")

    def clean_city(self) -> str:
        return self._clean_key("city")

    def clean_country(self) -> str:
        value = self.cleaned_data.get("country") or ""
        if value and not _COUNTRY.match(value):
            raise ValidationError(_("A country is a two-letter code such as BE."), code="invalid")
        return value.upper()

    def filters(self) -> selectors.PracticeFilters:
        """The valid values; a field with an error is left out of the search."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
        return selectors.PracticeFilters(**data)


class PracticeForm(forms.ModelForm):
    """A practice's text and themes, as the city or the secretariat edits them."""

    links_text = forms.CharField(
        label=_("Links"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address a line."),
    )
    commitments = forms.MultipleChoiceField(
        label=_("Charter commitments it illustrates"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    key_factors = forms.MultipleChoiceField(
        label=_("Benchmark key factors it illustrates"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Practice
        fields = [
            "title",
            "year",
            "summary",
            "what",
            "for_whom",
            "partners",
            "results",
            "responsible_body",
            "transfer",
            "contact",
            "source_section",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("what", "for_whom", "partners", "results", "responsible_body")
            },
            "transfer": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "what": _("What the city did, step by step."),
            "for_whom": _("Who it is for: residents, staff, employers..."),
            "partners": _("Organisations the city worked with."),
            "results": _("What changed, and how the city knows: figures, evaluations."),
            "responsible_body": _("The department or body in charge."),
            "transfer": _("What another city needs to do the same: budget, staff, partners."),
            "contact": _("A name, role or address another city may write to."),
            "source_section": _("Where this comes from: a report's chapter, a survey answer."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = dict.fromkeys(("summary", "what", "for_whom", "partners", "results"), MAX_TEXT)
        for name, limit in {**limits, "transfer": MAX_TEXT, "responsible_body": 2000}.items():
            field = self.fields[name]
            field.max_length = limit  # type: ignore[attr-defined]
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = limit
        year = cast(forms.IntegerField, self.fields["year"])
        year.min_value, year.max_value = YEAR_MIN, YEAR_MAX
        year.validators = [v for v in year.validators if not hasattr(v, "limit_value")] + [
            MinValueValidator(YEAR_MIN),
            MaxValueValidator(YEAR_MAX),
        ]
        year.widget.attrs.update({"min": YEAR_MIN, "max": YEAR_MAX})
        names = selectors.labels()
        roles = selectors.charter_commitments()
        cast(forms.MultipleChoiceField, self.fields["commitments"]).choices = [
            (key, f"{names.role(roles[key])}: {names.commitment(key)}")
            for key in sorted(roles, key=lambda k: names.order.get(("commitment", k), 0))
        ]
        cast(forms.MultipleChoiceField, self.fields["key_factors"]).choices = [
            (f"{lineage}/{key}", f"{names.benchmark(lineage)}: {names.factor(key)}")
            for lineage, keys in selectors.benchmark_factors().items()
            for key in keys
        ]
        instance = self.instance
        if instance.pk and not self.is_bound:
            self.initial["links_text"] = "\n".join(instance.links)
            themes = list(instance.themes.all())
            self.initial["commitments"] = [t.item_key for t in themes if t.is_commitment]
            self.initial["key_factors"] = [
                f"{t.lineage}/{t.section_key}" for t in themes if not t.is_commitment
            ]

    def clean_links_text(self) -> tuple[str, ...]:
        return clean_links(self.cleaned_data.get("links_text") or "")

    def practice_input(self) -> PracticeInput:
        data = self.cleaned_data
        return PracticeInput(
            **{name: data.get(name) or "" for name in PracticeInput.TEXT_FIELDS},
            year=data.get("year"),
            links=data.get("links_text") or (),
            commitments=tuple(data.get("commitments") or ()),
            key_factors=tuple(
                tuple(value.split("/", 1))  # type: ignore[misc]
                for value in data.get("key_factors") or ()
            ),
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the city"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the city should change before the practice can be published."),
        error_messages={"required": _("Say what the city should change.")},
    )
