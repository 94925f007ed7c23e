"""The response board's rows, written in Python: a page of 100 rows, a dozen template
variables each, cost as much as the rest of the page. Byte for byte what the template loop
wrote (``rounds/tests/test_board_rows.py`` compares them)."""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.lib.escaping import esc
from integratingcities.rounds.selectors import BoardRow

register = template.Library()


@register.simple_tag
def board_rows(
    rows: Iterable[BoardRow],
    state_label: str,
    answered_label: str,
    activity_label: str,
    no_editor: str,
) -> SafeString:
    state, answered, activity = esc(state_label), esc(answered_label), esc(activity_label)
    warning = f'<br><span class="pill pill-warn">{esc(no_editor)}</span> <a class="small" href="'
    written = []
    for row in rows:
        invite = (
            ""
            if row["has_editor"]
            else f'{warning}{esc(row["invite_url"])}">{esc(row["invite_label"])}</a>'
        )
        percent = esc(row["percent"])
        written.append(
            f'\n    <tr>\n      <th scope="row"><a href="{esc(row["url"])}">{esc(row["name"])}'
            f'</a>{invite}</th>\n      <td data-label="{state}">{esc(row["state_label"])}</td>\n'
            f'      <td data-label="{answered}"><progress max="100" value="{percent}" '
            f'aria-label="{esc(row["share_label"])}">{percent}%</progress> {percent}% '
            f"({esc(row['answered'])})</td>\n"
            f'      <td data-label="{activity}">{esc(row["activity"])}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(written))
