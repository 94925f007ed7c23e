"""The answer form of one section, built from the framework's items."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from integratingcities.frameworks.models import Item, ItemKind, Level
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


def clean_links(raw: str) -> tuple[str, ...]:
    links = tuple(line.strip() for line in raw.splitlines() if line.strip())
    if len(links) > MAX_LINKS:
        raise ValidationError(_("Give at most %(max)d links.") % {"max": MAX_LINKS})
    check = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            check(link)
        except ValidationError as error:
            raise ValidationError(
                _("“%(link)s” is not a web address (it should start with https://).")
                % {"link": link[:80]}
            ) from error
    return links


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
        self.levels = {
            item.pk: {level.key: level for level in levels.get(item.scale_id or 0, [])}
            for item in self.items
        }
        for item in self.items:
            answer = answers.get(item.pk)
            prefix = f"i{item.pk}"
            self.fields[f"{prefix}-version"] = forms.IntegerField(
                widget=forms.HiddenInput,
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
                    widget=forms.RadioSelect,
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
                    widget=forms.Textarea(attrs={"rows": 4}),
                    initial=answer.evidence if answer else "",
                    help_text=_("What the city does: strategies, plans, services, figures."),
                )
                self.fields[f"{prefix}-links"] = forms.CharField(
                    label=_("Links"),
                    required=False,
                    max_length=MAX_TEXT,
                    validators=[refuse_unpaired_surrogates],
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial="\n".join(answer.links) if answer else "",
                    help_text=_("One web address a line."),
                )
            elif item.kind == ItemKind.SINGLE_CHOICE:
                self.fields[f"{prefix}-choice"] = forms.ChoiceField(
                    label=label,
                    required=False,
                    widget=forms.RadioSelect,
                    choices=[(o["key"], translate(o["label"])) for o in item.options],
                    initial=answer.choices[0] if answer and answer.choices else None,
                )
            elif item.kind == ItemKind.MULTIPLE_CHOICE:
                self.fields[f"{prefix}-choices"] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    choices=[(o["key"], translate(o["label"])) for o in item.options],
                    initial=answer.choices if answer else [],
                )
            elif item.kind == ItemKind.NUMBER:
                self.fields[f"{prefix}-number"] = forms.DecimalField(
                    label=label,
                    required=False,
                    max_digits=14,
                    decimal_places=2,
                    min_value=item.number_min,
                    max_value=item.number_max,
                    initial=answer.number if answer else None,
                    widget=forms.NumberInput(attrs={"step": "any"}),
                )
            else:
                self.fields[f"{prefix}-text"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=MAX_TEXT,
                    validators=[refuse_unpaired_surrogates],
                    widget=forms.Textarea(attrs={"rows": 4}),
                    initial=answer.text if answer else "",
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

    def bound_items(self) -> list[dict[str, Any]]:
        """Per item, its bound fields, for the template."""
        rows = []
        for item in self.items:
            prefix = f"i{item.pk}-"
            rows.append(
                {
                    "item": item,
                    "fields": [
                        self[name]
                        for name in self.fields
                        if name.startswith(prefix) and not name.endswith("-version")
                    ],
                    "version": self[f"{prefix}version"],
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
            if item.kind == ItemKind.RATING:
                level_key = data.get(f"{prefix}level") or ""
                inputs[item] = AnswerInput(
                    level=self.levels[item.pk].get(level_key),
                    evidence=(data.get(f"{prefix}evidence") or "").strip(),
                    links=data.get(f"{prefix}links") or (),
                )
            elif item.kind == ItemKind.SINGLE_CHOICE:
                choice = data.get(f"{prefix}choice")
                inputs[item] = AnswerInput(choices=(choice,) if choice else ())
            elif item.kind == ItemKind.MULTIPLE_CHOICE:
                inputs[item] = AnswerInput(
                    choices=tuple(sorted(set(data.get(f"{prefix}choices") or ())))
                )
            elif item.kind == ItemKind.NUMBER:
                number = data.get(f"{prefix}number")
                inputs[item] = AnswerInput(number=Decimal(number) if number is not None else None)
            else:
                inputs[item] = AnswerInput(text=(data.get(f"{prefix}text") or "").strip())
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
