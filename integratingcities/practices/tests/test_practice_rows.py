"""The library's result cards are written in Python; they must write what the template loop
did."""

from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

LABELS = (
    '{% load i18n %}{% translate "submitted by the city" as submitted_label %}'
    '{% translate "Cities and Migrants report, 2015" as report_label %}'
    '{% translate "CITIES GROW toolkit, 2018" as toolkit_label %}'
    '{% translate "illustrative" as illustrative_label %}'
)
# What practices/library.html looped over before.
LOOP = Template(
    LABELS + '  {% for row in rows %}\n  <li class="practice-card">\n'
    '    <h2><a href="{{ row.url }}">{{ row.title }}</a></h2>\n'
    '    <p class="practice-meta">{% for name, url in row.cities %}<a href="{{ url }}">{{ name }}'
    "</a>{% if not forloop.last %}, {% endif %}{% endfor %} · {{ row.country }}"
    '{% if row.year %} · {{ row.year }}{% endif %} · <span class="muted">'
    '{% if row.source == "submitted" %}{{ submitted_label }}{% elif row.source == "report-2015" %}'
    "{{ report_label }}{% else %}{{ toolkit_label }}{% endif %}</span>{% if row.illustrative %} "
    '<span class="pill pill-warn">{{ illustrative_label }}</span>{% endif %}</p>\n'
    '    <p class="practice-excerpt">{{ row.excerpt }}</p>\n'
    '    {% if row.pills %}<ul class="theme-list">{% for label, title, url, kind in row.pills %}'
    '<li><a class="pill{{ kind }}" href="{{ url }}" title="{{ title }}">{{ label }}</a></li>'
    "{% endfor %}</ul>{% endif %}\n  </li>\n  {% endfor %}"
)
TAG = Template(
    LABELS.replace("{% load i18n %}", "{% load i18n practice_rows %}")
    + "  {% practice_rows rows submitted_label report_label toolkit_label illustrative_label %}"
)
HOSTILE = '<script>alert("x")</script> & Co'


def _row(title: str, **fields: Any) -> dict[str, Any]:
    return {
        "key": "p-1",
        "title": title,
        "url": "/practices/p-1/",
        "cities": [("Ghent", "/cities/ghent/")],
        "country": "Belgium",
        "year": 2015,
        "source": "report-2015",
        "illustrative": False,
        "excerpt": "A one-stop shop for newcomers …",
        "pills": [],
        **fields,
    }


ROWS = [
    _row("Ghent's shop"),
    _row(
        HOSTILE,
        cities=[(HOSTILE, "/cities/x/?a=1&b=2"), ("Zürich", "/cities/zurich/")],
        country="Côte d'Ivoire",
        year=None,
        source="submitted",
        illustrative=True,
        excerpt=mark_safe("<b>safe already</b>") + " & more",
        pills=[
            ("Equal access", "Policymaker: Equal access <b>", "/practices/?commitment=a%26b", ""),
            ("Branding", "Benchmark: Branding & language", "/practices/?factor=x", " pill-factor"),
        ],
    ),
    _row("A toolkit's practice", source="toolkit-2018", year=12345),
]


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []])
def test_the_cards_are_what_the_loop_wrote(language: str, rows: list[dict[str, Any]]) -> None:
    with translation.override(language):
        assert TAG.render(Context({"rows": rows})) == LOOP.render(Context({"rows": rows}))
    written = TAG.render(Context({"rows": ROWS}))
    assert "<script>" not in written and "&lt;script&gt;" in written
