"""The rows of an indicator's table of cities, written in Python: a page of 100 rows, a dozen
template variables each, cost more than the rest of the page. Byte for byte what the template
loop wrote (``indicators/tests/test_indicator_rows.py`` compares them)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.lib.escaping import esc, shown

register = template.Library()


@register.simple_tag
def indicator_rows(
    rows: Iterable[Mapping[str, Any]],
    ranked: bool,
    rank_label: str,
    value_label: str,
    year_label: str,
    basis_label: str,
    source_label: str,
    other_label: str,
    illustrative_label: str,
) -> SafeString:
    rank, value, year = esc(rank_label), esc(value_label), esc(year_label)
    basis, source = esc(basis_label), esc(source_label)
    other = f' <span class="pill pill-warn">{esc(other_label)}</span>'
    illustrative = f' <span class="pill pill-warn">{esc(illustrative_label)}</span>'
    dash = '<span class="muted">—</span>'
    written = []
    for row in rows:
        rank_cell = (
            f'<td data-label="{rank}" class="num">'
            f"{shown(row['rank']) if row['rank'] else dash}</td>"
            if ranked
            else ""
        )
        note = f'<br><span class="muted small">{esc(row["note"])}</span>' if row["note"] else ""
        written.append(
            f'\n    <tr>\n      <th scope="row"><a href="{esc(row["url"])}">{esc(row["name"])}'
            f"</a></th>\n      {rank_cell}\n"
            f'      <td data-label="{value}" class="num">{esc(row["value"])}'
            f"{illustrative if row['illustrative'] else ''}</td>\n"
            f'      <td data-label="{year}" class="num">{shown(row["year"])}</td>\n'
            f'      <td data-label="{basis}">{esc(row["basis"])}'
            f"{'' if row['comparable'] else other}</td>\n"
            f'      <td data-label="{source}">{esc(row["source"])}{note}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(written))
