"""Compare: anyone picks published results, cities (by name or by peer group) and what to
compare, and sees their scores side by side, as a chart and a table, at a shareable address;
the same comparison as CSV and SVG. Every page is public and reads only published results."""

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from integratingcities.lib import charts, scoring
from integratingcities.lib.tabular import csv_lines
from integratingcities.permissions import permission_required

from . import exports
from .forms import MAX_CITIES, MAX_SUBJECTS, parse
from .selectors import SCORED, Comparison, comparison

public = permission_required(None, login=False)
CHART_SECONDS = 3600


def _comparison(request: HttpRequest) -> Comparison:
    query, notes = parse(request.GET)
    return comparison(request.user, query, notes)


@public
def page(request: HttpRequest) -> HttpResponse:
    found = _comparison(request)
    query = urlencode(found.query.params())
    return render(
        request,
        "compare/page.html",
        {
            "c": found,
            "typed_cities": "\n".join(found.named_cities),
            "query": query,
            "bands": list(scoring.Band),
            "foreign_born_bands": scoring.FOREIGN_BORN_BANDS,
            "max_cities": MAX_CITIES,
            "max_subjects": MAX_SUBJECTS,
        },
    )


@public
def data_csv(request: HttpRequest) -> HttpResponse:
    found = _comparison(request)
    # At most MAX_CITIES times MAX_SUBJECTS rows: written at once, not streamed.
    response = HttpResponse(
        "".join(csv_lines(exports.COLUMNS, exports.rows(found))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="comparison.csv"'
    return response


@public
def chart_svg(request: HttpRequest) -> HttpResponse:
    found = _comparison(request)
    labels = [
        f"{row.city.name} ({_('illustrative')})" if row.is_illustrative else row.city.name
        for row in found.rows
    ]
    series = [
        (
            subject.label,
            [row.cells[n].score if row.cells[n].status == SCORED else None for row in found.rows],
        )
        for n, subject in enumerate(found.subjects)
    ]
    title = _("Illustrative levels, not the cities' real answers") if found.is_illustrative else ""
    name = (
        _("Scores compared: %(source)s") % {"source": found.source.title}
        if found.source
        else _("Scores compared")
    )
    description = exports.describe(found)
    # The key is everything drawn: a changed score or name is a new key.
    parts = (get_language(), labels, series, title, name, description)
    key = "compare-chart:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = charts.grouped_bars(
            labels,
            series,
            _("score (0-100)"),
            title,
            # One thing compared: each bar is a city's score; several: each its own pattern.
            meanings=[charts.CITY] if len(series) == 1 else [None] * len(series),
            description=description,
            missing=_("no score (see the table)"),
            name=name,
        )
        cache.set(key, svg, CHART_SECONDS)
    return HttpResponse(svg, content_type="image/svg+xml")
