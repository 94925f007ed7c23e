"""City indicators as open data: every value in one CSV file, streamed."""

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import cast

from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from integratingcities.permissions import View, permission_required
from integratingcities.practices.exports import _cell, _Line

from .models import IndicatorValue

CSV_COLUMNS = [
    "city",
    "city_name",
    "country",
    "indicator",
    "indicator_name",
    "unit",
    "basis",
    "year",
    "date",
    "value",
    "source",
    "note",
    "illustrative",
]
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


def _number(value: Decimal) -> str:
    """259000 rather than 259000.0000; 12.5 rather than 12.5000."""
    return format(value.normalize(), "f")


def csv_rows() -> Iterator[str]:
    """The header, then every value: by city, indicator (in the catalogue's order) and year, in
    one query whatever their number. A cell a spreadsheet would run as a formula is quoted."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # the mark makes spreadsheets read UTF-8
    values = IndicatorValue.objects.order_by(
        "city__name", "city__slug", "indicator__position", "indicator__key", "year"
    ).values_list(*_FIELDS)
    for *text, value, source, note, illustrative in values.iterator(chunk_size=CHUNK):
        # A number is written as it is: "-2.5" is a figure, not a formula.
        yield writer.writerow(
            [
                *(_cell(cell) for cell in text),
                _number(value),
                *map(_cell, (source, note)),
                _cell(illustrative),
            ]
        )


@require_GET
def _export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
    return response


# Public, like the other reading pages (``View`` says HttpResponse; a streamed one is its peer).
export_csv = permission_required(None, login=False)(cast("View", _export_csv))
