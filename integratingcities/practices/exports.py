"""The library as open data: one record shape for the JSON API, the JSON, the CSV and the XLSX
download, and one list of column specs (``COLUMNS``) for the files and the open data page."""

from collections.abc import Iterator
from typing import Any, cast

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from integratingcities.lib.tabular import XLSX_TYPE, Book, Column, csv_lines
from integratingcities.permissions import View, permission_required

from . import selectors
from .forms import SearchForm
from .models import Practice

COLUMNS = [
    Column("key", "string", gettext_lazy("The practice's short name, unique in the library."), 28),
    Column("title", "string", gettext_lazy("Title of the practice."), 40),
    Column("city", "string", gettext_lazy("Short name of the city that runs it."), 14),
    Column("city_name", "string", gettext_lazy("Name of the city."), 16),
    Column("country", "string", gettext_lazy("The city's country (ISO 3166-1 alpha-2)."), 8),
    Column(
        "other_cities",
        "string",
        gettext_lazy("Short names of other cities taking part, separated by “ | ”."),
        16,
    ),
    Column("year", "integer", gettext_lazy("Year the practice started or was reported."), 8),
    Column("summary", "string", gettext_lazy("What the practice is, in a few lines."), 60),
    Column("what", "string", gettext_lazy("What the city did."), 60),
    Column("for_whom", "string", gettext_lazy("Who the practice is for."), 30),
    Column("partners", "string", gettext_lazy("Partners of the city in it."), 30),
    Column("results", "string", gettext_lazy("Results and indicators of success."), 40),
    Column("responsible_body", "string", gettext_lazy("The body responsible for it."), 30),
    Column("transfer", "string", gettext_lazy("What another city needs to transfer it."), 40),
    Column(
        "roles",
        "string",
        gettext_lazy("Keys of the Charter roles it illustrates, separated by “ | ”."),
        20,
    ),
    Column(
        "commitments",
        "string",
        gettext_lazy("Keys of the Charter commitments it illustrates, separated by “ | ”."),
        30,
    ),
    Column(
        "benchmarks",
        "string",
        gettext_lazy("Keys of the thematic benchmarks it illustrates, separated by “ | ”."),
        30,
    ),
    Column(
        "key_factors",
        "string",
        gettext_lazy("Keys of the benchmarks' key factors it illustrates, separated by “ | ”."),
        30,
    ),
    Column(
        "source",
        "string",
        gettext_lazy("Where it comes from (a report, a toolkit, a city's submitted evidence)."),
        14,
    ),
    Column("source_title", "string", gettext_lazy("The source, in words."), 30),
    Column("source_section", "string", gettext_lazy("The section of the source."), 30),
    Column("links", "string", gettext_lazy("Web addresses about it, separated by “ | ”."), 40),
    Column("contact", "string", gettext_lazy("Whom to contact about it."), 30),
    Column(
        "illustrative",
        "boolean",
        gettext_lazy("yes: demonstration data, not a fact from the sources."),
        10,
    ),
    Column("url", "string", gettext_lazy("Its page in the library."), 40),
]
PRIMARY_KEY = ["key"]
CSV_COLUMNS = [column.name for column in COLUMNS]


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
    """Published practices only (``search_practices`` starts from them), in the library's order."""
    names = selectors.kept_labels()
    for practice in selectors.search_practices(filters).iterator(chunk_size=500):
        yield practice_record(practice, names)


def rows(filters: selectors.PracticeFilters) -> Iterator[tuple[Any, ...]]:
    """Each practice as a row of ``COLUMNS``."""
    for found in _records(filters):
        yield tuple(found[column] for column in CSV_COLUMNS)


def csv_rows(filters: selectors.PracticeFilters, request: HttpRequest) -> Iterator[str]:
    return csv_lines(COLUMNS, rows(filters))


def json_chunks(filters: selectors.PracticeFilters, request: HttpRequest) -> Iterator[str]:
    """``{"practices": [...]}``, streamed a record at a time."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    yield '{"practices": ['
    for number, found in enumerate(_records(filters)):
        yield ("," if number else "") + "\n" + encoder.encode(found)
    yield "\n]}\n"


def xlsx_bytes(filters: selectors.PracticeFilters) -> bytes:
    """The practices as a workbook: one sheet of practices, one describing its columns."""
    book = Book()
    book.table(_("Practices"), COLUMNS, rows(filters))
    book.dictionary(_("Columns"), (_("Sheet"), _("Column"), _("Type"), _("Meaning")))
    return book.close()


@require_GET
def _export_xlsx(request: HttpRequest) -> HttpResponse:
    """The library (filtered as the page is) as XLSX: a few hundred practices are written in
    well under a second, so the file is made at once rather than in the background."""
    filters = SearchForm(request.GET).filters()
    response = HttpResponse(xlsx_bytes(filters), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="practices.xlsx"'
    return response


export_xlsx = permission_required(None, login=False)(cast("View", _export_xlsx))
