"""A city's indicator tables have their year rows written in Python; they must write what the
template loop did."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from integratingcities.indicators.models import Basis, Indicator
from integratingcities.indicators.selectors import CityIndicator
from integratingcities.results.indicators import CitySeries, Gap, Median, Value, YearRow
from integratingcities.results.peers import PeerGroup

LABELS = (
    '{% load i18n %}{% translate "Who counts" as basis_label %}'
    '{% translate "Median of the other cities" as network_label %}'
    '{% if indicator.unit == "percent" %}{% translate "Gap (points)" as gap_label %}'
    '{% else %}{% translate "Share of it" as gap_label %}{% endif %}'
    '{% translate "Source" as source_label %}'
)
# What indicators/city.html looped over before.
LOOP = Template(
    "{% with indicator=item.indicator series=item.series %}"
    + LABELS
    + (Path(settings.BASE_DIR) / "integratingcities/indicators/tests/city_rows_loop.txt")
    .read_text()
    .removesuffix("\n")
    + "{% endwith %}"
)
TAG = Template(
    "{% with indicator=item.indicator %}"
    + LABELS.replace("{% load i18n %}", "{% load i18n city_indicator_rows %}")
    + "    {% city_indicator_rows item city.name r.group.name r.group.kind bases basis_label "
    "network_label gap_label source_label %}{% endwith %}"
)
HOSTILE = '<script>alert("x")</script> & Co'
GROUP = PeerGroup("size_band", "MEDIUM", frozenset())


def _value(year: int, value: float, **fields: object) -> Value:
    return Value(1, year, value, str(fields.pop("basis", "foreign_born")), **fields)  # type: ignore[arg-type]


def _rows(unit: str) -> list[YearRow]:
    return [
        YearRow(
            _value(2014, 12.25, source=HOSTILE, note="Re-based 'census'"),
            True,
            Median(10.5, 1),
            {"size_band": Median(11.0, 1234, illustrative=True)},
            Gap(2014, 12.25, 2012, 20.0, illustrative=True, same_basis=True),
        ),
        YearRow(
            _value(2015, 1234567.0, basis="foreign_nationals", illustrative=True, source="Stats"),
            False,
            Median(None, 0),
            {"size_band": Median(None, 0)},
            Gap(2015, 30.0, 2015, 20.0, illustrative=False, same_basis=False),
        ),
        YearRow(
            _value(2016, -0.5, basis="unknown-basis"),
            True,
            Median(2.0, 2),
            {"size_band": Median(3.0, 5)},
            None if unit == "percent" else Gap(2016, 1.0, 2016, 0.0, False, True),
        ),
    ]


def _item(unit: str, *, reference: bool) -> CityIndicator:
    indicator = Indicator(key="staff", name=HOSTILE, unit=unit, basis="foreign_born")
    if reference:
        indicator.reference = Indicator(key="population", name="Population <share>", unit=unit)
    return CityIndicator(indicator, CitySeries(_rows(unit), []), GROUP)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("unit", ["percent", "count", "ratio"])
@pytest.mark.parametrize("reference", [True, False])
def test_the_rows_are_what_the_loop_wrote(language: str, unit: str, reference: bool) -> None:
    with translation.override(language):
        context = {
            "item": _item(unit, reference=reference),
            "city": {"name": 'Saint-Étienne "ville"'},
            "r": {"group": {"name": "Size <band>: medium", "kind": "size_band"}},
            "bases": dict(Basis.choices),
        }
        looped = LOOP.render(Context(context))
        written = TAG.render(Context(context))
    assert written == looped
    assert "&lt;script&gt;" in written and "<script>" not in written
