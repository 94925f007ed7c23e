"""Showing a snapshot: the charts drawn from its frozen figures, and what the templates read.

The page and the PDF show the same include (``reports/includes/body.html``) with this context.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from integratingcities.lib.charts import stacked_bars
from integratingcities.lib.translation import translate

from .models import Edition, Report
from .selectors import section_labels, snapshot

CHART_SECONDS = 24 * 3600
EDITION_PAGE_SECONDS = 7 * 24 * 3600


def role_chart(role: dict[str, Any], levels: list[dict[str, Any]], illustrative: bool) -> str:
    """A role's stacked bars as a data URL (the PDF reads no other address), cached under the
    figures it draws: a frozen edition draws the same chart every time."""
    scored = [level for level in levels if level["score"] is not None]
    labels = [translate(c["text"]) for c in role["commitments"]]
    series = [
        (translate(level["label"]), [c["counts"].get(level["key"], 0) for c in role["commitments"]])
        for level in scored
    ]
    key = (
        "reports:chart:"
        + hashlib.sha256(
            json.dumps([labels, series, illustrative, get_language()]).encode()
        ).hexdigest()
    )
    found: str | None = cache.get(key)
    if found is None:
        title = _("Illustrative levels, not the cities' real answers") if illustrative else ""
        svg = stacked_bars(labels, series, _("cities"), title)
        found = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        cache.set(key, found, CHART_SECONDS)
    return found


# What the report's page shows of each list that grows with the network (what cities wrote to
# an item, the participating cities); its PDF shows every row. The Charter survey of 2015 had 34
# cities: a network's report is cut only where no one would read the page to its end.
SHOWN_ON_PAGE = 200


def cut(frozen: dict[str, Any], shown: int) -> dict[str, Any]:
    """A copy of the snapshot whose long lists stop at ``shown`` rows, each with how many it
    leaves out (``more``, ``challenges_more``, ``cities_more``). A preview's snapshot says its
    lists' totals (``…_total``, see ``selectors.snapshot``); an edition's lists are whole."""

    def left_out(entries: list[Any], total: int | None) -> int:
        return (len(entries) if total is None else total) - min(len(entries), shown)

    return {
        **frozen,
        "chapters": [
            {
                **chapter,
                "answers": chapter["answers"][:shown],
                "more": left_out(chapter["answers"], chapter.get("answers_total")),
            }
            for chapter in frozen["chapters"]
        ],
        "roles": [
            {
                **role,
                "challenges": role["challenges"][:shown],
                "challenges_more": left_out(role["challenges"], role.get("challenges_total")),
            }
            for role in frozen["roles"]
        ],
        "other_challenges": [
            {
                **group,
                "answers": group["answers"][:shown],
                "more": left_out(group["answers"], group.get("answers_total")),
            }
            for group in frozen["other_challenges"]
        ],
        "cities": frozen["cities"][:shown],
        "cities_more": left_out(frozen["cities"], frozen.get("cities_total")),
    }


def page_snapshot(edition: Edition, shown: int) -> dict[str, Any]:
    """An edition's snapshot cut for its page, kept: an edition never changes, and its whole
    snapshot is megabytes to read and decode at a few thousand cities."""
    key = f"reports:edition-page:v1:{edition.pk}:{shown}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = cut(Edition.objects.values_list("snapshot", flat=True).get(pk=edition.pk), shown)
        cache.set(key, found, EDITION_PAGE_SECONDS)
    return found


def warm_preview(round_id: int) -> None:
    """The preview's first rows of what cities wrote, ranked again now that a survey of the
    round was validated or reopened (``snapshot`` keeps them): a second at 20,000 cities,
    which the secretariat would otherwise wait for on their next preview. Only for a round
    whose report has been started: no one previews the others."""
    report = Report.objects.select_related("round").filter(round_id=round_id).first()
    if report is not None:
        snapshot(report, shown=SHOWN_ON_PAGE)


def context(
    frozen: dict[str, Any],
    *,
    edition: Edition | None = None,
    latest: Edition | None = None,
    shown: int | None = None,
) -> dict[str, Any]:
    """What ``reports/includes/body.html`` reads; with ``shown``, the page's cut lists."""
    if shown is not None:
        frozen = cut(frozen, shown)
    illustrative = bool(frozen["illustrative"])
    # Each country named once, not once per city: thousands of cities share some thirty.
    names = {
        code: countries.name(code) or code for code in {c["country"] for c in frozen["cities"]}
    }
    levels = frozen["levels"]
    return {
        "r": frozen,
        "edition": edition,
        "latest": latest,
        "labels": section_labels(),
        "levels": levels,
        "scored_levels": [level for level in levels if level["score"] is not None],
        "charts": {role["key"]: role_chart(role, levels, illustrative) for role in frozen["roles"]},
        "cite_url": settings.SITE_URL + edition.get_absolute_url() if edition else "",
        "window": (
            date.fromisoformat(frozen["round"]["opens_on"]),
            date.fromisoformat(frozen["round"]["closes_on"]),
        ),
        "cities": [{**city, "country_name": names[city["country"]]} for city in frozen["cities"]],
    }
