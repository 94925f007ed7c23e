"""Form fields shared by several apps."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objects by id; an id beyond the database's integers is an unknown choice.

    Django guards a single lookup against such a number but not the `__in` query this field makes,
    on which SQLite fails (a server error).
    """

    def _check_values(self, value: Any) -> Any:
        low, high = connection.ops.integer_field_range("BigAutoField")
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Not a number at all: the parent class says so.
            if not low <= number <= high:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]  # private: not in django-stubs


def _attributes(attrs: dict[str, Any]) -> str:
    """As Django's ``attrs.html`` writes them: True alone, False left out, the rest escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelectMixin:
    """A menu written in Python, to the byte as Django's ``select.html`` and
    ``select_option.html`` write it: those templates cost a template include per option, which
    for a menu of every city (2,000 of them) took most of a page's time."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts += [
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                for option in options
            ]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass


class QuickChoicesMixin:
    """Radio buttons or checkboxes written in Python, to the byte as Django's
    ``multiple_input.html`` and the three templates it includes per option write them: a
    questionnaire's section shows a list of them for every question."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        own = widget["attrs"]
        parts = [f"<div{_optional('id', own.get('id'))}{_optional('class', own.get('class'))}>"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f"\n  <div><label>{conditional_escape(group_name)}</label>")
            for option in options:
                wrap, value = option["wrap_label"], option["value"]
                value_attribute = _optional("value", value, when=value is not None)
                parts += [
                    "<div>\n    ",
                    f"<label{_optional('for', option['attrs'].get('id'))}>" if wrap else "",
                    f'<input type="{conditional_escape(option["type"])}"',
                    f' name="{conditional_escape(option["name"])}"{value_attribute}',
                    f"{_attributes(option['attrs'])}>\n",
                    f" {conditional_escape(option['label'])}</label>" if wrap else "",
                    "\n\n</div>",
                ]
            if group_name:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))


class QuickRadioSelect(QuickChoicesMixin, forms.RadioSelect):
    pass


class QuickCheckboxSelectMultiple(QuickChoicesMixin, forms.CheckboxSelectMultiple):
    pass


class QuickTextarea(forms.Textarea):
    """A text area written in Python, to the byte as Django's ``textarea.html`` writes it."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(
            f'<textarea name="{conditional_escape(widget["name"])}"'
            f"{_attributes(widget['attrs'])}>\n{text}</textarea>"
        )


class QuickHiddenInput(forms.HiddenInput):
    """A hidden field written in Python, to the byte as Django's ``input.html`` writes it."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        value_attribute = _optional("value", widget["value"], when=widget["value"] is not None)
        return mark_safe(
            f'<input type="{conditional_escape(widget["type"])}"'
            f' name="{conditional_escape(widget["name"])}"{value_attribute}'
            f"{_attributes(widget['attrs'])}>"
        )


def _optional(name: str, value: Any, *, when: bool | None = None) -> str:
    """`` name="value"`` (escaped) if ``when``, by default if the value is not empty."""
    if not (bool(value) if when is None else when):
        return ""
    return f' {name}="{conditional_escape(str(value))}"'


# Spaces people put between groups of digits: a space, a no-break space, a narrow no-break space
# (French) and a thin space.
_SPACES = ("\u00a0", "\u202f", "\u2009")
_TYPED = re.compile(r"([+-]?)([\d ,.]+)")


class AmbiguousNumber(ValueError):
    """A single comma followed by three digits: a thousands comma or a decimal comma."""


def as_typed(value: str) -> str:
    """The number people typed, written as `Decimal()` reads it (a dot, no separators).

    Raises ValueError when the separators are irregular, AmbiguousNumber when they could be read
    two ways. Text without a comma, a space or a second dot is returned as it is (stripped): it is
    what the API and scripts send ("12.5", "1E+3"), and Decimal() judges it.
    """
    text = value.strip().replace("\u2212", "-")  # a typographic minus
    for space in _SPACES:
        text = text.replace(space, " ")
    if "," not in text and " " not in text and text.count(".") <= 1:
        return text
    match = _TYPED.fullmatch(text)
    if not match:
        raise ValueError(value)
    sign, body = match.groups()
    commas, dots = body.count(","), body.count(".")
    decimal = ""  # the decimal separator, if any
    if commas and dots:
        decimal = body[max(body.rfind(","), body.rfind("."))]
    elif commas == 1:
        after = len(body) - body.rfind(",") - 1
        if after in (1, 2) or (" " in body and after):
            decimal = ","
        elif after == 3:
            raise AmbiguousNumber(value)
        else:
            raise ValueError(value)
    elif dots == 1:
        decimal = "."
    whole, fraction = body.rsplit(decimal, 1) if decimal else (body, "")
    if decimal and not fraction.isdigit():
        raise ValueError(value)
    if not whole.isdigit():
        grouped = re.fullmatch(r"\d{1,3}(?:([ ,.])\d{3})(?:\1\d{3})*", whole)
        if not grouped or grouped.group(1) == decimal:
            raise ValueError(value)
    digits = re.sub(r"[ ,.]", "", whole)
    return f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}"


def shown(number: Decimal) -> str:
    """A number as the active language writes it, without trailing zeros: 2020, 3.5 (3,5 in
    French and German)."""
    text = f"{number.normalize():f}" if number.is_finite() else str(number)
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


class TypedDecimalField(forms.DecimalField):
    """A decimal number read as people type it, in whatever language the page is in.

    Accepted, in every language:

    - a dot alone is a decimal point: "12.5", and exponents ("1e3"), as the API sends numbers;
    - a comma alone followed by one or two digits is a decimal comma: "12,5" is 12.5, in English
      too (a thousands comma is always followed by three digits);
    - spaces (also no-break, narrow no-break and thin spaces) between groups of three digits
      separate thousands: "1 234,5", "1 234.5";
    - when a comma and a dot both appear, the last is the decimal separator and the other separates
      groups of three digits: "1,234.5" and "1.234,5" are both 1234.5;
    - a comma or a dot repeated separates thousands: "1,234,567", "1.234.567".

    Refused, never guessed: a single comma followed by exactly three digits ("1,234" is 1234 in
    English and 1.234 in French or German), with a message saying how to write either; and
    separators anywhere else ("12 5", "1,2345", "1.23,4"). Nothing depends on the active
    language but the decimal separator of the numbers shown and of the examples in messages.

    The widget is a text input (inputmode "decimal"): a browser's number input reads "12,5" by
    its own rules (Chromium in English turns it into 125) and sends what it made of it.

    ``range_message`` replaces Django's messages for a number out of ``min_value`` and
    ``max_value`` (and, with ``whole``, a number with decimals), so that the message speaks in
    the field's own terms ("Give a year between 1900 and 2100.").
    """

    widget = forms.TextInput

    def __init__(
        self,
        *,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        whole: bool = False,
        range_message: str = "",
        example: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.low, self.high, self.whole = min_value, max_value, whole
        self.range_message = range_message
        self.example = example
        self.validators.append(self._check_range)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {"inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # stubs: int
        if isinstance(value, str):
            try:
                value = as_typed(value)
            except AmbiguousNumber:
                whole, fraction = value.strip().rsplit(",", 1)
                separator = str(formats.get_format("DECIMAL_SEPARATOR"))
                raise ValidationError(
                    _(
                        "“%(value)s” could be read as %(thousands)s or as %(decimal)s. Write"
                        " %(thousands)s without a separator, or a number with at most two"
                        " decimals, such as 12.5 or 12,5."
                    ),
                    code="ambiguous",
                    params={
                        "value": value.strip(),
                        "thousands": whole + fraction,
                        "decimal": f"{whole}{separator}{fraction}",
                    },
                ) from None
            except ValueError:
                raise self._invalid() from None
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid":
                raise self._invalid() from None
            raise

    def _invalid(self) -> ValidationError:
        return ValidationError(
            _("Enter a number, such as %(example)s.")
            % {"example": self.example or _("12.5 or 12,5")},
            code="invalid",
        )

    def _check_range(self, value: Decimal) -> None:
        below = self.low is not None and value < self.low
        above = self.high is not None and value > self.high
        if below or above or (self.whole and value != value.to_integral_value()):
            code = "min_value" if below else "max_value" if above else "whole"
            raise ValidationError(self.range_message or self._default_range(), code=code)

    def _default_range(self) -> str:
        if self.low is not None and self.high is not None:
            return _("Give a number between %(min)s and %(max)s.") % {
                "min": shown(self.low),
                "max": shown(self.high),
            }
        if self.low is not None:
            return _("Give a number of %(min)s or more.") % {"min": shown(self.low)}
        if self.high is not None:
            return _("Give a number of %(max)s or less.") % {"max": shown(self.high)}
        return _("Give a whole number.")

    def prepare_value(self, value: Any) -> Any:
        """A stored number shown without trailing zeros (2020, not 2020.00); typed text as
        typed."""
        return shown(value) if isinstance(value, Decimal) else value
