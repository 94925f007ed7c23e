"""The secretariat's indicator pages: the catalogue and imports, the import form and its report,
undoing, the templates, the values list, and entering or deleting one value."""

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from openpyxl import load_workbook

from integratingcities.cities.models import City
from integratingcities.indicators.forms import ImportForm
from integratingcities.indicators.imports import check_rows, parse_csv, parse_xlsx
from integratingcities.indicators.models import ImportBatch, Indicator, IndicatorValue
from integratingcities.indicators.services import indicators_load
from integratingcities.lib.testing import People, client_for

from .test_imports import HEADER, POPULATION, SHARE, csv_file, import_csv, jsonstat

CATALOGUE = Path(settings.BASE_DIR) / "content/indicators.yaml"


@pytest.fixture
def catalogue(people: People) -> People:
    indicators_load(CATALOGUE)
    return people


def upload(client: Any, name: str, data: bytes, *, follow: bool = False, **fields: object) -> Any:
    return client.post(
        reverse("indicators:import"),
        {"file": SimpleUploadedFile(name, data), **fields},
        follow=follow,
    )


def text(response: Any) -> str:
    return response.content.decode()


def test_the_management_pages_live_under_indicators_manage() -> None:
    assert resolve("/indicators/manage/").view_name == "indicators:manage"
    assert resolve("/indicators/manage/import/").view_name == "indicators:import"
    assert resolve("/indicators/manage/values/new/").view_name == "indicators:value_new"


# ---------------------------------------------------------------------------------------
# Importing through the page


def test_a_valid_file_is_imported_and_its_values_shown(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    response = upload(client, "ghent.csv", csv_file(POPULATION, SHARE), follow=True)
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("indicators:values") + f"?batch={batch.pk}"
    page = text(response)
    assert "2 values imported from ghent.csv." in page
    assert "259000" in page
    assert "22.2%" in page and "Undo this import" in page


def test_a_file_with_problems_is_reported_by_row_and_column_and_nothing_written(
    catalogue: People,
) -> None:
    client = client_for(catalogue.secretariat)
    response = upload(
        client,
        "bad.csv",
        csv_file(POPULATION, 'ghent,foreign-born-share,2014,,"22,2",percent,,Census,,'),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was imported" in page
    assert '<th scope="col">Row</th><th scope="col">Column</th><th scope="col">Problem</th>' in page
    assert '<th scope="row">3</th>' in page and "<code>value</code>" in page
    assert "write the number with a point, as 22.2" in page
    assert not IndicatorValue.objects.exists() and not ImportBatch.objects.exists()


def test_the_same_problem_on_many_rows_is_one_line_of_the_report(catalogue: People) -> None:
    lines = [f"atlantis,population,{year},,1,count,,S,," for year in range(2000, 2010)]
    response = upload(client_for(catalogue.secretariat), "bad.csv", csv_file(*lines))
    assert '<th scope="row">2\u201311</th>' in text(response)


def test_an_xlsx_file_is_imported_through_the_page(catalogue: People) -> None:
    from .test_imports import workbook_bytes

    data = workbook_bytes(
        [HEADER.split(","), ["riga", "population", 2015, None, 641007, "count", None, "CSB"]]
    )
    response = upload(client_for(catalogue.secretariat), "riga.xlsx", data)
    assert response.status_code == 302
    assert ImportBatch.objects.get().file_format == "xlsx"


def test_a_jsonstat_file_needs_its_indicator(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    data = jsonstat({"BE002C": "Ghent"}, ["2015"], [253266])
    page = text(upload(client, "urb_cpop1.json", data))
    assert "Indicator of a JSON-stat file" in page and "Choose the indicator" in page
    population = Indicator.objects.get(key="population")
    response = upload(client, "urb_cpop1.json", data, indicator=population.pk)
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 253266


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("values.xls", b"\xd0\xcf", "Save the spreadsheet as .xlsx"),
        ("values.txt", b"x", "Import a .csv or .xlsx file"),
        ("values.csv", "ghent;population".encode("utf-16"), "not UTF-8"),
        ("values.csv", b"town,year\nghent,2015\n", "columns the template does not have"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(
    catalogue: People, name: str, data: bytes, words: str
) -> None:
    page = text(upload(client_for(catalogue.secretariat), name, data))
    assert words in page and "nothing was written" in page
    assert not ImportBatch.objects.exists()


class FiftyMegabytes(SimpleUploadedFile):
    """An upload that says it holds 50 MB and may not be read."""

    def __init__(self) -> None:
        super().__init__("huge.csv", csv_file(POPULATION))
        self.size = 50 * 1024 * 1024

    def read(self, *args: object) -> bytes:
        raise AssertionError("a file over the limit is never read")

    def chunks(self, chunk_size: int | None = None) -> Any:
        raise AssertionError("a file over the limit is never read")


def test_a_file_of_50_mb_is_refused_without_reading_it(catalogue: People) -> None:
    form = ImportForm({}, {"file": FiftyMegabytes()})
    assert not form.is_valid()
    assert form.errors["file"] == [
        "The file is larger than 5 MB: split it into several imports of at most 5 MB each."
    ]


def test_a_file_over_the_limit_is_refused_by_the_page(catalogue: People, settings: Any) -> None:
    settings.INDICATOR_IMPORT_MAX_BYTES = 1024 * 1024
    data = csv_file(*[POPULATION.replace("2015", "2016")] * 30_000)
    assert len(data) > 1024 * 1024
    page = text(upload(client_for(catalogue.secretariat), "big.csv", data))
    assert "larger than 1 MB" in page
    assert not IndicatorValue.objects.exists()


# ---------------------------------------------------------------------------------------
# The catalogue, the imports and undoing


def test_the_catalogue_counts_values_and_lists_imports(
    catalogue: People, django_assert_max_num_queries: Any
) -> None:
    import_csv(catalogue, POPULATION, SHARE, name="first.csv")
    client = client_for(catalogue.secretariat)
    client.get(reverse("indicators:manage"))  # the session, once
    with django_assert_max_num_queries(8):
        response = client.get(reverse("indicators:manage"))
    page = text(response)
    assert "first.csv" in page and "Undo…" in page
    assert "Residents born abroad" in page and "<code>foreign-born-share</code>" in page
    for n in range(5):
        import_csv(catalogue, POPULATION.replace("2015", str(2000 + n)), name=f"{n}.csv")
    with django_assert_max_num_queries(8):
        client.get(reverse("indicators:manage"))


def test_an_import_is_undone_after_confirming_and_only_once(catalogue: People) -> None:
    batch = import_csv(catalogue, POPULATION, SHARE, name="ghent.csv")
    client = client_for(catalogue.secretariat)
    url = reverse("indicators:import_undo", kwargs={"pk": batch.pk})
    page = text(client.get(url))
    assert "Undo the import of “ghent.csv”?" in page
    assert "deletes the 2 values of this import" in page and "Ghent" in page
    assert IndicatorValue.objects.count() == 2
    response = client.post(url, follow=True)
    assert "The import of ghent.csv is undone: 2 values deleted." in text(response)
    assert not IndicatorValue.objects.exists()
    assert "Undone on" in text(client.get(reverse("indicators:manage")))
    again = client.post(url, follow=True)
    assert "This import is already undone." in text(again)
    assert client.get(reverse("indicators:import_undo", kwargs={"pk": 99999})).status_code == 404


# ---------------------------------------------------------------------------------------
# The templates


def test_the_csv_template_has_the_columns_and_two_illustrative_examples(
    catalogue: People,
) -> None:
    response = client_for(catalogue.secretariat).get(reverse("indicators:template_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADER.split(",")
    assert len(rows) == 3 and all(row[-1] == "yes" and "example" in row[8] for row in rows[1:])
    report = check_rows(parse_csv(response.content))
    assert report.ok, report.problems  # the examples themselves import


def test_the_xlsx_template_reads_back_and_lists_indicators_and_cities(
    catalogue: People,
) -> None:
    response = client_for(catalogue.secretariat).get(reverse("indicators:template_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Values", "Indicators", "Cities"]
    keys = [row[0] for row in workbook["Indicators"].iter_rows(min_row=2, values_only=True)]
    assert "population" in keys
    rows = parse_xlsx(response.content)
    assert len(rows) == 2 and check_rows(rows).ok


# ---------------------------------------------------------------------------------------
# The values


def test_the_values_are_filtered_and_paginated(
    catalogue: People, django_assert_max_num_queries: Any
) -> None:
    rows = [POPULATION.replace("2015", str(year)) for year in range(1950, 2010)]
    import_csv(catalogue, *rows, SHARE.replace("Ghent", "riga"))
    client = client_for(catalogue.secretariat)
    client.get(reverse("indicators:values"))
    with django_assert_max_num_queries(10):
        page = text(client.get(reverse("indicators:values")))
    assert "61 values" in page and "page 1 of 2" in page and page.count("Delete…") == 50
    share = Indicator.objects.get(key="foreign-born-share")
    filtered = text(client.get(reverse("indicators:values"), {"indicator": share.pk}))
    assert "1 value" in filtered and "Riga" in filtered
    riga = text(client.get(reverse("indicators:values"), {"city": catalogue.riga.pk}))
    assert "1 value" in riga
    for typed in ("riga", "RIGA", " Riga "):  # the city typed: short name or name, any case
        assert "1 value" in text(client.get(reverse("indicators:values"), {"city": typed}))
    unknown = text(client.get(reverse("indicators:values"), {"city": "Atlantis"}))
    assert "No city called “Atlantis”." in unknown and "61 values" in unknown
    second = text(client.get(reverse("indicators:values"), {"page": 2}))
    assert second.count("Delete…") == 11


VALUE = {"year": "2015", "value": "259000", "source": "Statbel 2015"}


def test_the_secretariat_enters_a_value(catalogue: People) -> None:
    population = Indicator.objects.get(key="population")
    client = client_for(catalogue.secretariat)
    assert client.get(reverse("indicators:value_new")).status_code == 200
    response = client.post(
        reverse("indicators:value_new"),
        {**VALUE, "city": catalogue.riga.pk, "indicator": population.pk},
        follow=True,
    )
    assert "Saved: Riga, Population, 2015." in text(response)
    assert response.redirect_chain[-1][0] == reverse("indicators:values") + "?city=riga"
    assert City.objects.get(pk=catalogue.riga.pk).population == 259_000


def test_the_secretariat_types_the_city_and_the_form_lists_none(catalogue: People) -> None:
    """Any city may be given a value: typed, as a menu of every city grew with the network."""
    population = Indicator.objects.get(key="population")
    client = client_for(catalogue.secretariat)
    for url in (reverse("indicators:value_new"), reverse("indicators:values")):
        page = client.get(url).content.decode()
        assert 'name="city" type="text"' in page or 'type="text" name="city"' in page
        assert "Riga" not in page
    refused = text(
        client.post(
            reverse("indicators:value_new"),
            {**VALUE, "city": "Atlantis", "indicator": population.pk},
        )
    )
    assert "City: No city called “Atlantis”." in refused
    client.post(
        reverse("indicators:value_new"), {**VALUE, "city": "riga", "indicator": population.pk}
    )
    assert City.objects.get(pk=catalogue.riga.pk).population == 259_000


def test_a_wrong_value_is_named_by_its_field(catalogue: People) -> None:
    share = Indicator.objects.get(key="foreign-born-share")
    client = client_for(catalogue.secretariat)
    form = {"city": catalogue.ghent.pk, "indicator": share.pk, "source": "S"}
    page = text(client.post(reverse("indicators:value_new"), {**form, "year": "15", "value": "1"}))
    assert "Year: a year between 1900 and 2100, such as 2015." in page
    page = text(client.post(reverse("indicators:value_new"), {**form, "year": "2015"}))
    assert "Value: give the figure." in page
    page = text(
        client.post(reverse("indicators:value_new"), {**form, "year": "2015", "value": "120"})
    )
    assert "Value: 120 is a share above 100%" in page
    client.post(reverse("indicators:value_new"), {**form, "year": "2015", "value": "12,5"})
    assert IndicatorValue.objects.get().value == Decimal("12.5")  # a form reads a comma
    page = text(
        client.post(reverse("indicators:value_new"), {**form, "year": "2015", "value": "13"})
    )
    assert "Year: Ghent already has a value of “Residents born abroad” for 2015" in page


@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_city_people_may_not_enter_values_until_allowed(catalogue: People, role: str) -> None:
    client = client_for(catalogue.all_roles()[role])
    assert client.get(reverse("indicators:value_new")).status_code == 403


def test_an_editor_enters_their_own_citys_values_of_open_indicators(catalogue: People) -> None:
    population = Indicator.objects.get(key="population")
    Indicator.objects.filter(pk=population.pk).update(cities_may_enter=True)
    client = client_for(catalogue.editor)
    page = text(client.get(reverse("indicators:value_new")))
    assert "Ghent" in page and "Riga" not in page
    assert "Population" in page and "Residents born abroad" not in page
    refused = text(
        client.post(
            reverse("indicators:value_new"),
            {**VALUE, "city": catalogue.riga.pk, "indicator": population.pk},
        )
    )
    assert "City: Select a valid choice." in refused
    response = client.post(
        reverse("indicators:value_new"),
        {**VALUE, "city": catalogue.ghent.pk, "indicator": population.pk},
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    assert value.created_by == catalogue.editor
    viewer = client_for(catalogue.viewer)
    assert viewer.get(reverse("indicators:value_new")).status_code == 403
    delete = reverse("indicators:value_delete", kwargs={"pk": value.pk})
    assert client_for(catalogue.outsider).post(delete).status_code == 403
    assert viewer.post(delete).status_code == 403
    assert "Delete Population of Ghent for 2015?" in text(client.get(delete))
    assert client.post(delete).status_code == 302
    assert not IndicatorValue.objects.exists()


def test_the_secretariat_deletes_one_imported_value(catalogue: People) -> None:
    import_csv(catalogue, POPULATION, SHARE, name="ghent.csv")
    value = IndicatorValue.objects.get(indicator__key="population")
    client = client_for(catalogue.secretariat)
    url = reverse("indicators:value_delete", kwargs={"pk": value.pk})
    assert "came in the import of “ghent.csv”" in text(client.get(url))
    response = client.post(url, follow=True)
    assert "Deleted: Ghent, Population, 2015." in text(response)
    assert IndicatorValue.objects.count() == 1
    assert City.objects.get(pk=catalogue.ghent.pk).population is None


@pytest.mark.parametrize(
    "name",
    ["manage", "import", "template_csv", "template_xlsx", "values", "value_new"],
)
@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_the_management_pages_are_the_secretariats(catalogue: People, name: str, role: str) -> None:
    response = client_for(catalogue.all_roles()[role]).get(reverse(f"indicators:{name}"))
    assert response.status_code == 403
    anonymous = client_for(None).get(reverse(f"indicators:{name}"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_file_wrong_throughout_lists_the_first_thousand_lines(catalogue: People) -> None:
    lines = [f"ghent,population,{1900 + n % 200},,n{n},count,,S,," for n in range(1005)]
    page = text(upload(client_for(catalogue.secretariat), "bad.csv", csv_file(*lines)))
    # 1005 values that are not numbers, 805 years that come again (200 lines: one a year).
    assert "The file has 1810 problems." in page
    assert page.count('<td data-label="Problem">') == 1000
    assert "… and 205 more lines of problems" in page
