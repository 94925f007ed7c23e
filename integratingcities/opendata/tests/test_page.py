"""The open data page, its licence, datapackage.json and the practice library as XLSX."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People, client_for
from integratingcities.opendata.models import OpenDataSettings
from integratingcities.opendata.services import licence_set
from integratingcities.practices.exports import COLUMNS as PRACTICE_COLUMNS
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round

from .conftest import BENCHMARK, World


def _parse(value: str, field: dict[str, object]) -> object:
    """A cell read as a Frictionless tool reads it from the field's type."""
    if value == "":
        return None
    kind = field["type"]
    if kind == "integer":
        return int(value)
    if kind == "number":
        return Decimal(value)
    if kind == "boolean":
        assert value in {*field["trueValues"], *field["falseValues"]}  # type: ignore[misc]
        return value in field["trueValues"]  # type: ignore[operator]
    if kind == "datetime":
        return datetime.strptime(value, str(field["format"]))
    if kind == "date":
        return datetime.strptime(value, "%Y-%m-%d").date()
    return value


def test_the_page_lists_every_published_dataset_with_its_files(world: World) -> None:
    text = Client().get(reverse("opendata:index")).content.decode()
    assert "Survey 2026" in text and "Survey 2028" not in text
    assert "Anti-discrimination" in text
    assert "Library of good practice" in text and "City indicators" in text
    assert f"/downloads/opendata.round_xlsx/?round={world.published.pk}" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    assert "<code>commitment_text</code>" in text and "<code>count_fully</code>" in text
    assert reverse("opendata:datapackage") in text


def test_the_page_makes_as_many_queries_whatever_the_number_of_rounds(
    world: World, django_assert_max_num_queries: object
) -> None:
    client = Client()
    with django_assert_max_num_queries(12) as first:  # type: ignore[operator]
        client.get(reverse("opendata:index"))
    for number in range(3):
        Round.objects.create(
            title=f"Another {number}",
            status="published",
            framework=world.charter,
            opens_on=world.published.opens_on,
            closes_on=world.published.closes_on,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):  # type: ignore[operator]
        page = client.get(reverse("opendata:index")).content.decode()
    assert page.count('<h3 id="dataset-round-') == 4


def test_datapackage_describes_every_csv_so_that_it_loads_typed(world: World) -> None:
    package = Client().get(reverse("opendata:datapackage")).json()
    assert package["name"] == "integrating-cities-open-data"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    names = [resource["name"] for resource in package["resources"]]
    assert names == [
        f"round-{world.published.pk}-answers",
        f"round-{world.published.pk}-summary",
        f"benchmark-{BENCHMARK}-answers",
        f"benchmark-{BENCHMARK}-summary",
        "practices",
        "indicator-values",
    ]
    client = Client()
    for resource in package["resources"]:
        assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        assert resource["path"].startswith(settings.SITE_URL + "/")
        fields = resource["schema"]["fields"]
        assert all(field["description"] for field in fields)
        response = client.get(resource["path"].removeprefix(settings.SITE_URL))
        assert response.status_code == 200
        text = response.getvalue().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == [field["name"] for field in fields], resource["name"]
        keys = set()
        for row in rows[1:]:
            typed = {f["name"]: _parse(v, f) for f, v in zip(fields, row, strict=True)}
            key = tuple(typed[name] for name in resource["schema"].get("primaryKey", []))
            assert key not in keys and None not in key
            keys.add(key)


def test_the_secretariat_chooses_the_licence(world: World, people: People) -> None:
    client = client_for(people.secretariat)
    url = reverse("opendata:settings")
    refused = client.post(url, {"licence": "all-rights-reserved", "attribution": "x"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    saved = client.post(url, {"licence": "CC0-1.0", "attribution": "Cite **EUROCITIES**."})
    assert saved.status_code == 302
    page = Client().get(reverse("opendata:index")).content.decode()
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in page
    assert "<strong>EUROCITIES</strong>" in page
    package = Client().get(reverse("opendata:datapackage")).json()
    assert package["licenses"][0]["name"] == "CC0-1.0"
    assert Client().get("/api/v1/open-data/").json()["licence"]["name"] == "CC0-1.0"
    assert OpenDataSettings.objects.get().updated_by == people.secretariat


def test_the_attribution_is_sanitised(world: World, people: People) -> None:
    licence_set(
        user=people.secretariat, licence="CC-BY-4.0", attribution="<script>alert(1)</script>Hi"
    )
    page = Client().get(reverse("opendata:index")).content.decode()
    assert "<script>alert(1)" not in page


def test_only_the_secretariat_chooses_the_licence(people: People) -> None:
    with pytest.raises(NotAllowed):
        licence_set(user=people.editor, licence="CC0-1.0", attribution="")


def test_the_library_as_xlsx_holds_published_practices_only(people: People) -> None:
    Practice.objects.create(
        key="out", title="=cmd|' /C calc'!A0", city=people.riga, status="published",
        summary="s", source="report-2015",
    )  # fmt: skip
    Practice.objects.create(key="draft", title="SECRET draft", city=people.ghent, summary="s",
                            source="report-2015")  # fmt: skip
    response = Client().get(reverse("practices:export_xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Practices"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [column.name for column in PRACTICE_COLUMNS]
    assert [row[0] for row in rows[1:]] == ["out"]
    assert sheet.cell(row=2, column=2).data_type == "s"  # a formula written as text
    assert sheet.freeze_panes == "A2"
    assert "Columns" in book.sheetnames


def test_illustrative_self_tests_are_labelled_so(world: World) -> None:
    assert "Illustrative" not in Client().get(reverse("opendata:index")).content.decode()
    world.shared.is_illustrative = True
    world.shared.save()
    page = Client().get(reverse("opendata:index")).content.decode()
    assert page.count("Illustrative") == 1
    url = reverse("opendata:benchmark_summary", kwargs={"lineage": BENCHMARK})
    text = Client().get(url).getvalue().decode("utf-8-sig")
    assert {row["illustrative"] for row in csv.DictReader(io.StringIO(text))} == {"yes"}
