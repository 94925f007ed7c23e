"""An indicator's value as the pages show it, by its unit."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def indicator_value(value: float | None, unit: str = "") -> SafeString:
    """Per cent to one decimal, people as a whole number with thousands grouped, a ratio to
    two decimals; each in the active language's number format."""
    if value is None:
        return mark_safe('<span class="muted">—</span>')
    if unit == "percent":
        return format_html('<span class="nowrap">{}%</span>', floatformat(value, 1))
    if unit == "count":
        return format_html('<span class="nowrap">{}</span>', floatformat(value, "0g"))
    return mark_safe(floatformat(value, 2))  # floatformat's own output, already safe
