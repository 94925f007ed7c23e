"""Numbers as the pages show them, in the active language's number format."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import floatformat
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

_QUANTUM = {0: Decimal(1), 1: Decimal("0.1"), 2: Decimal("0.01")}


@lru_cache(maxsize=32)
def _separators(language: str | None) -> tuple[str, Any, str]:
    """The decimal separator, the grouping and the thousands separator of a language."""
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("NUMBER_GROUPING", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
    )


@receiver(setting_changed)
def _forget_separators(**kwargs: object) -> None:
    _separators.cache_clear()  # a test that changes the formats' settings


def fixed(value: float, places: int, grouped: bool = False) -> str:
    """``floatformat(value, places)`` (``"{places}g"`` when ``grouped``), byte for byte, in a
    fifth of its time: it looks the active language's three number formats up on every call,
    which a page of a few hundred values pays for in milliseconds. Rounded half up, as
    ``floatformat`` does; anything it would treat otherwise (not a finite number of up to 28
    digits) is left to it."""
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
        if places == 0 and number == number.to_integral_value():
            text = str(int(number))
        else:
            rounded = number.quantize(_QUANTUM[places], ROUND_HALF_UP)
            text = f"{rounded:f}"
            if not rounded:
                text = text.lstrip("-")  # floatformat shows no sign on a zero
    except (InvalidOperation, KeyError, ValueError, OverflowError):
        return str(floatformat(value, f"{places}g" if grouped else places))
    decimal, grouping, thousands = _separators(get_language())
    return str(
        numberformat.format(
            text, decimal, places, grouping, thousands, force_grouping=grouped, use_l10n=True
        )
    )
