"""An indicator's table of cities is written in Python; it must write what the template loop
did."""

from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

LABELS = (
    '{% load i18n %}{% translate "Rank" as rank_label %}{% translate "Value" as value_label %}'
    '{% translate "Year" as year_label %}{% translate "Who counts" as basis_label %}'
    '{% translate "Source" as source_label %}{% translate "another definition" as other_label %}'
    '{% translate "illustrative" as illustrative_label %}'
)
# What indicators/detail.html looped over before.
LOOP = Template(
    LABELS + "  {% for row in rows %}\n    <tr>\n"
    '      <th scope="row"><a href="{{ row.url }}">{{ row.name }}</a></th>\n'
    '      {% if d.is_ranked %}<td data-label="{{ rank_label }}" class="num">{% if row.rank %}'
    '{{ row.rank }}{% else %}<span class="muted">—</span>{% endif %}</td>{% endif %}\n'
    '      <td data-label="{{ value_label }}" class="num">{{ row.value }}{% if row.illustrative %} '
    '<span class="pill pill-warn">{{ illustrative_label }}</span>{% endif %}</td>\n'
    '      <td data-label="{{ year_label }}" class="num">{{ row.year }}</td>\n'
    '      <td data-label="{{ basis_label }}">{{ row.basis }}{% if not row.comparable %} '
    '<span class="pill pill-warn">{{ other_label }}</span>{% endif %}</td>\n'
    '      <td data-label="{{ source_label }}">{{ row.source }}{% if row.note %}<br>'
    '<span class="muted small">{{ row.note }}</span>{% endif %}</td>\n'
    "    </tr>\n  {% endfor %}"
)
TAG = Template(
    LABELS.replace("{% load i18n %}", "{% load i18n indicator_rows %}")
    + "  {% indicator_rows rows d.is_ranked rank_label value_label year_label basis_label "
    "source_label other_label illustrative_label %}"
)
HOSTILE = '<script>alert("x")</script> & Co'


def _row(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "url": "/indicators/cities/ghent/",
        "name": name,
        "rank": 1,
        "value": mark_safe('<span class="nowrap">12,3%</span>'),
        "illustrative": False,
        "year": 2023,
        "basis": "born abroad",
        "comparable": True,
        "source": "Statbel",
        "note": "",
        **fields,
    }


ROWS = [
    _row("Ghent"),
    _row(
        HOSTILE,
        url="/indicators/cities/x/?a=1&b=2",
        rank=None,
        value=mark_safe('<span class="muted">—</span>'),
        illustrative=True,
        year=12345,
        basis="foreign 'nationality'",
        comparable=False,
        source=HOSTILE,
        note="Re-based <b>census</b>",
    ),
    _row("Zürich", rank=1234, value="1.5 <plain text>"),
]


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("ranked", [True, False])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []])
def test_the_rows_are_what_the_loop_wrote(
    language: str, ranked: bool, rows: list[dict[str, Any]]
) -> None:
    context = {"rows": rows, "d": {"is_ranked": ranked}}
    with translation.override(language):
        assert TAG.render(Context(context)) == LOOP.render(Context(context))
    written = TAG.render(Context({"rows": ROWS, "d": {"is_ranked": ranked}}))
    assert "<script>" not in written and "&lt;script&gt;" in written
