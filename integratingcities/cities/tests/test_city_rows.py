"""The list pages' rows are written in Python; they must write what the template loops did."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from integratingcities.cities.selectors import CityRow

# What cities/signatories.html and cities/city_list.html looped over before.
SIGNATORY_LOOP = Template(
    '{% load i18n %}{% translate "Country" as country_label %}'
    '{% translate "Signed the Charter" as signed_label %}'
    "{% for city in cities %}\n    <tr>\n"
    '      <th scope="row"><a href="{{ city.url }}">{{ city.name }}</a></th>\n'
    '      <td data-label="{{ country_label }}">{{ city.country_name }}</td>\n'
    '      <td data-label="{{ signed_label }}">{{ city.period }}</td>\n'
    "    </tr>\n  {% endfor %}"
)
SIGNATORY_TAG = Template(
    '{% load i18n city_rows %}{% translate "Country" as country_label %}'
    '{% translate "Signed the Charter" as signed_label %}'
    "{% signatory_rows cities country_label signed_label %}"
)
CITY_LOOP = Template(
    '{% load i18n %}{% translate "Country" as country_label %}'
    '{% translate "Charter" as charter_label %}'
    '{% translate "illustrative" as illustrative_label %}'
    '{% translate "Not a signatory" as not_signatory %}'
    "{% for city in cities %}\n    <tr>\n"
    '      <th scope="row"><a href="{{ city.url }}">{{ city.name }}</a>'
    '{% if city.is_illustrative %} <span class="pill pill-warn">{{ illustrative_label }}</span>'
    "{% endif %}</th>\n"
    '      <td data-label="{{ country_label }}">{{ city.country_name }}</td>\n'
    '      <td data-label="{{ charter_label }}">{% if city.signed %}{{ city.signed }}{% else %}'
    '<span class="muted">{{ not_signatory }}</span>{% endif %}</td>\n'
    "    </tr>\n  {% endfor %}"
)
CITY_TAG = Template(
    '{% load i18n city_rows %}{% translate "Country" as country_label %}'
    '{% translate "Charter" as charter_label %}'
    '{% translate "illustrative" as illustrative_label %}'
    '{% translate "Not a signatory" as not_signatory %}'
    "{% city_rows cities country_label charter_label illustrative_label not_signatory %}"
)


def _row(slug: str, name: str, country: str, period: str, *, illustrative: bool) -> CityRow:
    return CityRow(
        url=f"/cities/{slug}/",
        name=name,
        country_name=country,
        period=period,
        signed=mark_safe(f"Signed {escape(period)}" if period else ""),
        is_illustrative=illustrative,
    )


ROWS = [
    _row("ghent", "Ghent", "Belgium", "March 2010", illustrative=False),
    _row(
        "odd",
        '<script>alert("x")</script> & Co',
        "Côte d'Ivoire",
        "between 2010 & 2012",
        illustrative=True,
    ),
    _row("nowhere", "Nowhere", "", "", illustrative=False),
]


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []])
def test_the_rows_are_what_the_loops_wrote(language: str, rows: list[CityRow]) -> None:
    with translation.override(language):
        context = {"cities": rows}
        assert SIGNATORY_TAG.render(Context(context)) == SIGNATORY_LOOP.render(Context(context))
        assert CITY_TAG.render(Context(context)) == CITY_LOOP.render(Context(context))
    assert "<script>" not in CITY_TAG.render(Context({"cities": ROWS}))
