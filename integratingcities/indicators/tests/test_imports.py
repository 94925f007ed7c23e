"""Importing indicator values: every problem of a file is reported by row and column and nothing
is written; a valid file is written whole, and undone whole."""

import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from integratingcities.cities.models import City
from integratingcities.indicators.imports import (
    ImportFileError,
    Row,
    check_rows,
    check_size,
    parse_csv,
    parse_jsonstat,
    parse_xlsx,
    read_file,
)
from integratingcities.indicators.models import ImportBatch, Indicator, IndicatorValue
from integratingcities.indicators.services import (
    ImportRefused,
    IndicatorError,
    import_undo,
    indicators_load,
    value_delete,
    value_save,
    values_import,
)
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import CityFactory, People

CATALOGUE = Path(settings.BASE_DIR) / "content/indicators.yaml"
HEADER = "city,indicator,year,date,value,unit,basis,source,note,illustrative"
POPULATION = "ghent,population,2015,,259000,count,,Statbel 2015,,"
SHARE = "Ghent,foreign-born-share,2014,2014-01-01,22.2,percent,,Census 2014,From the register,no"


@pytest.fixture
def catalogue(people: People) -> People:
    indicators_load(CATALOGUE)
    return people


def csv_file(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def import_csv(people: People, *lines: str, name: str = "values.csv") -> ImportBatch:
    return values_import(
        rows=parse_csv(csv_file(*lines)),
        user=people.secretariat,
        file_name=name,
        file_format="csv",
    )


def refused(people: People, *lines: str) -> list[tuple[int | None, str, str]]:
    """The problems of a file that must be refused, once nothing is written."""
    with pytest.raises(ImportRefused) as caught:
        import_csv(people, *lines)
    assert IndicatorValue.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    return [(p.row, p.column, p.message) for p in caught.value.report.problems]


# ---------------------------------------------------------------------------------------
# A valid file


def test_a_valid_csv_file_is_imported_whole(catalogue: People) -> None:
    batch = import_csv(catalogue, POPULATION, SHARE)
    assert batch.value_count == 2 and batch.imported_by == catalogue.secretariat
    assert batch.file_format == "csv" and batch.undone_at is None
    share = IndicatorValue.objects.get(indicator__key="foreign-born-share")
    assert (share.city, share.year, share.value) == (catalogue.ghent, 2014, Decimal("22.2"))
    assert share.date is not None and share.date.isoformat() == "2014-01-01"
    assert share.basis == "foreign_born"  # the indicator's, where the file gives none
    assert share.note == "From the register" and not share.is_illustrative
    assert share.batch == batch and share.created_by == catalogue.secretariat
    ghent = City.objects.get(pk=catalogue.ghent.pk)
    assert (ghent.population, ghent.population_year) == (259_000, 2015)
    assert ghent.foreign_born_share == Decimal("22.2")


def test_excel_csv_with_semicolons_and_a_byte_order_mark_is_read(catalogue: People) -> None:
    data = "\ufeffCity;Indicator;Year;Value;Unit;Source;Illustrative\r\n"
    data += "ghent;population;2015;259000;count;Statbel;yes\r\n;;;;;;\r\n"
    rows = parse_csv(data.encode())
    assert [row.number for row in rows] == [2]
    report = check_rows(rows)
    assert report.ok and report.values[0].is_illustrative


def test_the_basis_column_overrides_the_indicators_definition(catalogue: People) -> None:
    import_csv(catalogue, "ghent,foreign-born-share,2014,,22.2,percent,foreign_nationals,Census,,")
    assert IndicatorValue.objects.get().basis == "foreign_nationals"


# ---------------------------------------------------------------------------------------
# Bad input: each refused, named by row and column, nothing written

BAD_ROWS = [
    ("unknown city", "atlantis,population,2015,,1000,count,,S,,", "city", "Unknown city"),
    ("unknown indicator", "ghent,happiness,2015,,10,percent,,S,,", "indicator", "Unknown"),
    ("wrong unit", "ghent,foreign-born-share,2015,,22,count,,S,,", "unit", "per cent"),
    ("unknown unit", "ghent,population,2015,,1000,people,,S,,", "unit", "not a unit"),
    ("text in the value", "ghent,population,2015,,about 1000,count,,S,,", "value", "not a number"),
    ("a decimal comma", 'ghent,foreign-born-share,2015,,"12,5",percent,,S,,', "value", "12.5"),
    ("thousands separators", 'ghent,population,2015,,"259,000.5",count,,S,,', "value", "separator"),
    ("a per cent sign", "ghent,foreign-born-share,2015,,12.5%,percent,,S,,", "value", "% sign"),
    ("a share above 100", "ghent,foreign-born-share,2015,,120,percent,,S,,", "value", "above 100"),
    ("a share below 0", "ghent,foreign-born-share,2015,,-1,percent,,S,,", "value", "below 0"),
    ("people in parts", "ghent,population,2015,,1000.5,count,,S,,", "value", "whole number"),
    ("five decimals", "ghent,foreign-born-share,2015,,1.23456,percent,,S,,", "value", "four"),
    ("text in the year", "ghent,population,twenty,,1000,count,,S,,", "year", "not a year"),
    ("a year too early", "ghent,population,1850,,1000,count,,S,,", "year", "1900 and 2100"),
    ("a bad date", "ghent,population,2015,31/12/2015,1000,count,,S,,", "date", "not a date"),
    ("a date in another year", "ghent,population,2015,2014-06,1000,count,,S,,", "date", "2015"),
    ("an unknown basis", "ghent,population,2015,,1000,count,everyone,S,,", "basis", "who counts"),
    ("no source", "ghent,population,2015,,1000,count,,,,", "source", "Empty"),
    ("no value", "ghent,population,2015,,,count,,S,,", "value", "Empty"),
    ("illustrative maybe", "ghent,population,2015,,1000,count,,S,,maybe", "illustrative", "yes"),
    ("a cell too many", "ghent,population,2015,,1000,count,,S,,no,extra", "", "more cells"),
]


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [pytest.param(line, column, words, id=case) for case, line, column, words in BAD_ROWS],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    catalogue: People, line: str, column: str, words: str
) -> None:
    problems = refused(catalogue, POPULATION.replace("2015", "2010"), line)
    assert [(row, col) for row, col, _message in problems] == [(3, column)]
    assert words in problems[0][2]


def test_a_decimal_comma_is_explained_with_the_number_written_right(catalogue: People) -> None:
    [(_row, _column, message)] = refused(
        catalogue, 'ghent,foreign-born-share,2015,,"12,5",percent,,S,,'
    )
    assert message == "“12,5” has a decimal comma: write the number with a point, as 12.5."


def test_every_problem_of_every_row_is_reported(catalogue: People) -> None:
    problems = refused(
        catalogue,
        "atlantis,population,2015,,abc,count,,S,,",
        POPULATION,
        "riga,foreign-born-share,1800,,150,count,,,,",
    )
    assert [(row, column) for row, column, _message in problems] == [
        (2, "city"),
        (2, "value"),
        (4, "year"),
        (4, "unit"),
        (4, "source"),
    ]


def test_a_duplicate_year_in_the_file_names_the_first_row(catalogue: People) -> None:
    problems = refused(catalogue, POPULATION, SHARE, POPULATION.replace("259000", "260000"))
    assert problems == [
        (
            4,
            "year",
            "Ghent, Population, 2015 is already in row 2: a city has one value per indicator and "
            "year.",
        )
    ]


def test_a_value_already_stored_is_never_overwritten(catalogue: People) -> None:
    import_csv(catalogue, POPULATION)
    with pytest.raises(ImportRefused) as caught:
        import_csv(catalogue, SHARE, POPULATION.replace("259000", "1"))
    [problem] = caught.value.report.problems
    assert (problem.row, problem.column) == (3, "year")
    assert "already stored (259000, Statbel 2015)" in problem.message
    assert "Imports never overwrite" in problem.message
    assert IndicatorValue.objects.get().value == 259_000
    assert ImportBatch.objects.count() == 1


def test_one_bad_row_among_good_ones_writes_nothing(catalogue: People) -> None:
    good = [POPULATION.replace("2015", str(year)) for year in range(2000, 2010)]
    problems = refused(catalogue, *good, "ghent,population,2015,,12 345,count,,S,,")
    assert [(row, column) for row, column, _m in problems] == [(12, "value")]
    assert City.objects.get(pk=catalogue.ghent.pk).population is None


def test_a_city_is_found_by_short_name_or_name_in_any_case(catalogue: People) -> None:
    CityFactory.create(name="Malmö", slug="malmo", country="SE")
    rows = parse_csv(
        csv_file(
            "GHENT,population,2015,,1,count,,S,,",
            "malmö,population,2015,,1,count,,S,,",
            "Malmo,population,2016,,1,count,,S,,",
        )
    )
    assert check_rows(rows).ok


def test_a_name_two_cities_share_asks_for_the_short_name(catalogue: People) -> None:
    CityFactory.create(name="Valencia", slug="valencia-es", country="ES")
    CityFactory.create(name="Valencia", slug="valencia-ve", country="VE")
    report = check_rows(parse_csv(csv_file("Valencia,population,2015,,1,count,,S,,")))
    assert "short name" in report.problems[0].message


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("city,indicator,year,value,unit", "no column “source”"),
        ("city,indicator,year,value,unit,source,colour", "“colour”"),
        ("city,city,indicator,year,value,unit,source", "twice"),
    ],
)
def test_a_file_without_the_templates_columns_is_refused(
    catalogue: People, header: str, words: str
) -> None:
    with pytest.raises(ImportFileError, match=words):
        parse_csv(f"{header}\nghent,population,2015,1,count,S\n".encode())


def test_a_file_that_is_not_utf8_or_empty_is_refused(catalogue: People) -> None:
    with pytest.raises(ImportFileError, match="UTF-8"):
        parse_csv(csv_file("Liège,population,2015,,1,count,,S,,").decode().encode("latin-1"))
    with pytest.raises(ImportFileError, match="empty"):
        parse_csv(b"")
    assert not check_rows(parse_csv(csv_file())).ok


def test_a_file_of_50_mb_is_refused_by_its_size_alone() -> None:
    with pytest.raises(ImportFileError, match="larger than 5 MB"):
        check_size(50 * 1024 * 1024)
    check_size(5 * 1024 * 1024)


def test_a_file_is_read_by_the_end_of_its_name(catalogue: People) -> None:
    with pytest.raises(ImportFileError, match=r"\.xlsx"):
        read_file("values.xls", b"x")
    with pytest.raises(ImportFileError, match="indicator"):
        read_file("eurostat.json", b"{}")
    assert len(read_file("VALUES.CSV", csv_file(POPULATION))) == 1


# ---------------------------------------------------------------------------------------
# XLSX


def workbook_bytes(rows: list[list[Any]], sheet: str = "Values") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_valid_xlsx_file_is_imported(catalogue: People) -> None:
    data = workbook_bytes(
        [
            HEADER.split(","),
            ["ghent", "population", 2015, None, 259000, "count", None, "Statbel", None, None],
            [
                *("riga", "foreign-born-share", 2014.0, datetime(2014, 1, 1), 22.2, "percent"),
                *(None, "Census", "A note", "yes"),
            ],
            [None] * 10,
        ]
    )
    rows = parse_xlsx(data)
    assert [row.number for row in rows] == [2, 3]
    assert rows[1].cells["year"] == "2014" and rows[1].cells["value"] == "22.2"
    assert rows[1].cells["date"] == "2014-01-01"
    batch = values_import(
        rows=rows, user=catalogue.secretariat, file_name="values.xlsx", file_format="xlsx"
    )
    assert batch.value_count == 2
    riga = IndicatorValue.objects.get(city=catalogue.riga)
    assert riga.value == Decimal("22.2") and riga.is_illustrative


def test_an_xlsx_file_with_text_and_a_decimal_comma_in_numbers_is_refused(
    catalogue: People,
) -> None:
    data = workbook_bytes(
        [
            HEADER.split(","),
            ["ghent", "population", 2015, None, "n/a", "count", None, "S"],
            ["ghent", "foreign-born-share", 2015, None, "12,5", "percent", None, "S"],
        ]
    )
    report = check_rows(parse_xlsx(data))
    assert [(p.row, p.column) for p in report.problems] == [(2, "value"), (3, "value")]
    assert "write the number with a point, as 12.5" in report.problems[1].message


def test_a_file_that_is_no_workbook_is_refused() -> None:
    with pytest.raises(ImportFileError, match="not an XLSX"):
        parse_xlsx(b"PK\x03\x04 not really a zip")


# ---------------------------------------------------------------------------------------
# JSON-stat, as Eurostat's city statistics publish it


def jsonstat(
    cities: dict[str, str],
    years: list[str],
    values: dict[str, Any] | list[Any],
    **extra: dict[str, Any],
) -> bytes:
    """A Eurostat-like dataset: frequency, measure, cities and time, one measure."""
    dimension: dict[str, Any] = {
        "freq": {"label": "Time frequency", "category": {"index": {"A": 0}}},
        "indic_ur": {
            "category": {"index": {"DE1001V": 0}, "label": {"DE1001V": "Population"}},
        },
        "cities": {
            "label": "Geopolitical entity",
            "category": {
                "index": {code: i for i, code in enumerate(cities)},
                "label": cities,
            },
        },
        "time": {"category": {"index": years}},
        **extra,
    }
    ids = ["freq", "indic_ur", *extra, "cities", "time"]
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "label": "Population on 1 January by age groups and sex - cities",
            "source": "ESTAT",
            "id": ids,
            "size": [len(_codes(dimension[name])) for name in ids],
            "dimension": dimension,
            "value": values,
            "status": {"1": "b"},
        }
    ).encode()


def _codes(dimension: dict[str, Any]) -> list[str]:
    index = dimension["category"]["index"]
    return list(index) if isinstance(index, (dict, list)) else []


def test_a_eurostat_jsonstat_file_is_imported(catalogue: People) -> None:
    population = Indicator.objects.get(key="population")
    data = jsonstat(
        {"BE002C": "Ghent", "LV001C": "Rīga"},
        ["2014", "2015"],
        {"0": 251133, "1": 253266, "3": 641007},  # Riga 2014 is missing
    )
    rows = parse_jsonstat(data, indicator=population)
    assert [(r.cells["city"], r.cells["year"], r.cells["value"]) for r in rows] == [
        ("BE002C", "2014", "251133"),
        ("BE002C", "2015", "253266"),
        ("LV001C", "2015", "641007"),
    ]
    assert rows[1].cells["note"] == "Flag in the file: b"
    batch = values_import(
        rows=rows, user=catalogue.secretariat, file_name="urb_cpop1.json", file_format="json-stat"
    )
    assert batch.value_count == 3
    stored = IndicatorValue.objects.get(city=catalogue.riga)
    assert stored.source == "ESTAT, Population on 1 January by age groups and sex - cities"
    assert (stored.year, stored.value, stored.basis) == (2015, 641007, "all_residents")


def test_a_jsonstat_file_with_an_unknown_city_and_a_wrong_unit_is_refused(
    catalogue: People,
) -> None:
    share = Indicator.objects.get(key="foreign-born-share")
    data = jsonstat(
        {"BE002C": "Ghent", "FR001C": "Paris"},
        ["2015"],
        [21.5, 14.9],
        unit={"category": {"index": {"THS": 0}, "label": {"THS": "Thousand"}}},
    )
    report = check_rows(parse_jsonstat(data, indicator=share))
    assert [(p.row, p.column) for p in report.problems] == [(1, "unit"), (2, "city"), (2, "unit")]
    assert "Unknown city “FR001C” (Paris)" in report.problems[1].message


def test_a_jsonstat_file_in_per_cent_reads_its_unit(catalogue: People) -> None:
    share = Indicator.objects.get(key="foreign-born-share")
    data = jsonstat(
        {"BE002C": "Ghent"},
        ["2015"],
        [21.5],
        unit={"category": {"index": {"PC": 0}}},
    )
    assert check_rows(parse_jsonstat(data, indicator=share)).ok


def test_a_jsonstat_file_with_several_measures_is_refused(catalogue: People) -> None:
    population = Indicator.objects.get(key="population")
    data = jsonstat(
        {"BE002C": "Ghent"},
        ["2015"],
        [1, 2],
        sex={"category": {"index": {"F": 0, "M": 1}}},
    )
    with pytest.raises(ImportFileError, match="one measure"):
        parse_jsonstat(data, indicator=population)
    with pytest.raises(ImportFileError, match="JSON-stat"):
        parse_jsonstat(b'{"class": "collection"}', indicator=population)
    with pytest.raises(ImportFileError, match="not JSON"):
        parse_jsonstat(b"\xff", indicator=population)


# ---------------------------------------------------------------------------------------
# Undo


def test_an_import_is_undone_whole_and_only_once(catalogue: People) -> None:
    entered = value_save(
        user=catalogue.secretariat,
        indicator=Indicator.objects.get(key="population"),
        city=catalogue.riga,
        year=2015,
        value=Decimal(641_007),
        source="CSB",
    )
    batch = import_csv(catalogue, POPULATION, SHARE)
    assert import_undo(batch=batch, user=catalogue.secretariat) == 2
    assert list(IndicatorValue.objects.all()) == [entered]
    batch.refresh_from_db()
    assert batch.undone_at is not None and batch.undone_by == catalogue.secretariat
    assert batch.value_count == 2  # what was imported, for the record
    assert City.objects.get(pk=catalogue.ghent.pk).population is None
    assert City.objects.get(pk=catalogue.riga.pk).population == 641_007
    with pytest.raises(IndicatorError, match="already undone"):
        import_undo(batch=batch, user=catalogue.secretariat)
    import_csv(catalogue, POPULATION, SHARE)  # the same file, again
    assert IndicatorValue.objects.count() == 3


# ---------------------------------------------------------------------------------------
# Who may


@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_only_the_secretariat_imports_and_undoes(catalogue: People, role: str) -> None:
    user = catalogue.all_roles()[role]
    assert user is not None
    with pytest.raises(NotAllowed):
        values_import(
            rows=parse_csv(csv_file(POPULATION)), user=user, file_name="x.csv", file_format="csv"
        )
    batch = import_csv(catalogue, POPULATION)
    with pytest.raises(NotAllowed):
        import_undo(batch=batch, user=user)
    assert IndicatorValue.objects.count() == 1


def _enter(people: People, role: str, city: City, key: str = "population") -> IndicatorValue:
    user = people.all_roles()[role]
    assert user is not None
    return value_save(
        user=user,
        indicator=Indicator.objects.get(key=key),
        city=city,
        year=2015,
        value=Decimal(1000),
        source="The city's statistics",
    )


def test_the_secretariat_enters_any_citys_values(catalogue: People) -> None:
    _enter(catalogue, "secretariat", catalogue.riga)
    assert City.objects.get(pk=catalogue.riga.pk).population == 1000


@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_city_people_enter_nothing_until_the_secretariat_allows_it(
    catalogue: People, role: str
) -> None:
    with pytest.raises(NotAllowed):
        _enter(catalogue, role, catalogue.ghent)


def test_a_citys_editors_enter_their_own_citys_values_where_allowed(catalogue: People) -> None:
    Indicator.objects.filter(key="population").update(cities_may_enter=True)
    value = _enter(catalogue, "editor", catalogue.ghent)
    assert value.created_by == catalogue.editor and value.batch is None
    for role, city in (("editor", catalogue.riga), ("viewer", catalogue.ghent)):
        with pytest.raises(NotAllowed):
            _enter(catalogue, role, city)
    with pytest.raises(NotAllowed):
        _enter(catalogue, "editor", catalogue.ghent, key="foreign-born-share")
    with pytest.raises(NotAllowed):
        value_delete(value=value, user=catalogue.outsider)
    value_delete(value=value, user=catalogue.editor)
    assert not IndicatorValue.objects.exists()


def test_a_value_entered_keeps_the_same_rules_as_an_import(catalogue: People) -> None:
    share = Indicator.objects.get(key="foreign-born-share")

    def save(year: int, value: str, day: date | None = None) -> IndicatorValue:
        return value_save(
            user=catalogue.secretariat,
            indicator=share,
            city=catalogue.ghent,
            year=year,
            value=Decimal(value),
            source="S",
            date=day,
        )

    with pytest.raises(IndicatorError, match="above 100"):
        save(2015, "101")
    save(2015, "22.5")
    with pytest.raises(IndicatorError, match="already has a value"):
        save(2015, "20")
    with pytest.raises(IndicatorError, match="not in the year"):
        save(2016, "20", date(2015, 1, 1))


# ---------------------------------------------------------------------------------------
# Many values


def _many_rows(cities: list[City], count: int) -> list[Row]:
    indicators = ["population", "foreign-born-share", "staff-migrant-background-share"]
    rows = []
    for n in range(count):
        city = cities[n % len(cities)]
        indicator = indicators[(n // len(cities)) % len(indicators)]
        year = 1900 + n // (len(cities) * len(indicators))
        unit = "count" if indicator == "population" else "percent"
        value = str(1000 + n) if unit == "count" else f"{n % 100}.5"
        cells = {"city": city.slug, "indicator": indicator, "year": str(year), "value": value}
        rows.append(Row(n + 2, {**cells, "unit": unit, "source": "Generated"}))
    return rows


def test_the_queries_of_an_import_do_not_grow_with_its_rows(catalogue: People) -> None:
    cities = [catalogue.ghent, catalogue.riga]
    counts = []
    for size in (10, 300):
        IndicatorValue.objects.all().delete()
        rows = _many_rows(cities, size)
        with CaptureQueriesContext(connection) as queries:
            values_import(rows=rows, user=catalogue.secretariat, file_name="x", file_format="csv")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_large_import_is_written_whole(catalogue: People) -> None:
    # Its duration (100,000 values) is measured in benchmarks/indicators.py, not here.
    cities = City.objects.bulk_create(
        City(slug=f"city-{n}", name=f"City {n}", country="BE") for n in range(200)
    )
    rows = _many_rows(cities, 2_000)
    batch = values_import(
        rows=rows, user=catalogue.secretariat, file_name="big.csv", file_format="csv"
    )
    assert batch.value_count == IndicatorValue.objects.count() == 2_000
