"""The library as open data: one record shape for the JSON API, the JSON and the CSV download."""

import csv
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest

from . import selectors
from .models import Practice

CSV_COLUMNS = [
    "key",
    "title",
    "city",
    "city_name",
    "country",
    "other_cities",
    "year",
    "summary",
    "what",
    "for_whom",
    "partners",
    "results",
    "responsible_body",
    "transfer",
    "roles",
    "commitments",
    "benchmarks",
    "key_factors",
    "source",
    "source_title",
    "source_section",
    "links",
    "contact",
    "illustrative",
    "url",
]
# A spreadsheet would run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def practice_record(practice: Practice, names: selectors.Labels) -> dict[str, Any]:
    """One practice as open data (its themes and other cities prefetched)."""
    themes = selectors.themes_of(practice, names)
    return {
        "key": practice.key,
        "title": practice.title,
        "city": practice.city.slug,
        "city_name": practice.city.name,
        "country": practice.city.country_code,
        "other_cities": [city.slug for city in practice.other_cities.all()],
        "year": practice.year,
        "summary": practice.summary,
        "what": practice.what,
        "for_whom": practice.for_whom,
        "partners": practice.partners,
        "results": practice.results,
        "responsible_body": practice.responsible_body,
        "transfer": practice.transfer,
        "roles": sorted({c["role"] for c in themes["commitments"]}),
        "commitments": [c["key"] for c in themes["commitments"]],
        "benchmarks": sorted({f["benchmark"] for f in themes["factors"]}),
        "key_factors": [f["key"] for f in themes["factors"]],
        "source": practice.source,
        "source_title": str(practice.get_source_display()),
        "source_section": practice.source_section,
        "links": list(practice.links),
        "contact": practice.contact,
        "status": practice.status,
        "illustrative": practice.is_illustrative,
        "url": settings.SITE_URL + practice.get_absolute_url(),
    }


def _records(filters: selectors.PracticeFilters) -> Iterator[dict[str, Any]]:
    names = selectors.labels()
    for practice in selectors.search_practices(filters).iterator(chunk_size=500):
        yield practice_record(practice, names)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = " | ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Line:
    """A file-like object for csv.writer that hands back what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_rows(filters: selectors.PracticeFilters, request: HttpRequest) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # the mark makes spreadsheets read UTF-8
    for record in _records(filters):
        yield writer.writerow([_cell(record[column]) for column in CSV_COLUMNS])


def json_chunks(filters: selectors.PracticeFilters, request: HttpRequest) -> Iterator[str]:
    """``{"practices": [...]}``, streamed a record at a time."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    yield '{"practices": ['
    for number, record in enumerate(_records(filters)):
        yield ("," if number else "") + "\n" + encoder.encode(record)
    yield "\n]}\n"
