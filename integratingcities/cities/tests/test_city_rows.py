"""The list pages' rows are written in Python; they must write what the template loops did."""

import pytest
from django.template import Context, Template
from django.utils import translation
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

ROWS = [
    CityRow(
        url="/cities/ghent/",
        name="Ghent",
        country_name="Belgium",
        period="March 2010",
        signed=mark_safe("Signed <em>March 2010</em>"),
        is_illustrative=False,
    ),
    CityRow(
        url="/cities/odd/",
        name='<script>alert("x")</script> & Co',
        country_name="Côte d'Ivoire",
        period="between 2010 & 2012",
        signed=mark_safe("Signed between 2010 &amp; 2012"),
        is_illustrative=True,
    ),
    CityRow(
        url="/cities/nowhere/",
        name="Nowhere",
        country_name="",
        period="",
        signed=mark_safe(""),
        is_illustrative=False,
    ),
]


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []])
def test_the_rows_are_what_the_loops_wrote(language: str, rows: list[CityRow]) -> None:
    with translation.override(language):
        context = {"cities": rows}
        assert SIGNATORY_TAG.render(Context(context)) == SIGNATORY_LOOP.render(Context(context))
        assert CITY_TAG.render(Context(context)) == CITY_LOOP.render(Context(context))
    assert "<script>" not in CITY_TAG.render(Context({"cities": ROWS}))
