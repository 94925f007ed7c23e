"""Reading city indicators: the catalogue, an indicator across cities, a city's indicators over
time. Every page is public; every chart is also given as a table."""

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django_countries import countries

from integratingcities.cities.models import City
from integratingcities.lib import scoring
from integratingcities.lib.charts import Line, lines_over_time, strip
from integratingcities.permissions import permission_required
from integratingcities.results.peers import COUNTRY, SIZE_BAND, PeerGroup

from . import selectors
from .models import Basis, Indicator, Unit

public = permission_required(None, login=False)
city_page = permission_required(None, City, lookup={"slug": "slug"}, login=False)

CHART_SECONDS = 3600
ILLUSTRATIVE = gettext_noop("Illustrative figures among these: not facts from a source")


def _filters(request: HttpRequest) -> selectors.CityFilters:
    """The peer-group filters of the address; a value that cannot be used is left out."""
    country = request.GET.get("country", "")[:2].upper()
    band = request.GET.get("band", "")
    foreign_born = request.GET.get("foreign_born", "")
    return selectors.CityFilters(
        country=country if country.isalpha() and country.isascii() else "",
        band=scoring.Band[band] if band in scoring.Band.__members__ else None,
        foreign_born=foreign_born if foreign_born in selectors.FOREIGN_BORN_BANDS else "",
    )


def _group_kind(request: HttpRequest) -> str:
    kind = request.GET.get("group", SIZE_BAND)
    return kind if kind in selectors.GROUP_KINDS else SIZE_BAND


def _indicator(key: str) -> Indicator:
    indicator = None if "\x00" in key else selectors.indicator_for_page(key)
    if indicator is None:
        raise Http404
    return indicator


def _cached_svg(parts: Any, draw: Any) -> HttpResponse:
    """The chart drawn from ``parts`` (everything it shows), from the cache if drawn before:
    the key is the data itself, so a changed value is a new key."""
    key = "indicator-chart:" + hashlib.sha256(repr((get_language(), parts)).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw()
        cache.set(key, svg, CHART_SECONDS)
    return HttpResponse(svg, content_type="image/svg+xml")


def _unit_label(indicator: Indicator) -> str:
    return {Unit.PERCENT: _("per cent"), Unit.COUNT: _("people"), Unit.RATIO: _("ratio")}.get(
        Unit(indicator.unit), ""
    )


def _group_value(group: PeerGroup) -> str:
    """What the city shares with the group: its size band, foreign-born band or country."""
    if group.value is None:
        return _("not known")
    if group.kind == SIZE_BAND:
        return scoring.Band[group.value].value
    if group.kind == COUNTRY:
        return str(countries.name(group.value))
    return group.value


@public
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(request, "indicators/list.html", {"rows_html": selectors.catalogue_rows()})


@public
def indicator_detail(request: HttpRequest, key: str) -> HttpResponse:
    indicator = _indicator(key)
    page = selectors.indicator_page(indicator, _filters(request), request.GET.get("page"))
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "body": mark_safe(page.body),  # our own template's HTML, kept as text
        },
    )


@public
def indicator_chart(request: HttpRequest, key: str) -> HttpResponse:
    indicator = _indicator(key)
    found = selectors.distribution(indicator, _filters(request))
    shown, other = list(found.shown), list(found.other)
    median = found.median.value
    title = _(ILLUSTRATIVE) if found.illustrative else ""
    return _cached_svg(
        ("strip", indicator.pk, indicator.name, shown, other, median, title),
        lambda: strip(
            shown,
            f"{indicator.name} ({_unit_label(indicator)})",
            median,
            _("Median"),
            other,
            _("On another definition (not in the median)"),
            title,
        ),
    )


@city_page
def city_indicators(request: HttpRequest, city: City) -> HttpResponse:
    groups, group = selectors.city_groups(city, _group_kind(request))
    page = selectors.city_page(city, group.kind)
    return render(
        request,
        "indicators/city.html",
        {
            "city": city,
            "illustrative": page.illustrative,
            "body": mark_safe(page.body),  # our own template's HTML, kept as text
            "group": group,
            "group_options": [
                {"kind": g.kind, "label": f"{g.name}: {_group_value(g)}"}
                for g in groups
                if g.kind in selectors.GROUP_KINDS
            ],
        },
    )


@city_page
def city_chart(request: HttpRequest, city: City, key: str) -> HttpResponse:
    indicator = _indicator(key)
    found = selectors.city_indicators(city, _group_kind(request), only=indicator)
    if not found.indicators:
        raise Http404
    item = found.indicators[0]
    series = item.series
    bases = dict(Basis.choices)
    lines: list[Line] = []
    for basis in dict.fromkeys(s.basis for s in series.segments):
        lines.append(
            (
                f"{city.name}: {bases.get(basis, basis)}",
                [
                    [(v.year, v.value) for v in s.values]
                    for s in series.segments
                    if s.basis == basis
                ],
                "own",
            )
        )
    if item.reference is not None and item.reference.unit == indicator.unit and series.reference:
        lines.append(
            (
                f"{city.name}: {item.reference.name}",
                [[(v.year, v.value) for v in series.reference]],
                "reference",
            )
        )
    for label, kind in (
        (_("Median of the other cities"), "network"),
        (_("Median: %(group)s") % {"group": item.group.name}, item.group.kind),
    ):
        medians = [(row.year, row.groups[kind].value) for row in series.rows]
        lines.append((label, [[(y, m) for y, m in medians if m is not None]], "median"))
    title = _(ILLUSTRATIVE) if series.illustrative else ""
    note = (
        _("The definition changes: each definition is its own line, never joined.")
        if series.has_break
        else ""
    )
    return _cached_svg(
        ("lines", city.pk, indicator.pk, lines, title, note),
        lambda: lines_over_time(lines, _unit_label(indicator), title, note),
    )
