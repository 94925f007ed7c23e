"""The library's page of results: its twenty cards and its filters with their counts.

They are the same for everyone and every visit until a practice, a city or a framework
changes, and making them is most of the page's time (five queries, a row per card, an option
per city and country). Without a text search they are kept in the shared cache under those
apps' tokens (``page_cache.kept``), per filters, page and language, and read in one query. A
text search is made each time: its words are anyone's, and its cost is its SQL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from integratingcities.lib import page_cache

from . import selectors
from .templatetags.practice_rows import practice_rows

KEPT_SECONDS = 3600
# Apps whose rows a page of results shows: the practices, their cities' names and countries,
# the frameworks' labels of their themes.
KEPT_APPS = ("practices", "cities", "frameworks")


@dataclass(frozen=True)
class ListingPage:
    """What the page says of its place among the results (as ``django.core.paginator.Page``
    would, without the rows it would carry)."""

    number: int
    count: int
    num_pages: int
    start_index: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class ShownFacet:
    """What the page shows of a filter (``selectors.Facet``): its menu's options, written
    once, and the value chosen."""

    selected: str
    selected_label: str
    options: SafeString  # the <option> elements, each with its count


@dataclass(frozen=True)
class Listing:
    page: ListingPage
    rows: list[dict[str, Any]]  # what a card shows (``_rows``)
    cards: SafeString  # the cards, written once (``_cards``)
    facets: dict[str, ShownFacet]


def listing(filters: selectors.PracticeFilters, requested_page: str | None) -> Listing:
    """The page of results for ``filters`` and the page number asked for (any text: a number
    out of range gives the last page, anything else the first, as ``Paginator.get_page``)."""
    if filters.query:
        return _made(filters, requested_page)
    filters = replace(filters, q="")  # words that search nothing ("  ", "-") change nothing
    asked = (requested_page or "1").strip()
    digest = hashlib.sha256(repr((filters, asked)).encode()).hexdigest()
    key = f"practices:listing:{get_language()}:{digest}"
    return page_cache.kept(
        key,
        lambda: _made(filters, asked),
        KEPT_SECONDS,
        apps=KEPT_APPS,
        # Only a page asked for by its own number: "?page=x" or "?page=99999" are anyone's.
        keep=lambda made: asked == str(made.page.number),
    )


def _made(filters: selectors.PracticeFilters, requested_page: str | None) -> Listing:
    names, found = selectors.library_names_and_counts(filters)
    # Only the columns a card shows (_rows), as values: not the long texts of the practice page.
    paginator = Paginator(selectors.search_listed(filters), selectors.PER_PAGE)
    paginator.count = found.total  # counted with the facets: no query of its own
    page = paginator.get_page(requested_page)
    facets = selectors.facets(filters, names, found)
    rows = _rows(list(page.object_list), names)
    return Listing(
        page=ListingPage(
            number=page.number,
            count=paginator.count,
            num_pages=paginator.num_pages,
            start_index=page.start_index(),
        ),
        rows=rows,
        cards=_cards(rows),
        facets={
            name: ShownFacet(facet.selected, facet.selected_label, _options_html(facet))
            for name, facet in facets.items()
        },
    )


def _cards(rows: list[dict[str, Any]]) -> SafeString:
    return practice_rows(
        rows,
        _("submitted by the city"),
        _("Cities and Migrants report, 2015"),
        _("CITIES GROW toolkit, 2018"),
        _("illustrative"),
    )


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*_`#>]+|<[^>]*>")


def excerpt(markdown: str, words: int = 45) -> str:
    """The start of a Markdown text as plain words (escaped by the template)."""
    text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", markdown))
    found = text.split()
    return " ".join(found[:words]) + (" …" if len(found) > words else "")


def _options_html(facet: selectors.Facet) -> SafeString:
    """A filter's options, built once here rather than by the template for each of hundreds;
    escaped as format_html would (Django's escape is html.escape), without its overhead for
    each of the ~300 values."""
    return mark_safe(
        "".join(
            f'<option value="{escape(o.value)}"{" selected" if o.value == facet.selected else ""}>'
            f"{escape(o.text)}</option>"
            for o in facet.options
        )
    )


@lru_cache(maxsize=1024)
def _country_name(language: str | None, code: str) -> str:
    """A country's name in a language, looked up once (django-countries takes a fifth of a
    millisecond each time)."""
    return str(countries.name(code))


def _rows(listed: list[dict[str, Any]], names: selectors.Labels) -> list[dict[str, Any]]:
    """What the result list shows of each practice (``selectors.LISTED_FIELDS``), with its
    addresses made once."""
    extras = selectors.listed_extras([practice["pk"] for practice in listed])
    library_url = reverse("practices:library")
    city_url = reverse("cities:detail", args=["-"])[:-2]
    practice_url = selectors.practice_address()
    language = get_language()
    # A theme's pill shows its label cut to 60 characters; the same few labels recur on a page.
    short: dict[str, str] = {}

    def cut(label: str) -> str:
        if label not in short:
            short[label] = Truncator(label).chars(60)
        return short[label]

    rows = []
    for practice in listed:
        pk = practice["pk"]
        themes = selectors.labelled_themes(extras.themes[pk], names)
        cities = [(practice["city__name"], practice["city__slug"]), *extras.other_cities[pk]]
        rows.append(
            {
                "key": practice["key"],
                "title": practice["title"],
                "url": practice_url(practice["key"]),
                "cities": [(name, f"{city_url}{slug}/") for name, slug in cities],
                "country": _country_name(language, practice["city__country"]),
                "year": practice["year"],
                "source": practice["source"],
                "illustrative": practice["is_illustrative"],
                "excerpt": excerpt(practice["summary"]),
                "pills": [
                    (
                        cut(c["label"]),
                        f"{c['role_label']}: {c['label']}",
                        f"{library_url}?commitment={quote(c['key'])}",
                        "",
                    )
                    for c in themes["commitments"]
                ]
                + [
                    (
                        cut(f["label"]),
                        f"{f['benchmark_label']}: {f['label']}",
                        f"{library_url}?factor={quote(f['key'])}",
                        " pill-factor",
                    )
                    for f in themes["factors"]
                ],
            }
        )
    return rows
