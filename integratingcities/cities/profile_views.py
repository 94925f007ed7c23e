"""The city profile: a public page, and the same content as a PDF made in the background.

The profile holds only public data (``profile``), so one PDF serves everyone who may see the
city, and it is made again only when its data change (``profile_stamp``).
"""

from __future__ import annotations

import base64
import hashlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from integratingcities.downloads.registry import Builder, Built, Params, Progress
from integratingcities.lib.charts import StripRow, distribution_strips
from integratingcities.lib.pdf import render_pdf
from integratingcities.lib.translation import translate
from integratingcities.permissions import permission_required, visible_to
from integratingcities.results.peers import NETWORK

from .models import City
from .profile import GroupView, Profile, city_profile, profile_stamp

PDF_KIND = "cities.profile_pdf"
CHART_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Chart:
    """An SVG chart as an image both the page and the PDF show, with its text alternative."""

    src: str  # a data: URL
    alt: str


def _chart(rows: Sequence[StripRow], *, city: str, title: str, alt: str) -> Chart:
    """A distribution chart, cached under everything it is drawn from."""
    # Every score drawn is in the key, exactly, as bytes: a repr of them cost tens of
    # milliseconds at 20,000 cities.
    drawn_from = hashlib.sha256(repr((city, title, get_language())).encode())
    for label, values, own in rows:
        drawn_from.update(repr((label, own, len(values))).encode())
        drawn_from.update(array("d", values).tobytes())
    key = "profile-chart:" + drawn_from.hexdigest()
    svg: str | None = cache.get(key)
    if svg is None:
        svg = distribution_strips(
            rows,
            _("score (0-100)"),
            own_label=city,
            others_label=_("Other cities (a larger dot: more cities at that score)"),
            median_label=_("Median of the other cities"),
            middle_label=_("Middle half of the other cities"),
            title=title,
        )
        cache.set(key, svg, CHART_SECONDS)
    return Chart("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(), alt)


def _group_chart(view: GroupView, *, city: str, illustrative: bool, what: str) -> Chart:
    rows = [
        (translate(row.title), standing.scores, standing.own if standing.ranked else None)
        for row, standing in view.rows
    ]
    title = _("Illustrative levels, not the city's real answers") if illustrative else ""
    if illustrative:
        alt = _(
            "Dot chart: the %(what)s of the other %(cities)s; the levels are illustrative, so "
            "%(city)s is not placed among them. The same numbers are in the table below."
        )
    else:
        alt = _(
            "Dot chart: the %(what)s of the other %(cities)s, with %(city)s marked as a "
            "diamond. The same numbers are in the table below."
        )
    return _chart(
        rows,
        city=city,
        title=title,
        alt=alt % {"what": what, "cities": view.cities, "city": city},
    )


def _overall_chart(views: Sequence[GroupView], *, city: str, illustrative: bool) -> Chart:
    """The overall score in each peer group: one strip per group."""
    rows = [
        (
            capfirst(view.cities),
            view.overall.scores,
            view.overall.own if view.overall.ranked else None,
        )
        for view in views
    ]
    title = _("Illustrative levels, not the city's real answers") if illustrative else ""
    if illustrative:
        alt = _(
            "Dot chart: the overall scores of the other cities of each peer group; the levels "
            "are illustrative, so %(city)s is not placed among them. The same numbers are in the "
            "table below."
        )
    else:
        alt = _(
            "Dot chart: the overall scores of the other cities of each peer group, with "
            "%(city)s marked as a diamond. The same numbers are in the table below."
        )
    alt %= {"city": city}
    return _chart(rows, city=city, title=title, alt=alt)


def profile_context(found: Profile) -> dict[str, Any]:
    """What the page and the PDF both show: the profile and its charts. Two for the Charter
    (the overall score in each peer group; each role among all responding cities) and one per
    benchmark: each further comparison is a table of quartiles, which keeps the PDF short."""
    city = found.city.name
    charts: dict[str, Chart] = {}
    charter = found.charter
    if charter is not None:
        shown = [view for view in charter.groups if view.others]
        if shown:
            charts["overall"] = _overall_chart(shown, city=city, illustrative=charter.illustrative)
        network = next((view for view in shown if view.kind == NETWORK), None)
        if network is not None:
            charts["roles"] = _group_chart(
                network, city=city, illustrative=charter.illustrative, what=_("scores per role")
            )
    benchmarks = []
    for benchmark in found.benchmarks:
        view = benchmark.network
        chart = (
            _group_chart(
                view,
                city=city,
                illustrative=benchmark.illustrative,
                what=_("scores per key factor"),
            )
            if view is not None and view.others
            else None
        )
        benchmarks.append((benchmark, chart))
    return {"p": found, "city": found.city, "charts": charts, "benchmarks": benchmarks}


@permission_required(None, City, lookup={"slug": "slug"}, login=False)
def city_profile_view(request: HttpRequest, city: City) -> HttpResponse:
    return render(request, "cities/profile.html", profile_context(city_profile(city)))


# ---------------------------------------------------------------------------------------------
# The PDF, through the downloads registry


def _allowed(user: Any, params: Params) -> bool:
    return visible_to(user, City).filter(slug=params.get("slug", "")).exists()


def _title(params: Params) -> str:
    name = City.objects.filter(slug=params.get("slug", "")).values_list("name", flat=True).first()
    return _("City profile of %(city)s (PDF)") % {"city": name or params.get("slug", "")}


def _version(params: Params) -> str:
    return profile_stamp(params.get("slug", "")) or "-"


def _build(params: Params, progress: Progress) -> Built:
    city = City.objects.get(slug=params["slug"])
    progress(10, _("Reading the city's results"))
    found = city_profile(city)
    progress(40, _("Drawing the charts"))
    context = profile_context(found)
    progress(60, _("Printing the PDF"))
    content = render_pdf("cities/profile_print.html", context)
    return Built(f"{city.slug}-profile.pdf", "application/pdf", content)


PROFILE_PDF = Builder(
    kind=PDF_KIND,
    params=("slug",),
    title=_title,
    allowed=_allowed,
    version=_version,
    build=_build,
)
