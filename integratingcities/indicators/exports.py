"""City indicators as open data: every value in one CSV file, streamed. Its columns are declared
once (``COLUMNS``), for the file, the open data page's dictionary and ``datapackage.json``."""

from collections.abc import Iterator
from typing import cast

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from integratingcities.lib.tabular import Column, csv_lines
from integratingcities.permissions import View, permission_required

from .models import IndicatorValue

COLUMNS = [
    Column("city", "string", gettext_lazy("Short name of the city.")),
    Column("city_name", "string", gettext_lazy("Name of the city.")),
    Column("country", "string", gettext_lazy("The city's country (ISO 3166-1 alpha-2).")),
    Column("indicator", "string", gettext_lazy("Key of the indicator in the catalogue.")),
    Column("indicator_name", "string", gettext_lazy("Name of the indicator.")),
    Column("unit", "string", gettext_lazy("count, percent or ratio.")),
    Column(
        "basis",
        "string",
        gettext_lazy(
            "Who counts as a migrant in this value: all_residents, foreign_born, "
            "foreign_nationals, migrant_background or refugees."
        ),
    ),
    Column("year", "integer", gettext_lazy("The year the value is of.")),
    Column("date", "date", gettext_lazy("The day it is of, where the source gives one.")),
    Column("value", "number", gettext_lazy("The figure, in the indicator's unit.")),
    Column("source", "string", gettext_lazy("Where the figure comes from.")),
    Column("note", "string", gettext_lazy("A note on the figure.")),
    Column(
        "illustrative",
        "boolean",
        gettext_lazy("yes: demonstration data, not a fact from a source."),
    ),
]
PRIMARY_KEY = ["city", "indicator", "year"]
CSV_COLUMNS = [column.name for column in COLUMNS]
_FIELDS = (
    "city__slug",
    "city__name",
    "city__country",
    "indicator__key",
    "indicator__name",
    "indicator__unit",
    "basis",
    "year",
    "date",
    "value",
    "source",
    "note",
    "is_illustrative",
)
CHUNK = 2000


def csv_rows() -> Iterator[str]:
    """The header, then every value: by city, indicator (in the catalogue's order) and year, in
    one query whatever their number. A cell a spreadsheet would run as a formula is quoted; a
    number is written as it is ("-2.5" is a figure, not a formula)."""
    values = IndicatorValue.objects.order_by(
        "city__name", "city__slug", "indicator__position", "indicator__key", "year"
    ).values_list(*_FIELDS)
    return csv_lines(COLUMNS, values.iterator(chunk_size=CHUNK))


@require_GET
def _export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
    return response


# Public, like the other reading pages (``View`` says HttpResponse; a streamed one is its peer).
export_csv = permission_required(None, login=False)(cast("View", _export_csv))
