"""The report's long lists, written in Python: what cities wrote and the participating cities.

A report credits every city's written answers and names every participating city, so these
lists grow with the network (thousands of rows at 2,000 cities); a template loop costs some 40
µs a row, this a tenth of it. The HTML is byte for byte what the template loops wrote
(``reports/tests/test_report_body.py`` compares them).
"""

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# A slug no city has, replaced by each city's own: one reverse() for the whole list.
_SLUG = "city-slug-placeholder"


@register.filter
def credited(answers: Iterable[dict[str, Any]]) -> SafeString:
    """``<li>`` for each answer: the city in bold, then its text with its line breaks."""
    return mark_safe(
        "".join(
            f"<li><strong>{escape(answer['city'])}</strong>: {_lines(answer['text'])}</li>"
            for answer in answers
        )
    )


def _lines(text: str) -> str:
    """Django's ``linebreaksbr`` filter without its lazy-string wrappers: escaped, each line
    break (``\\r\\n``, ``\\r`` or ``\\n``) a ``<br>``."""
    return escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


@register.simple_tag
def city_list(cities: list[dict[str, Any]], site_url: str = "") -> SafeString:
    """The cities as links, each with its country, separated by commas."""
    if not cities:
        # As {% translate %} writes a literal: the translators' text is not escaped.
        return mark_safe(_("No city has validated answers in this round."))
    link = escape(site_url + reverse("cities:detail", kwargs={"slug": _SLUG}))
    return mark_safe(
        ", ".join(
            f'<a href="{link.replace(_SLUG, escape(city["slug"]))}">{escape(city["name"])}</a> '
            f"({escape(str(city['country_name']))})"
            for city in cities
        )
    )
