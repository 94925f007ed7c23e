"""The board's rows are written in Python; they must write what the template loop did."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from integratingcities.rounds.selectors import BoardRow

LABELS = (
    "{% load i18n %}{% translate 'State' as state_label %}"
    "{% translate 'Answered' as answered_label %}"
    "{% translate 'Last activity' as activity_label %}"
    '{% translate "no editor: nobody is told" as no_editor %}'
)
# What rounds/round_board.html looped over before.
LOOP = Template(
    LABELS + "{% for row in rows %}\n    <tr>\n"
    '      <th scope="row"><a href="{{ row.url }}">{{ row.name }}</a>{% if not row.has_editor %}'
    '<br><span class="pill pill-warn">{{ no_editor }}</span> <a class="small" '
    'href="{{ row.invite_url }}">{{ row.invite_label }}</a>{% endif %}</th>\n'
    '      <td data-label="{{ state_label }}">{{ row.state_label }}</td>\n'
    '      <td data-label="{{ answered_label }}"><progress max="100" value="{{ row.percent }}" '
    'aria-label="{{ row.share_label }}">{{ row.percent }}%</progress> {{ row.percent }}% '
    "({{ row.answered }})</td>\n"
    '      <td data-label="{{ activity_label }}">{{ row.activity }}</td>\n'
    "    </tr>\n  {% endfor %}"
)
TAG = Template(
    LABELS.replace("{% load i18n %}", "{% load i18n board_rows %}")
    + "{% board_rows rows state_label answered_label activity_label no_editor %}"
)


def _row(name: str, *, has_editor: bool) -> BoardRow:
    return BoardRow(
        url="/assessments/7/",
        name=name,
        state_label="Draft",
        percent="45",
        answered="13/29",
        activity="30 November 2026, 10:02",
        has_editor=has_editor,
        invite_url="" if has_editor else "/accounts/invitations/?city=3&role=editor",
        invite_label="" if has_editor else mark_safe("invite an editor for <b>x</b>"),
        share_label=mark_safe("Ghent: share answered"),
    )


ROWS = [
    _row("Ghent", has_editor=True),
    _row('<script>alert("x")</script> & Co', has_editor=False),
    _row("Zürich", has_editor=False),
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []])
def test_the_rows_are_what_the_loop_wrote(language: str, rows: list[BoardRow]) -> None:
    with translation.override(language):
        assert TAG.render(Context({"rows": rows})) == LOOP.render(Context({"rows": rows}))
    assert "<script>" not in TAG.render(Context({"rows": ROWS}))
