"""The rows of the signatories and cities lists, written in Python.

A page of 100 rows cost about as much in template variables (five a row, each resolved,
localised and escaped) as the rest of the page; these write the same HTML byte for byte
(``cities/tests/test_city_rows.py`` compares them with the loops they replace).
"""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.cities.selectors import CityRow
from integratingcities.lib.escaping import esc

register = template.Library()


@register.simple_tag
def signatory_rows(cities: Iterable[CityRow], country_label: str, signed_label: str) -> SafeString:
    country, signed = esc(country_label), esc(signed_label)
    rows = []
    for city in cities:
        rows.append(
            f'\n    <tr>\n      <th scope="row"><a href="{esc(city["url"])}">{esc(city["name"])}'
            f'</a></th>\n      <td data-label="{country}">{esc(city["country_name"])}</td>\n'
            f'      <td data-label="{signed}">{esc(city["period"])}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(rows))


@register.simple_tag
def city_rows(
    cities: Iterable[CityRow],
    country_label: str,
    charter_label: str,
    illustrative_label: str,
    not_signatory: str,
) -> SafeString:
    country, charter = esc(country_label), esc(charter_label)
    illustrative = f' <span class="pill pill-warn">{esc(illustrative_label)}</span>'
    unsigned = f'<span class="muted">{esc(not_signatory)}</span>'
    rows = []
    for city in cities:
        pill = illustrative if city["is_illustrative"] else ""
        signed = esc(city["signed"]) if city["signed"] else unsigned
        rows.append(
            f'\n    <tr>\n      <th scope="row"><a href="{esc(city["url"])}">{esc(city["name"])}'
            f'</a>{pill}</th>\n      <td data-label="{country}">{esc(city["country_name"])}</td>\n'
            f'      <td data-label="{charter}">{signed}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(rows))
