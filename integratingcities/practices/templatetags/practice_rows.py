"""The practice library's result cards, written in Python: twenty cards of a dozen template
variables each cost as much as the rest of the page. Byte for byte what the template loop wrote
(``practices/tests/test_practice_rows.py`` compares them)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from integratingcities.lib.escaping import esc, shown

register = template.Library()


@register.simple_tag
def practice_rows(
    rows: Iterable[Mapping[str, Any]],
    submitted_label: str,
    report_label: str,
    toolkit_label: str,
    illustrative_label: str,
) -> SafeString:
    sources = {"submitted": esc(submitted_label), "report-2015": esc(report_label)}
    toolkit = esc(toolkit_label)
    illustrative = f' <span class="pill pill-warn">{esc(illustrative_label)}</span>'
    written = []
    for row in rows:
        cities = ", ".join(f'<a href="{esc(url)}">{esc(name)}</a>' for name, url in row["cities"])
        year = f" · {shown(row['year'])}" if row["year"] else ""
        pills = (
            '<ul class="theme-list">'
            + "".join(
                f'<li><a class="pill{esc(kind)}" href="{esc(url)}" title="{esc(title)}">'
                f"{esc(label)}</a></li>"
                for label, title, url, kind in row["pills"]
            )
            + "</ul>"
            if row["pills"]
            else ""
        )
        written.append(
            f'\n  <li class="practice-card">\n    <h2><a href="{esc(row["url"])}">'
            f"{esc(row['title'])}</a></h2>\n"
            f'    <p class="practice-meta">{cities} · {esc(row["country"])}{year} · '
            f'<span class="muted">{sources.get(row["source"], toolkit)}</span>'
            f"{illustrative if row['illustrative'] else ''}</p>\n"
            f'    <p class="practice-excerpt">{esc(row["excerpt"])}</p>\n'
            f"    {pills}\n  </li>\n  "
        )
    return mark_safe("".join(written))
