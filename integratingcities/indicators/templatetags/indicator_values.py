"""An indicator's value as the pages show it, by its unit."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.lib.numbers import fixed

register = template.Library()


@register.filter
def indicator_value(value: float | None, unit: str = "") -> SafeString:
    """Per cent to one decimal, people as a whole number with thousands grouped, a ratio to
    two decimals; each in the active language's number format."""
    if value is None:
        return mark_safe('<span class="muted">—</span>')
    if unit == "percent":
        return mark_safe(f'<span class="nowrap">{fixed(value, 1)}%</span>')
    if unit == "count":
        return mark_safe(f'<span class="nowrap">{fixed(value, 0, grouped=True)}</span>')
    return mark_safe(fixed(value, 2))
