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

from .models import Edition
from .selectors import section_labels

CHART_SECONDS = 24 * 3600


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


def context(
    frozen: dict[str, Any], *, edition: Edition | None = None, latest: Edition | None = None
) -> dict[str, Any]:
    """What ``reports/includes/body.html`` reads."""
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
