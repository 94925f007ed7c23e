"""The answer form of one section, built from the framework's items."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from integratingcities.frameworks.models import Item, ItemKind, Level
from integratingcities.lib.forms import (
    QuickCheckboxSelectMultiple,
    QuickHiddenInput,
    QuickRadioSelect,
    QuickTextarea,
    TypedDecimalField,
    shown,
)
from integratingcities.lib.translation import translate

from .models import Answer
from .services import AnswerInput

MAX_TEXT = 20_000
MAX_LINKS = 20


def refuse_unpaired_surrogates(value: str) -> None:
    """Text a browser cannot send but JSON can: half of a surrogate pair ("\\ud800"), which has
    no UTF-8 encoding for any database."""
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValidationError(_("This text contains a broken character.")) from None


def completed_link(link: str) -> str:
    """A web address as typed, with https:// added when it starts with a host name
    (“www.gent.be/integratie”, “gent.be/x”), as Django's URLField does for its assume_scheme.

    A link with a scheme, or starting with "/", is kept as typed (the validator judges it)."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return link
    if parts.scheme or link.startswith(("/", "\\")):
        return link
    try:
        return str(_COMPLETE.to_python(link))
    except ValidationError:
        return link


_COMPLETE = forms.URLField(assume_scheme="https")


def clean_links(raw: str) -> tuple[str, ...]:
    """One web address a line; a link without its scheme is completed with https://."""
    typed = tuple(line.strip() for line in raw.splitlines() if line.strip())
    if len(typed) > MAX_LINKS:
        raise ValidationError(_("Give at most %(max)d links.") % {"max": MAX_LINKS})
    check = URLValidator(schemes=["http", "https"])
    links = []
    for link in typed:
        completed = completed_link(link)
        try:
            check(completed)
        except ValidationError as error:
            raise ValidationError(
                _(
                    "“%(link)s” is not a web address. Write it as the browser's address bar"
                    " shows it, such as https://www.example.org/page, or remove it."
                )
                % {"link": link[:80]}
            ) from error
        links.append(completed)
    return tuple(links)


def number_field(item: Item, answer: Answer | None) -> TypedDecimalField:
    """A number item's field, whose messages speak in its own terms: a year, a share, a number.

    An item is a year when its key is "year" or ends in "-year" and it has no unit: it takes
    whole numbers only. A unit of "%" makes it a share."""
    unit = translate(item.unit) if item.unit else ""
    low, high = item.number_min, item.number_max
    is_year = not unit and (item.key == "year" or item.key.endswith("-year"))
    bounds = {
        "min": shown(low) if low is not None else "",
        "max": shown(high) if high is not None else "",
        "unit": unit,
    }
    if low is not None and high is not None:
        if is_year:
            message = _("Give a year between %(min)s and %(max)s.") % bounds
        elif unit == "%":
            message = _("Give a share between %(min)s and %(max)s %%.") % bounds
        elif unit:
            message = _("Give a number between %(min)s and %(max)s %(unit)s.") % bounds
        else:
            message = _("Give a number between %(min)s and %(max)s.") % bounds
    elif low is not None:
        message = _("Give a number of %(min)s or more.") % bounds
    elif high is not None:
        message = _("Give a number of %(max)s or less.") % bounds
    else:
        message = str(_("Give a whole number.")) if is_year else ""
    return TypedDecimalField(
        label=translate(item.text),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=low,
        max_value=high,
        whole=is_year,
        range_message=message,
        example="2024" if is_year else "",
        initial=answer.number if answer else None,
    )


class RadioList(QuickRadioSelect):
    """Radio buttons written in Python (the same HTML as Django's templates): a section shows
    a list of them for every question."""


class CheckboxList(QuickCheckboxSelectMultiple):
    """Checkboxes written as ``RadioList`` writes radio buttons."""


class SectionAnswersForm(forms.Form):
    """Fields are named ``i<item id>-<part>``; each item also carries the version it was
    loaded at, so that a save can tell whether someone else changed it meanwhile."""

    def __init__(
        self,
        *args: Any,
        items: Iterable[Item],
        levels: dict[int, list[Level]],
        answers: dict[int, Answer],
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.answers = answers
        self.levels_by_scale = levels
        self.levels = {
            item.pk: {level.key: level for level in levels.get(item.scale_id or 0, [])}
            for item in self.items
        }
        for item in self.items:
            answer = answers.get(item.pk)
            prefix = f"i{item.pk}"
            self.fields[f"{prefix}-version"] = forms.IntegerField(
                widget=QuickHiddenInput,
                required=False,
                min_value=0,
                max_value=2**31 - 1,
                initial=answer.version if answer else 0,
            )
            label = translate(item.text)
            if item.kind == ItemKind.RATING:
                self.fields[f"{prefix}-level"] = forms.ChoiceField(
                    label=label,
                    required=False,
                    widget=RadioList,
                    choices=[
                        (key, translate(level.label)) for key, level in self.levels[item.pk].items()
                    ],
                    initial=answer.level.key if answer and answer.level else None,
                )
                self.fields[f"{prefix}-evidence"] = forms.CharField(
                    label=_("Evidence"),
                    required=False,
                    max_length=MAX_TEXT,
                    validators=[refuse_unpaired_surrogates],
                    widget=QuickTextarea(attrs={"rows": 4}),
                    initial=answer.evidence if answer else "",
                    help_text=_("What the city does: strategies, plans, services, figures."),
                )
                self.fields[f"{prefix}-links"] = forms.CharField(
                    label=_("Links"),
                    required=False,
                    max_length=MAX_TEXT,
                    validators=[refuse_unpaired_surrogates],
                    widget=QuickTextarea(attrs={"rows": 2}),
                    initial="\n".join(answer.links) if answer else "",
                    help_text=_("One web address a line."),
                )
            elif item.kind == ItemKind.SINGLE_CHOICE:
                self.fields[f"{prefix}-choice"] = forms.ChoiceField(
                    label=label,
                    required=False,
                    widget=RadioList,
                    choices=[(o["key"], translate(o["label"])) for o in item.options],
                    initial=answer.choices[0] if answer and answer.choices else None,
                )
            elif item.kind == ItemKind.MULTIPLE_CHOICE:
                self.fields[f"{prefix}-choices"] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    widget=CheckboxList,
                    choices=[(o["key"], translate(o["label"])) for o in item.options],
                    initial=answer.choices if answer else [],
                )
            elif item.kind == ItemKind.NUMBER:
                self.fields[f"{prefix}-number"] = number_field(item, answer)
            else:
                self.fields[f"{prefix}-text"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=MAX_TEXT,
                    validators=[refuse_unpaired_surrogates],
                    widget=QuickTextarea(attrs={"rows": 4}),
                    initial=answer.text if answer else "",
                )
            if answer is not None and answer.is_carried_over:
                self.fields[f"{prefix}-confirm"] = forms.BooleanField(
                    label=_("I have checked this answer: keep it as it is"),
                    required=False,
                )
            if disabled:
                for name, form_field in self.fields.items():
                    if name.startswith(prefix):
                        form_field.disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            name = f"i{item.pk}-links"
            if name in self.fields and not self.has_error(name):
                try:
                    data[name] = clean_links(data.get(name) or "")
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def refuses_only_links(self) -> bool:
        """Whether links are all the form refuses. The rest of the section can then be saved
        (inputs() keeps each refused list of links as stored) and the form shown again with
        what was typed, the refused links and their messages included."""
        return bool(self.errors) and all(name.endswith("-links") for name in self.errors)

    def with_versions(self, versions: dict[int, int]) -> "SectionAnswersForm":
        """The same typed values, based on the versions a partial save left."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        for pk, version in versions.items():
            data[f"i{pk}-version"] = str(version)
        form = SectionAnswersForm(
            data, items=self.items, levels=self.levels_by_scale, answers=self.answers
        )
        form.full_clean()
        return form

    def _links(self, item: Item) -> tuple[str, ...]:
        name = f"i{item.pk}-links"
        if name in self.errors:
            answer = self.answers.get(item.pk)
            return tuple(answer.links) if answer else ()
        return tuple(self.cleaned_data.get(name) or ())

    def bound_items(self) -> list[dict[str, Any]]:
        """Per item, its bound fields, for the template."""
        rows = []
        for item in self.items:
            prefix = f"i{item.pk}-"
            confirm = f"{prefix}confirm"
            rows.append(
                {
                    "item": item,
                    "fields": [
                        self[name]
                        for name in self.fields
                        if name.startswith(prefix) and name not in (f"{prefix}version", confirm)
                    ],
                    "version": self[f"{prefix}version"],
                    # Carried over from earlier answers and not confirmed yet: the box to do so.
                    "confirm": self[confirm] if confirm in self.fields else None,
                }
            )
        return rows

    def inputs(self) -> tuple[dict[Item, AnswerInput], dict[int, int]]:
        """The typed answers and the versions they were based on."""
        data = self.cleaned_data
        inputs: dict[Item, AnswerInput] = {}
        versions: dict[int, int] = {}
        for item in self.items:
            prefix = f"i{item.pk}-"
            versions[item.pk] = data.get(f"{prefix}version") or 0
            confirmed = bool(data.get(f"{prefix}confirm"))
            if item.kind == ItemKind.RATING:
                level_key = data.get(f"{prefix}level") or ""
                inputs[item] = AnswerInput(
                    level=self.levels[item.pk].get(level_key),
                    evidence=(data.get(f"{prefix}evidence") or "").strip(),
                    links=self._links(item),
                    confirmed=confirmed,
                )
            elif item.kind == ItemKind.SINGLE_CHOICE:
                choice = data.get(f"{prefix}choice")
                inputs[item] = AnswerInput(choices=(choice,) if choice else (), confirmed=confirmed)
            elif item.kind == ItemKind.MULTIPLE_CHOICE:
                inputs[item] = AnswerInput(
                    choices=tuple(sorted(set(data.get(f"{prefix}choices") or ()))),
                    confirmed=confirmed,
                )
            elif item.kind == ItemKind.NUMBER:
                number = data.get(f"{prefix}number")
                inputs[item] = AnswerInput(
                    number=Decimal(number) if number is not None else None, confirmed=confirmed
                )
            else:
                inputs[item] = AnswerInput(
                    text=(data.get(f"{prefix}text") or "").strip(), confirmed=confirmed
                )
        return inputs, versions


class CommentForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    text = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the validation is taken back"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history of these answers."),
    )


class ValidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why validate although answers are missing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when required answers are missing; kept in the history."),
    )
