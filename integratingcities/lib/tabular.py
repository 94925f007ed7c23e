"""Tables as open data: one list of column specs per table, written as CSV, XLSX, JSON and
described as a Frictionless Table Schema.

A dataset declares its columns once (:class:`Column`: name, type, meaning) and yields its rows
as tuples in that order. The CSV writer, the XLSX writer, the data dictionary page and
``datapackage.json`` all read that one list, so a column cannot be described one way and
written another.

Spreadsheets run a text cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula: in a
CSV such text is prefixed with an apostrophe (:func:`cell`); in an XLSX file every text is written
as a string cell, never as a formula (XlsxWriter's ``strings_to_formulas`` is off).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.utils.functional import Promise

ColumnType = Literal["string", "integer", "number", "boolean", "date", "datetime"]

# A spreadsheet would run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = " | "
TRUE, FALSE = "yes", "no"
XLSX_MAX_TEXT = 32_767  # characters in one cell (Excel's limit)
WRAP_AFTER = 60  # characters: a longer text is wrapped in its cell


@dataclass(frozen=True)
class Column:
    """One column of a table: its name in every file, its type and what it means."""

    name: str
    type: ColumnType
    description: str | Promise
    width: int = 14  # in an XLSX sheet, in characters

    def field(self) -> dict[str, Any]:
        """The column as a Frictionless Table Schema field."""
        found: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": str(self.description),
        }
        if self.type == "boolean":
            found |= {"trueValues": [TRUE], "falseValues": [FALSE]}
        elif self.type == "datetime":
            found["format"] = "%Y-%m-%dT%H:%M:%SZ"
        return found


def schema(columns: Sequence[Column], primary_key: Sequence[str] = ()) -> dict[str, Any]:
    """A Frictionless Table Schema of the columns (``primaryKey`` where the table has one)."""
    found: dict[str, Any] = {
        "fields": [column.field() for column in columns],
        "missingValues": [""],
    }
    if primary_key:
        found["primaryKey"] = list(primary_key)
    return found


def cell(value: Any) -> str:
    """A value as CSV text: lists joined, booleans as yes/no, formulas defused."""
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    elif isinstance(value, bool):
        value = TRUE if value else FALSE
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def utc_text(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def number_text(value: Any) -> str:
    """A number as it is written in a CSV: 259000 rather than 259000.0000, never defused
    ("-2.5" is a figure, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def typed_cell(column: Column, value: Any) -> str:
    """A value as CSV text, written as its column's type says."""
    if column.type in {"integer", "number"}:
        return number_text(value)
    if column.type == "datetime":
        return utc_text(value)
    if column.type == "date":
        return "" if value is None else value.isoformat()
    return cell(value)


class Line:
    """A file-like object for csv.writer that hands back what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header, then each row, as CSV lines (the first starts with a byte-order mark, which
    makes spreadsheets read UTF-8)."""
    writer = csv.writer(Line())
    yield "\ufeff" + writer.writerow([column.name for column in columns])
    for row in rows:
        yield writer.writerow([typed_cell(c, v) for c, v in zip(columns, row, strict=True)])


def json_value(column: Column, value: Any) -> Any:
    """A value as JSON holds it: typed as its column says, as in the CSV file (several values
    in a text column joined the same way), so one description fits both."""
    if value is None:
        return None
    if column.type == "string":
        return LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list | tuple) else value
    if column.type == "number":
        return float(value) if isinstance(value, Decimal) else value
    if column.type == "datetime":
        return utc_text(value)
    if column.type == "date":
        return value.isoformat()
    return value


_PYTHON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "date": str,
    "datetime": str,
}


def python_type(column: Column) -> Any:
    """The type of the column's values in JSON (for an API schema made from the columns)."""
    return _PYTHON_TYPES[column.type]


def record(columns: Sequence[Column], row: Sequence[Any]) -> dict[str, Any]:
    return {c.name: json_value(c, v) for c, v in zip(columns, row, strict=True)}


# ---------------------------------------------------------------------------------------------
# XLSX


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unused sheet name: at most 31 characters, none of []:*?/\\ ."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip("' ") or "Sheet"
    name, number = clean[:31], 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = clean[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


class Book:
    """An XLSX workbook (XlsxWriter). Cells are held in memory until the file is closed (some
    60 MB for a round of 2,000 cities, in the worker that makes it): with a shared table of
    strings, the repeated texts (cities, roles, commitments) are written once, which is faster
    and smaller than ``constant_memory``'s row-by-row inline strings."""

    def __init__(self) -> None:
        import xlsxwriter  # imported here: pages that never write a workbook never load it

        self._output = io.BytesIO()
        self._book = xlsxwriter.Workbook(
            self._output,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        self._header = self._book.add_format({"bold": True, "bg_color": "#E6EEF6", "border": 1})
        self._wrap = self._book.add_format({"text_wrap": True, "valign": "top"})
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._datetime = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._names: set[str] = set()
        self.described: list[tuple[str, Sequence[Column]]] = []

    def table(self, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
        """A sheet of the rows under a frozen header row; returns how many rows it holds."""
        name = sheet_name(title, self._names)
        sheet = self._book.add_worksheet(name)
        for number, column in enumerate(columns):
            sheet.set_column(number, number, column.width)
            sheet.write_string(0, number, column.name, self._header)
        sheet.freeze_panes(1, 0)
        # One writer per column, chosen once: the loop below runs for every cell (a million
        # in a round of 2,000 cities), so a short text is written without any further call.
        writers = [self._writer(sheet, column) for column in columns]
        texts = [column.type == "string" for column in columns]
        write_string = sheet.write_string
        count = 0
        for count, row in enumerate(rows, start=1):
            for number, value in enumerate(row):
                if value is None or value == "":
                    continue
                if texts[number] and type(value) is str and len(value) <= WRAP_AFTER:
                    write_string(count, number, value)
                else:
                    writers[number](count, number, value)
        if count:
            sheet.autofilter(0, 0, count, len(columns) - 1)
        self.described.append((name, columns))
        return count

    def _writer(self, sheet: Any, column: Column) -> Callable[[int, int, Any], Any]:
        kind = column.type
        if kind in {"integer", "number"}:
            write_number = sheet.write_number
            return lambda row, col, value: write_number(row, col, float(value))
        if kind == "boolean":
            write_string = sheet.write_string
            return lambda row, col, value: write_string(row, col, TRUE if value else FALSE)
        if kind == "datetime":
            write_datetime, stamp = sheet.write_datetime, self._datetime
            return lambda row, col, value: write_datetime(row, col, value.astimezone(dt.UTC), stamp)
        if kind == "date":
            write_date, day = sheet.write_datetime, self._date
            return lambda row, col, value: write_date(row, col, value, day)
        write_text, wrap = sheet.write_string, self._wrap

        def text(row: int, col: int, value: Any) -> None:
            if type(value) is not str:
                if isinstance(value, list | tuple):
                    value = LIST_SEPARATOR.join(str(v) for v in value)
                    if not value:
                        return
                else:
                    value = str(value)
            # Always a string cell: "=1+1" stays text, never a formula.
            if len(value) > WRAP_AFTER:
                if len(value) > XLSX_MAX_TEXT:
                    value = value[: XLSX_MAX_TEXT - 1] + "…"
                write_text(row, col, value, wrap)
            else:
                write_text(row, col, value)

        return text

    def notes(self, title: str, pairs: Iterable[tuple[str, str]]) -> None:
        """A small sheet of labelled values (what the file is, its licence, its source)."""
        sheet = self._book.add_worksheet(sheet_name(title, self._names))
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 90)
        for row, (label, text) in enumerate(pairs):
            sheet.write_string(row, 0, label, self._header)
            sheet.write_string(row, 1, text[:XLSX_MAX_TEXT], self._wrap)

    def dictionary(self, title: str, headings: tuple[str, str, str, str]) -> None:
        """A sheet describing every column of every table written so far."""
        columns = [
            Column("sheet", "string", "", 22),
            Column("column", "string", "", 22),
            Column("type", "string", "", 10),
            Column("meaning", "string", "", 90),
        ]
        rows = [
            (sheet, column.name, column.type, str(column.description))
            for sheet, described in list(self.described)
            for column in described
        ]
        name = sheet_name(title, self._names)
        sheet = self._book.add_worksheet(name)
        for number, (column, heading) in enumerate(zip(columns, headings, strict=True)):
            sheet.set_column(number, number, column.width)
            sheet.write_string(0, number, heading, self._header)
        sheet.freeze_panes(1, 0)
        for row_number, row in enumerate(rows, start=1):
            for number, value in enumerate(row):
                sheet.write_string(row_number, number, value, self._wrap)

    def close(self) -> bytes:
        self._book.close()
        return self._output.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
