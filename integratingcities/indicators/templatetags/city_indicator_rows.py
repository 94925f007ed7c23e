"""The year rows of a city's indicator tables, written in Python: six indicators of ten years,
three includes and a few translations a cell, cost most of the page's time as a template loop.
Byte for byte what the loop wrote (``indicators/tests/test_city_indicator_rows.py`` compares
them)."""

from collections.abc import Mapping

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from integratingcities.indicators.selectors import CityIndicator
from integratingcities.lib.escaping import esc, shown
from integratingcities.results.indicators import Median

from .indicator_values import indicator_value

register = template.Library()

DASH = '<span class="muted">—</span>'


@register.simple_tag
def city_indicator_rows(
    item: CityIndicator,
    city_name: str,
    group_name: str,
    group_kind: str,
    bases: Mapping[str, str],
    basis_label: str,
    network_label: str,
    gap_label: str,
    source_label: str,
) -> SafeString:
    indicator, reference = item.indicator, item.reference
    unit = indicator.unit
    illustrative = f' <span class="pill pill-warn">{esc(gettext("illustrative"))}</span>'
    not_comparable = (
        f'<br><span class="pill pill-warn">{esc(gettext("another definition"))}</span> '
        f'<span class="small muted">{esc(gettext("not comparable with the medians"))}</span>'
    )
    basis_names = {key: esc(str(name)) for key, name in bases.items()}
    group_label = gettext("Median: %(group)s") % {"group": esc(group_name)}
    city = esc(city_name)
    basis_label, network_label = esc(basis_label), esc(network_label)
    gap_label, source_label = esc(gap_label), esc(source_label)

    def median(m: Median | None) -> str:
        if m is None or m.value is None:
            return DASH
        cities = ngettext("%(counter)s city", "%(counter)s cities", m.count) % {
            "counter": shown(m.count)
        }
        return (
            f'{indicator_value(m.value, unit)} <span class="muted small nowrap">({cities})</span>'
            + (illustrative if m.illustrative else "")
        )

    written = []
    for row in item.series.rows:
        value = row.value
        basis = basis_names.get(value.basis, "None")
        cells = [
            f'\n      <tr>\n        <th scope="row">{shown(row.year)}</th>\n'
            f'        <td data-label="{city}" class="num">{indicator_value(value.value, unit)}'
            f"{illustrative if value.illustrative else ''}</td>\n"
            f'        <td data-label="{basis_label}">{basis}'
            f"{'' if row.comparable else not_comparable}</td>\n"
            f'        <td data-label="{network_label}" class="num">{median(row.network)}</td>\n'
            f'        <td data-label="{group_label}" class="num">'
            f"{median(row.groups.get(group_kind))}</td>\n        "
        ]
        if reference is not None:
            gap = row.gap
            if gap is None:
                referenced = shown_gap = DASH
            else:
                referenced = str(indicator_value(gap.reference_value, reference.unit))
                if gap.year != gap.reference_year:
                    referenced += (
                        f' <span class="muted small nowrap">({shown(gap.reference_year)})</span>'
                    )
                if unit == "percent":
                    shown_gap = ("+" if gap.points > 0 else "") + floatformat(gap.points, 1)
                elif gap.percent_of is not None:
                    shown_gap = f"{floatformat(gap.percent_of, 1)}%"
                else:
                    shown_gap = DASH
                if gap.illustrative:
                    shown_gap += illustrative
            cells.append(
                f'\n        <td data-label="{esc(reference.name)}" class="num">{referenced}</td>\n'
                f'        <td data-label="{gap_label}" class="num">{shown_gap}</td>\n        '
            )
        note = f'<br><span class="muted small">{esc(value.note)}</span>' if value.note else ""
        cells.append(
            f'\n        <td data-label="{source_label}">{esc(value.source)}{note}</td>\n'
            "      </tr>\n    "
        )
        written.append("".join(cells))
    return mark_safe("".join(written))
