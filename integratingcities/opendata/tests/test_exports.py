"""Exports of a round and of shared self-tests: what they hold, and what they never hold."""

import csv
import io
import json
import re
from datetime import datetime

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from integratingcities.lib.tabular import XLSX_TYPE
from integratingcities.lib.testing import People, client_for
from integratingcities.opendata.datasets import round_export
from integratingcities.opendata.files import xlsx
from integratingcities.opendata.selectors import licence_settings

from .conftest import BENCHMARK, FORMULA, World


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        " ".join("" if value is None else str(value) for value in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _csv(response: object) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def _body(response: object) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined,no-any-return]


def _files(client: Client, world: World) -> dict[str, str]:
    """Every file and API answer of the open data, as text."""
    round_pk = world.published.pk
    found = {}
    for name, url in {
        "page": reverse("opendata:index"),
        "package": reverse("opendata:datapackage"),
        "answers.csv": reverse("opendata:round_answers", kwargs={"pk": round_pk}),
        "summary.csv": reverse("opendata:round_summary", kwargs={"pk": round_pk}),
        "round.json": reverse("opendata:round_json", kwargs={"pk": round_pk}),
        "benchmark.csv": reverse("opendata:benchmark_answers", kwargs={"lineage": BENCHMARK}),
        "benchmark-summary.csv": reverse(
            "opendata:benchmark_summary", kwargs={"lineage": BENCHMARK}
        ),
        "benchmark.json": reverse("opendata:benchmark_json", kwargs={"lineage": BENCHMARK}),
        "api": "/api/v1/open-data/",
        "api-round": f"/api/v1/rounds/{round_pk}/answers?page_size=1000",
        "api-benchmark": f"/api/v1/benchmarks/{BENCHMARK}/answers?page_size=1000",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = _body(response).decode("utf-8")
    for name, params in {
        "round.xlsx": ("opendata.round_xlsx", f"round={round_pk}"),
        "benchmark.xlsx": ("opendata.benchmark_xlsx", f"benchmark={BENCHMARK}"),
    }.items():
        kind, query = params
        found[name] = _xlsx_text(_download(client, f"/downloads/{kind}/?{query}"))
    return found


def _download(client: Client, url: str) -> bytes:
    """Follow a download link to its file (the tasks run at once in tests: the link ends at the
    file, or at the finished page that links to it)."""
    response = client.get(url, follow=True)
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return _body(response)
    found = re.search(r'href="(/downloads/file/[^"]+/download/)"', response.content.decode())
    assert found, response.content.decode()[:500]
    response = client.get(found[1])
    assert response["Content-Type"] == XLSX_TYPE
    return _body(response)


@pytest.mark.parametrize("role", ["anonymous", "secretariat"])
def test_drafts_and_unvalidated_answers_never_appear(
    world: World, people: People, role: str
) -> None:
    client = client_for(people.all_roles()[role])
    for name, text in _files(client, world).items():
        assert "SECRET" not in text, name
    found = _files(client, world)
    assert "PUBLIC evidence" in found["answers.csv"]
    assert "PUBLIC evidence" in found["round.xlsx"]
    assert "PUBLIC-SHARED evidence" in found["benchmark.csv"]
    assert "PUBLIC-SHARED evidence" in found["benchmark.xlsx"]
    assert "PUBLIC evidence" in found["api-round"]
    assert "PUBLIC-SHARED evidence" in found["api-benchmark"]


def test_an_unpublished_round_is_for_the_secretariat_and_still_only_validated(
    world: World, people: People
) -> None:
    url = reverse("opendata:round_answers", kwargs={"pk": world.unpublished.pk})
    assert Client().get(url).status_code == 404
    assert Client().get(f"/api/v1/rounds/{world.unpublished.pk}/answers").status_code == 404
    rows = _csv(client_for(people.secretariat).get(url))
    assert rows and {row["city"] for row in rows} == {"oslo"}  # its one validated survey
    listed = client_for(people.secretariat).get(reverse("opendata:index")).content.decode()
    assert "Survey 2028" not in listed  # the page lists published data only, for everyone


def test_the_answers_csv_holds_every_answer_typed_and_defused(world: World) -> None:
    rows = _csv(Client().get(reverse("opendata:round_answers", kwargs={"pk": world.published.pk})))
    assert {row["city"] for row in rows} == {"ghent"}
    rated = [row for row in rows if row["kind"] == "rating"]
    assert len(rated) == 11  # the Charter's eleven commitments
    assert {row["role"] for row in rated} == {
        "policymaker",
        "service_provider",
        "employer",
        "buyer",
    }
    assert all(row["level"] == "fully" and row["score"] == "100" for row in rated)
    assert rows[0]["round"] == str(world.published.pk)
    # What is true of the city's whole survey is said once, in the summary.
    assert not {"city_name", "country", "validated_at", "illustrative"} & set(rows[0])
    # A formula in the evidence is written as text a spreadsheet does not run.
    assert rated[0]["evidence"] == "'" + FORMULA
    assert not any(row["evidence"].startswith(("=", "+", "-", "@")) for row in rows)
    texts = [row for row in rows if row["kind"] == "text"]
    assert texts and all(row["answer"].startswith("PUBLIC text") for row in texts)
    assert rows[0]["links"] == "https://example.org/public"


def test_the_summary_counts_levels_and_scores_per_role(world: World) -> None:
    url = reverse("opendata:round_summary", kwargs={"pk": world.published.pk})
    rows = {row["role"]: row for row in _csv(Client().get(url))}
    assert list(rows) == ["policymaker", "service_provider", "employer", "buyer", "overall"]
    policymaker = rows["policymaker"]
    assert policymaker["count_fully"] == policymaker["items"] != "0"
    assert policymaker["count_partly"] == "0" and policymaker["unanswered"] == "0"
    assert policymaker["score"] == "100" and policymaker["coverage"] == "100"
    assert rows["overall"]["count_fully"] == "11" and rows["overall"]["score"] == "100"
    assert policymaker["city_name"] == "Ghent" and policymaker["country"] == "BE"
    datetime.strptime(policymaker["validated_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert policymaker["illustrative"] == "no"


def test_the_workbook_has_a_sheet_per_role_answers_and_a_dictionary(world: World) -> None:
    export = round_export(world.published)
    book = openpyxl.load_workbook(io.BytesIO(xlsx(export, licence_settings())))
    assert book.sheetnames == [
        "Cities as policymakers",
        "Cities as service providers",
        "Cities as employers",
        "Buyer",  # the title is too long for a sheet's name
        "Overall",
        "Answers",
        "Columns",
        "About",
    ]
    answers = book["Answers"]
    assert answers.freeze_panes == "A2"
    header = [cell.value for cell in answers[1]]
    assert header == [column.name for column in export.answers.columns]
    evidence = header.index("evidence") + 1
    formula = answers.cell(row=2, column=evidence)
    # Written as text, never as a formula: openpyxl reads a formula as data type "f".
    assert formula.value == FORMULA and formula.data_type == "s"
    assert answers.column_dimensions["A"].width > 5
    policymaker = book["Cities as policymakers"]
    assert [c.value for c in policymaker[2]][:4] == [world.published.pk, "ghent", "Ghent", "BE"]
    described = {(row[0], row[1]) for row in book["Columns"].iter_rows(min_row=2, values_only=True)}
    assert ("Answers", "evidence") in described and ("Overall", "coverage") in described
    about = dict(book["About"].iter_rows(values_only=True))
    assert "creativecommons.org/licenses/by/4.0" in str(about["Licence"])


def test_the_json_holds_the_same_records_as_the_csv(world: World) -> None:
    url = reverse("opendata:round_json", kwargs={"pk": world.published.pk})
    body = json.loads(_body(Client().get(url)))
    assert body["licence"]["name"] == "CC-BY-4.0"
    assert len(body["summary"]) == 5
    first = body["answers"][0]
    assert first["score"] == 100 and first["city"] == "ghent"
    assert body["summary"][0]["illustrative"] is False


def test_benchmark_exports_hold_shared_validated_selftests_only(world: World) -> None:
    url = reverse("opendata:benchmark_answers", kwargs={"lineage": BENCHMARK})
    rows = _csv(Client().get(url))
    assert {row["self_test"] for row in rows} == {str(world.shared.pk)}
    assert {row["benchmark"] for row in rows} == {BENCHMARK}
    summary = _csv(
        Client().get(reverse("opendata:benchmark_summary", kwargs={"lineage": BENCHMARK}))
    )
    assert summary[-1]["key_factor"] == "overall" and summary[-1]["score"] == "100"


def test_the_api_pages_the_answers(world: World) -> None:
    first = Client().get(f"/api/v1/rounds/{world.published.pk}/answers?page_size=5").json()
    assert first["count"] > 5 and len(first["items"]) == 5
    assert first["items"][0]["city"] == "ghent" and first["items"][0]["score"] == 100


def test_the_round_results_page_links_the_data(world: World) -> None:
    page = Client().get(reverse("rounds:results", kwargs={"pk": world.published.pk}))
    text = page.content.decode()
    assert f"/downloads/opendata.round_xlsx/?round={world.published.pk}" in text
    assert reverse("opendata:round_answers", kwargs={"pk": world.published.pk}) in text
