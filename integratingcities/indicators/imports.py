"""Reading and checking a file of indicator values, before anything is written.

Three formats: the platform's template as CSV or XLSX (one value a row, the columns of
``COLUMNS``), and a JSON-stat 2.0 dataset of the kind Eurostat's city statistics publish (one
measure; the indicator is chosen for the whole file). Each ``parse_*`` turns the bytes into
``Row`` objects (the row number a person sees in the file, and its cells as text);
``check_rows`` reads them against the catalogue, the cities and the values already stored, and
returns an ``ImportReport``: every problem by row and column in plain words, and the values
ready to write when there is none. Nothing here writes: ``services.values_import`` does, after
checking again.

A file the reader cannot take at all (too large, not UTF-8, columns missing) raises
``ImportFileError`` with the reason.
"""

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _

from integratingcities.cities.models import City

from .models import YEAR_MAX, YEAR_MIN, Basis, Indicator, IndicatorValue, Unit

# The template's columns, in order. A file needs the required ones; the others may be left out.
COLUMNS = (
    "city",
    "indicator",
    "year",
    "date",
    "value",
    "unit",
    "basis",
    "source",
    "note",
    "illustrative",
)
REQUIRED = ("city", "indicator", "year", "value", "unit", "source")
# A JSON-stat file names the city by a code and a label: the label is tried after the code.
CITY_LABEL = "city_label"

# The largest file read (settings.INDICATOR_IMPORT_MAX_BYTES may lower or raise it), and the
# most rows one import holds, whatever the format (an XLSX file is compressed, a JSON-stat
# file may describe many figures in few bytes).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 200_000
# An XLSX file is a zip: its parts are refused when they would unpack to more than this.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json-stat"}

_MAX_DECIMALS = 4
_MAX_VALUE = Decimal(10) ** 12  # what the value column holds: 16 digits, 4 of them decimals
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[ ,.\u00a0\u202f']\d{3})+(?:[.,]\d+)?")
_YEAR = re.compile(r"\d{4}")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_UNITS = {"count": Unit.COUNT, "percent": Unit.PERCENT, "%": Unit.PERCENT, "ratio": Unit.RATIO}
_BASES = frozenset(Basis.values)
_YES = frozenset({"yes", "y", "true", "1"})
_YES_OR_NO = _YES | {"no", "n", "false", "0", ""}


class ImportFileError(Exception):
    """The file cannot be read as a whole; the message says why and what to do."""


@dataclass(frozen=True)
class Row:
    """One row as the file gives it: its number as a person finds it in the file (the header
    is row 1 of a CSV or XLSX file; in a JSON-stat file, the figure's place in the file) and
    its cells as text, by column name."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str
    message: str


class CheckedValue(NamedTuple):
    """A row that passed every check, ready to be written (a tuple: an import makes
    100,000 of them)."""

    row: int
    city_id: int
    indicator_id: int
    year: int
    date: date | None
    value: Decimal
    basis: str
    source: str
    note: str
    is_illustrative: bool


@dataclass
class ImportReport:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    values: list[CheckedValue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def city_ids(self) -> set[int]:
        return {value.city_id for value in self.values}

    def grouped(self) -> list[tuple[str, str, str]]:
        """The problems as the report table shows them: (rows, column, problem), where the
        same problem in the same column on several rows is one line ("2-5, 9", with an en dash)."""
        rows: dict[tuple[str, str], list[int | None]] = {}
        for problem in self.problems:
            rows.setdefault((problem.column, problem.message), []).append(problem.row)
        lines = [(_ranges(numbers), column, message) for (column, message), numbers in rows.items()]
        return lines


def _ranges(numbers: list[int | None]) -> str:
    if None in numbers:
        return "—"
    ordered = sorted({n for n in numbers if n is not None})
    spans: list[str] = []
    start = previous = ordered[0]
    for number in [*ordered[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        spans.append(str(start) if start == previous else f"{start}\u2013{previous}")
        if number is not None:
            start = previous = number
    return ", ".join(spans)


# ---------------------------------------------------------------------------------------
# Reading the file


def max_bytes() -> int:
    return int(getattr(settings, "INDICATOR_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def file_format(name: str) -> str:
    """The format of a file by the end of its name; ImportFileError for any other."""
    lowered = name.lower()
    for ending, kind in FORMATS.items():
        if lowered.endswith(ending):
            return kind
    if lowered.endswith((".xls", ".ods", ".numbers")):
        raise ImportFileError(
            _("Save the spreadsheet as .xlsx (Excel workbook) or as CSV UTF-8, then import it.")
        )
    raise ImportFileError(
        _(
            "Import a .csv or .xlsx file made from the template, or a JSON-stat .json file "
            "(as Eurostat publishes)."
        )
    )


def check_size(size: int | None) -> None:
    """Refuse a file by its size alone, before anything of it is read."""
    limit = max_bytes()
    if size is None or size > limit:
        raise ImportFileError(
            _(
                "The file is larger than %(limit)d MB: split it into several imports of at most "
                "%(limit)d MB each."
            )
            % {"limit": limit // (1024 * 1024)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))


def _header(cells: Iterable[Any]) -> list[str]:
    names = [str(cell or "").strip().lstrip("\ufeff").strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    unknown = [name for name in names if name not in COLUMNS]
    if not names:
        raise ImportFileError(_("The first row must name the columns, as in the template."))
    if unknown:
        raise ImportFileError(
            _(
                "The first row names columns the template does not have: %(unknown)s. The "
                "columns are: %(columns)s."
            )
            % {
                "unknown": ", ".join(f"“{name}”" if name else _("(empty)") for name in unknown),
                "columns": ", ".join(COLUMNS),
            }
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ImportFileError(
            _("The first row names a column twice: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportFileError(
            _("The file has no column %(missing)s; every file needs %(required)s.")
            % {
                "missing": ", ".join(f"“{name}”" for name in missing),
                "required": ", ".join(REQUIRED),
            }
        )
    return names


def _rows(lines: Iterator[Sequence[Any]], text: Callable[[Any], str]) -> list[Row]:
    """Rows after the header (row 1); empty rows are skipped but keep their numbers."""
    try:
        header = _header(next(lines))
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    width = len(header)
    rows: list[Row] = []
    for number, line in enumerate(lines, start=2):
        cells = [text(cell) for cell in line]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(count)d rows: split it into several imports.")
                % {"count": MAX_ROWS}
            )
        found = dict(zip(header, cells, strict=False))
        extra = " ".join(cell for cell in cells[width:] if cell)
        if extra:  # more cells than columns: a separator inside a cell, most often
            found[""] = extra
        rows.append(Row(number, found))
    return rows


def parse_csv(data: bytes) -> list[Row]:
    """A CSV file in UTF-8 (Excel's "CSV UTF-8" too), separated by commas or semicolons."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text: in the spreadsheet, save it as “CSV UTF-8”.")
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV file."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), _csv_text)
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not valid CSV: %(reason)s.") % {"reason": error}
        ) from None


def _csv_text(cell: str) -> str:
    return cell.strip()


def _xlsx_text(cell: Any) -> str:
    """A cell as the text a CSV file would hold: numbers with a point and no exponent, dates
    as YYYY-MM-DD."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return str(cell)
        number = Decimal(repr(cell))
        if number == number.to_integral_value():
            return str(number.quantize(Decimal(1)))
        return format(number, "f")
    return str(cell).strip()


def parse_xlsx(data: bytes) -> list[Row]:
    """The sheet "Values" of an XLSX workbook (the template's), or else its first sheet."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(part.file_size for part in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportFileError(_("The workbook is too large once unpacked."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(
            _("The file is not an XLSX workbook: save it from the spreadsheet as .xlsx.")
        ) from None
    try:
        sheet = workbook["Values"] if "Values" in workbook.sheetnames else workbook.worksheets[0]
        return _rows(sheet.iter_rows(values_only=True), _xlsx_text)
    finally:
        workbook.close()


# Eurostat's unit codes: PC (per cent) and NR (number); THS (thousands) is another scale.
_JSONSTAT_UNITS = {"PC": "percent", "NR": "count", "RT": "ratio"}


def _categories(dimension: Any, name: str) -> tuple[list[str], dict[str, str]]:
    """A dimension's category codes in their order, and their labels."""
    category = dimension.get("category") if isinstance(dimension, dict) else None
    if not isinstance(category, dict):
        raise ImportFileError(
            _("The JSON-stat dimension “%(name)s” has no categories.") % {"name": name}
        )
    index = category.get("index")
    labels = category.get("label") or {}
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        codes = [str(code) for code, _position in sorted(index.items(), key=lambda i: i[1])]
    elif isinstance(labels, dict) and len(labels) == 1:
        codes = [str(code) for code in labels]
    else:
        raise ImportFileError(
            _("The JSON-stat dimension “%(name)s” has no category index.") % {"name": name}
        )
    return codes, {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _jsonstat_unit(codes: list[str], labels: dict[str, str]) -> str:
    code = codes[0]
    for prefix, unit in _JSONSTAT_UNITS.items():
        if code == prefix or code.startswith(prefix + "_"):
            return unit
    return labels.get(code, code)


def _role(dataset: dict[str, Any], role: str, ids: list[str], names: tuple[str, ...]) -> str | None:
    """The dimension that plays a role: named in the dataset's "role", or by its usual name."""
    roles = dataset.get("role")
    named = roles.get(role) if isinstance(roles, dict) else None
    if isinstance(named, list) and named and named[0] in ids:
        return str(named[0])
    return next((name for name in ids if name in names), None)


def parse_jsonstat(data: bytes, *, indicator: Indicator) -> list[Row]:
    """A JSON-stat 2.0 dataset holding one measure for several cities and years.

    The city dimension is the one with the role "geo", or else named "geo" or "cities"; the
    time dimension has the role "time" or is named "time". Every other dimension must hold
    one category (one measure, one sex, one age group); a "unit" dimension gives the unit
    (Eurostat's PC is per cent, NR a number). Figures the file leaves empty are not values.
    """
    try:
        dataset = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ImportFileError(_("The file is not JSON.")) from None
    if isinstance(dataset, dict) and dataset.get("class") == "bundle":
        raise ImportFileError(_("The file is a JSON-stat bundle: import one dataset at a time."))
    if not isinstance(dataset, dict) or not isinstance(dataset.get("dimension"), dict):
        raise ImportFileError(_("The file is not a JSON-stat 2.0 dataset."))
    ids, sizes = dataset.get("id"), dataset.get("size")
    dimensions = dataset["dimension"]
    if (
        not isinstance(ids, list)
        or not isinstance(sizes, list)
        or len(ids) != len(sizes)
        or not all(isinstance(size, int) and size >= 0 for size in sizes)
        or not all(isinstance(name, str) for name in ids)
    ):
        raise ImportFileError(_("The JSON-stat dataset has no valid “id” and “size”."))
    geo = _role(dataset, "geo", ids, ("geo", "cities"))
    time = _role(dataset, "time", ids, ("time",))
    if geo is None or time is None:
        raise ImportFileError(
            _("The JSON-stat dataset needs a city dimension (“geo” or “cities”) and “time”.")
        )
    categories: dict[str, tuple[list[str], dict[str, str]]] = {}
    for name, size in zip(ids, sizes, strict=True):
        codes, labels = _categories(dimensions.get(name), str(name))
        if len(codes) != size:
            raise ImportFileError(
                _("The JSON-stat dimension “%(name)s” has %(codes)d categories, not %(size)d.")
                % {"name": name, "codes": len(codes), "size": size}
            )
        if name not in (geo, time) and size > 1:
            raise ImportFileError(
                _(
                    "The dimension “%(name)s” holds %(size)d categories (%(codes)s): a file may "
                    "hold one measure only. Download one at a time."
                )
                % {"name": name, "size": size, "codes": ", ".join(codes[:5])}
            )
        categories[name] = (codes, labels)
    unit = (
        _jsonstat_unit(*categories["unit"])
        if "unit" in categories and categories["unit"][0]
        else indicator.unit
    )
    source = ", ".join(
        str(dataset[key]).strip() for key in ("source", "label") if str(dataset.get(key) or "")
    )
    values = dataset.get("value")
    if isinstance(values, list):
        observations: Iterable[tuple[int, Any]] = enumerate(values)
    elif isinstance(values, dict):
        try:
            observations = sorted((int(key), value) for key, value in values.items())
        except ValueError:
            raise ImportFileError(_("The JSON-stat values are not numbered.")) from None
    else:
        raise ImportFileError(_("The JSON-stat dataset has no values."))
    status = dataset.get("status")
    strides = [1] * len(sizes)
    for position in range(len(sizes) - 2, -1, -1):
        strides[position] = strides[position + 1] * sizes[position + 1]
    total = strides[0] * sizes[0] if sizes else 0
    geo_at, time_at = ids.index(geo), ids.index(time)
    rows: list[Row] = []
    for place, figure in observations:
        if figure is None:
            continue
        if not 0 <= place < total:
            raise ImportFileError(
                _("The JSON-stat dataset has a value outside its dimensions (%(place)d).")
                % {"place": place}
            )
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(count)d values: split it into several imports.")
                % {"count": MAX_ROWS}
            )
        city_codes, city_labels = categories[geo]
        city = city_codes[place // strides[geo_at] % sizes[geo_at]]
        period = categories[time][0][place // strides[time_at] % sizes[time_at]]
        year, day = period, ""
        if _DAY.fullmatch(period) or _MONTH.fullmatch(period):
            year, day = period[:4], period
        flag = status.get(str(place)) if isinstance(status, dict) else None
        if isinstance(status, list) and place < len(status):
            flag = status[place]
        rows.append(
            Row(
                place + 1,
                {
                    "city": city,
                    CITY_LABEL: city_labels.get(city, ""),
                    "indicator": indicator.key,
                    "year": year,
                    "date": day,
                    "value": _xlsx_text(figure) if not isinstance(figure, str) else figure,
                    "unit": unit,
                    "source": source,
                    "note": _("Flag in the file: %(flag)s") % {"flag": flag} if flag else "",
                },
            )
        )
    return rows


def read_file(name: str, data: bytes, *, indicator: Indicator | None = None) -> list[Row]:
    """The rows of a file, by the format its name says."""
    kind = file_format(name)
    if kind == "csv":
        return parse_csv(data)
    if kind == "xlsx":
        return parse_xlsx(data)
    if indicator is None:
        raise ImportFileError(
            _("Choose the indicator the JSON-stat file holds: the file names only its codes.")
        )
    return parse_jsonstat(data, indicator=indicator)


# ---------------------------------------------------------------------------------------
# Checking the rows


def _folded(text: str) -> str:
    """A name compared without case or accents: “Malmö” and “malmo” are one."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _Cities:
    """Cities by short name (slug) or exact name, without case or accents; one query."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.by_slug: dict[str, int] = {}
        self.by_name: dict[str, set[int]] = {}
        for pk, slug, name in City.objects.values_list("pk", "slug", "name"):
            self.names[pk] = name
            self.by_slug[slug.lower()] = pk
            self.by_name.setdefault(_folded(name), set()).add(pk)

    def find(self, text: str) -> tuple[int | None, bool]:
        """(city id or None, whether the name is ambiguous)."""
        pk = self.by_slug.get(text.strip().lower())
        if pk is not None:
            return pk, False
        found = self.by_name.get(_folded(text), set())
        if len(found) == 1:
            return next(iter(found)), False
        return None, len(found) > 1

    def find_label(self, label: str) -> int | None:
        """A label such as “Bruxelles/Brussel”: each of its names is tried."""
        for part in [label, *label.split("/")]:
            pk, _ambiguous = self.find(part)
            if pk is not None:
                return pk
        return None


def number_problem(text: str) -> tuple[Decimal | None, str]:
    """(the number, "") or (None, the problem in words) for a value written in a file."""
    text = text.strip()
    if _NUMBER.fullmatch(text):
        point = text.find(".")
        if point >= 0 and len(text) - point - 1 > _MAX_DECIMALS:
            return None, _("“%(value)s” has more than four decimals: round it.") % {"value": text}
        number = Decimal(text)
        if abs(number) >= _MAX_VALUE:
            return None, _("“%(value)s” is too large.") % {"value": text}
        return number, ""
    if _DECIMAL_COMMA.fullmatch(text) and len(text.rsplit(",", 1)[1]) != 3:
        return None, _(
            "“%(value)s” has a decimal comma: write the number with a point, as %(fixed)s."
        ) % {"value": text, "fixed": text.replace(",", ".")}
    if _GROUPED.fullmatch(text):
        return None, _(
            "“%(value)s” has a thousands separator or a decimal comma: write the number with "
            "digits only and a point for decimals, such as 1234 or 12.5."
        ) % {"value": text}
    if text.endswith("%") and _NUMBER.fullmatch(text[:-1].strip()):
        return None, _("“%(value)s”: write the number without the %% sign, as %(fixed)s.") % {
            "value": text,
            "fixed": text[:-1].strip(),
        }
    return None, _(
        "“%(value)s” is not a number: write a number such as 12.5, or leave the row out if the "
        "figure is not known."
    ) % {"value": text}


def unit_problem(unit: str, value: Decimal) -> str:
    """Whether a value fits its indicator's unit: a share is 0 to 100, a count is whole."""
    if unit == Unit.PERCENT and value > 100:
        return _("%(value)s is a share above 100%%: a share is between 0 and 100.") % {
            "value": value
        }
    if unit == Unit.PERCENT and value < 0:
        return _("%(value)s is a share below 0: a share is between 0 and 100.") % {"value": value}
    if unit == Unit.COUNT and (value < 0 or value != value.to_integral_value()):
        return _("%(value)s is not a number of people: give a whole number of 0 or more.") % {
            "value": value
        }
    if unit == Unit.RATIO and value < 0:
        return _("%(value)s is below 0: a ratio is 0 or more.") % {"value": value}
    return ""


def _unit_words(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit


def _date(text: str, year: int | None) -> tuple[date | None, str]:
    day = _DAY.fullmatch(text)
    month = _MONTH.fullmatch(text)
    try:
        if day:
            found = date(int(day[1]), int(day[2]), int(day[3]))
        elif month:
            found = date(int(month[1]), int(month[2]), 1)
        else:
            raise ValueError(text)
    except ValueError:
        return None, _(
            "“%(value)s” is not a date: write 2015-12-31 for a day or 2015-12 for a month."
        ) % {"value": text}
    if year is not None and found.year != year:
        return None, _("The date %(date)s is not in the year %(year)d.") % {
            "date": text,
            "year": year,
        }
    return found, ""


def check_rows(rows: Sequence[Row]) -> ImportReport:
    """Every problem of every row, before anything is written; the values when none.

    A few queries whatever the number of rows: the cities, the indicators, and the values
    already stored for the cities, indicators and years the file names.
    """
    report = ImportReport(rows=len(rows))
    if not rows:
        report.problems.append(Problem(None, "", _("The file holds no values.")))
        return report
    checker = _Checker(report.problems)
    candidates = [value for row in rows if (value := checker.row(row)) is not None]
    checker.stored()
    if report.problems:
        report.problems.sort(key=lambda p: (p.row or 0, _column_order(p.column)))
    else:
        report.values = candidates
    return report


class _Checker:
    """Reads rows one by one; each problem is added to ``problems``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.cities = _Cities()
        self.indicators = {
            indicator.key.lower(): indicator for indicator in Indicator.objects.all()
        }
        self.seen: dict[tuple[int, int, int], int] = {}
        self.number = 0

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def row(self, row: Row) -> CheckedValue | None:
        """The row's value, or None when the row has a problem (each one is reported)."""
        self.number, cells = row.number, row.cells
        before = len(self.problems)
        if "" in cells:
            self.problem(
                "",
                _("The row has more cells than the file has columns: “%(extra)s”.")
                % {"extra": cells[""][:80]},
            )
        for column in REQUIRED:
            if not cells.get(column, "").strip():
                self.problem(column, _("Empty: every row needs this column."))
        city_id = self.city(cells.get("city", "").strip(), cells.get(CITY_LABEL, ""))
        indicator = self.indicator(cells.get("indicator", "").strip())
        year = self.year(cells.get("year", "").strip())
        day = self.date(cells.get("date", "").strip(), year)
        value = self.value(cells.get("value", "").strip())
        unit_fits = self.unit(cells.get("unit", "").strip(), indicator)
        if indicator is not None and value is not None and unit_fits:
            message = unit_problem(indicator.unit, value)
            if message:
                self.problem("value", message)
        basis = cells.get("basis", "").strip().lower()
        if basis and basis not in _BASES:
            self.problem(
                "basis",
                _("“%(basis)s” is not a definition of who counts: write one of %(choices)s.")
                % {"basis": cells["basis"].strip(), "choices": ", ".join(Basis.values)},
            )
        source = cells.get("source", "").strip()
        if len(source) > 300:
            self.problem("source", _("The source is longer than 300 characters: shorten it."))
        note = cells.get("note", "").strip()
        if len(note) > 5000:
            self.problem("note", _("The note is longer than 5000 characters: shorten it."))
        illustrative = cells.get("illustrative", "").strip().lower()
        if illustrative not in _YES_OR_NO:
            self.problem(
                "illustrative",
                _("“%(value)s”: write yes for an illustrative figure, no (or nothing) for a fact.")
                % {"value": cells["illustrative"].strip()},
            )
        if city_id is not None and indicator is not None and year is not None:
            self.once(city_id, indicator, year)
        if len(self.problems) > before:
            return None
        assert city_id is not None and indicator is not None and year is not None
        assert value is not None
        return CheckedValue(
            row=self.number,
            city_id=city_id,
            indicator_id=indicator.id,
            year=year,
            date=day,
            value=value,
            basis=basis or indicator.basis,
            source=source,
            note=note,
            is_illustrative=illustrative in _YES,
        )

    def city(self, text: str, label: str) -> int | None:
        if not text:
            return None
        city_id, ambiguous = self.cities.find(text)
        if city_id is None and label:
            city_id = self.cities.find_label(label)
        if ambiguous:
            self.problem(
                "city",
                _("Several cities are called “%(city)s”: write the city's short name.")
                % {"city": text},
            )
        elif city_id is None and label:
            self.problem(
                "city",
                _(
                    "Unknown city “%(city)s” (%(label)s): no city of the platform has this "
                    "short name or name."
                )
                % {"city": text, "label": label},
            )
        elif city_id is None:
            self.problem(
                "city",
                _(
                    "Unknown city “%(city)s”: write the city's short name (as in its address, "
                    "such as ghent) or its name as the platform spells it."
                )
                % {"city": text},
            )
        return city_id

    def indicator(self, text: str) -> Indicator | None:
        if not text:
            return None
        indicator = self.indicators.get(text.lower())
        if indicator is None:
            self.problem(
                "indicator",
                _(
                    "Unknown indicator “%(indicator)s”: write the short name of one of the "
                    "indicators listed on the import page."
                )
                % {"indicator": text},
            )
        return indicator

    def year(self, text: str) -> int | None:
        if not text:
            return None
        if _YEAR.fullmatch(text) and YEAR_MIN <= int(text) <= YEAR_MAX:
            return int(text)
        self.problem(
            "year",
            _("“%(value)s” is not a year between %(min)d and %(max)d.")
            % {"value": text, "min": YEAR_MIN, "max": YEAR_MAX},
        )
        return None

    def date(self, text: str, year: int | None) -> date | None:
        if not text:
            return None
        day, message = _date(text, year)
        if message:
            self.problem("date", message)
        return day

    def value(self, text: str) -> Decimal | None:
        if not text:
            return None
        value, message = number_problem(text)
        if message:
            self.problem("value", message)
        return value

    def unit(self, text: str, indicator: Indicator | None) -> bool:
        """Whether the unit written (if any) is the indicator's: then the value's range is
        checked against it."""
        if not text:
            return True
        unit = _UNITS.get(text.lower())
        if unit is None:
            self.problem(
                "unit",
                _("“%(unit)s” is not a unit the platform knows: count, percent or ratio.")
                % {"unit": text},
            )
            return False
        if indicator is not None and unit != indicator.unit:
            self.problem(
                "unit",
                _(
                    "The unit is %(given)s but “%(indicator)s” is given as %(expected)s: check "
                    "the figure, then write “%(code)s”."
                )
                % {
                    "given": _unit_words(unit),
                    "indicator": indicator.name,
                    "expected": _unit_words(indicator.unit),
                    "code": indicator.unit,
                },
            )
            return False
        return True

    def once(self, city_id: int, indicator: Indicator, year: int) -> None:
        """A city has one value per indicator and year: a second row for it is a problem."""
        key = (city_id, indicator.id, year)
        first = self.seen.setdefault(key, self.number)
        if first != self.number:
            self.problem(
                "year",
                _(
                    "%(city)s, %(indicator)s, %(year)d is already in row %(row)d: a city has one "
                    "value per indicator and year."
                )
                % {
                    "city": self.cities.names[city_id],
                    "indicator": indicator.name,
                    "year": year,
                    "row": first,
                },
            )

    def stored(self) -> None:
        """Imports never overwrite: a value already stored for a city, indicator and year is a
        problem on the row that brings another."""
        seen = self.seen
        if not seen:
            return
        stored = IndicatorValue.objects.filter(
            city_id__in={key[0] for key in seen},
            indicator_id__in={key[1] for key in seen},
            year__in={key[2] for key in seen},
        ).values_list("city_id", "indicator_id", "year", "value", "source")
        names = {indicator.pk: indicator.name for indicator in self.indicators.values()}
        for city_id, indicator_id, year, value, source in stored.iterator(chunk_size=2000):
            row = seen.get((city_id, indicator_id, year))
            if row is None:
                continue
            self.problems.append(
                Problem(
                    row,
                    "year",
                    _(
                        "A value for %(city)s, %(indicator)s, %(year)d is already stored "
                        "(%(value)s, %(source)s). Imports never overwrite: delete that value, "
                        "or undo its import, first."
                    )
                    % {
                        "city": self.cities.names[city_id],
                        "indicator": names[indicator_id],
                        "year": year,
                        "value": f"{value.normalize():f}",
                        "source": source,
                    },
                )
            )


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)
