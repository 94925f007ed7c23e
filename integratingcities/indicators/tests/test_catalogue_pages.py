"""The secretariat defines and changes indicators; every value is open data as one CSV file."""

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from integratingcities.indicators.models import Indicator, IndicatorValue
from integratingcities.indicators.services import (
    CatalogueRefused,
    indicator_create,
    indicator_update,
    indicators_load,
)
from integratingcities.lib.errors import DomainError
from integratingcities.lib.testing import People, client_for

CATALOGUE = Path(settings.BASE_DIR) / "content/indicators.yaml"
NEW = {
    "key": "council-turnout",
    "name": "Turnout of foreign residents in council elections",
    "unit": "percent",
    "basis": "foreign_nationals",
    "better": "higher",
    "definition": "Foreign residents who voted, per cent of those registered.",
    "source_guidance": "The city's electoral office.",
    "reference": "",
}


@pytest.fixture
def catalogue(people: People) -> People:
    indicators_load(CATALOGUE)
    return people


def text(response: Any) -> str:
    return str(response.content.decode())


def edit_data(indicator: Indicator, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": indicator.name,
        "unit": indicator.unit,
        "basis": indicator.basis,
        "better": indicator.better,
        "definition": indicator.definition,
        "source_guidance": indicator.source_guidance,
        "reference": indicator.reference_id or "",
    }
    if indicator.cities_may_enter:
        data["cities_may_enter"] = "on"
    data.update(changes)
    return data


def add_value(people: People, indicator: Indicator, year: int, value: str, **fields: Any) -> None:
    IndicatorValue.objects.create(
        indicator=indicator,
        city=fields.pop("city", people.ghent),
        year=year,
        value=Decimal(value),
        basis=indicator.basis,
        source=fields.pop("source", f"Statbel {year}"),
        **fields,
    )


def test_the_addresses() -> None:
    assert resolve("/indicators/manage/indicators/new/").view_name == "indicators:indicator_new"
    assert (
        resolve("/indicators/manage/indicators/population/edit/").view_name
        == "indicators:indicator_edit"
    )
    assert resolve("/indicators/values.csv").view_name == "indicators:export_csv"


# ---------------------------------------------------------------------------------------
# Defining an indicator


def test_the_secretariat_defines_an_indicator(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    page = text(client.get(reverse("indicators:indicator_new")))
    assert "New indicator" in page and 'name="key"' in page
    turnout = Indicator.objects.get(key="population")
    response = client.post(
        reverse("indicators:indicator_new"),
        {**NEW, "reference": turnout.pk, "cities_may_enter": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("indicators:manage")
    made = Indicator.objects.get(key="council-turnout")
    assert made.reference == turnout and made.cities_may_enter and not made.is_builtin
    assert made.basis == "foreign_nationals" and made.unit == "percent"
    assert made.position > Indicator.objects.exclude(pk=made.pk).order_by("-position")[0].position
    assert "Indicator “Turnout of foreign residents in council elections” defined." in text(
        response
    )
    # The catalogue page links the new indicator's form and each indicator's.
    page = text(client.get(reverse("indicators:manage")))
    assert reverse("indicators:indicator_new") in page
    assert reverse("indicators:indicator_edit", args=["council-turnout"]) in page


def test_every_error_names_its_field(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    response = client.post(
        reverse("indicators:indicator_new"), {**NEW, "key": "Not a slug!", "name": ""}
    )
    assert response.status_code == 200
    page = text(response)
    assert "<title>Error: New indicator" in page
    assert "Short name: only lower-case letters, digits and hyphens" in page
    assert "Name: give the name." in page
    assert not Indicator.objects.filter(name="").exists()


def test_a_key_taken_is_refused_with_a_clear_message(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    response = client.post(reverse("indicators:indicator_new"), {**NEW, "key": "population"})
    assert response.status_code == 200
    assert "Short name: “population” is the short name of another indicator" in text(response)
    with pytest.raises(CatalogueRefused) as refused:
        indicator_create(user=catalogue.secretariat, data={**NEW, "key": "population"})
    assert set(refused.value.problems) == {"key"}
    # A word the pages' addresses start with would leave the indicator without a page.
    response = client.post(reverse("indicators:indicator_new"), {**NEW, "key": "manage"})
    assert "Short name: “manage” is a word of the pages&#x27; addresses" in text(response)


def test_the_secretariat_edits_a_built_in_indicator_but_not_its_key(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    share = Indicator.objects.get(key="foreign-born-share")
    assert share.is_builtin
    url = reverse("indicators:indicator_edit", args=[share.key])
    page = text(client.get(url))
    assert 'name="key"' not in page and "<code>foreign-born-share</code>" in page
    assert f'value="{share.name}"' in page
    response = client.post(
        url,
        edit_data(share, name="Born abroad", key="renamed", cities_may_enter="on"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("indicators:manage")
    share.refresh_from_db()
    assert share.name == "Born abroad" and share.key == "foreign-born-share"
    assert share.cities_may_enter and share.is_builtin


def test_an_indicator_is_not_read_against_itself(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    share = Indicator.objects.get(key="foreign-born-share")
    url = reverse("indicators:indicator_edit", args=[share.key])
    # Not even offered; posted anyway, refused.
    assert f'<option value="{share.pk}"' not in text(client.get(url))
    response = client.post(url, edit_data(share, reference=share.pk))
    assert response.status_code == 200 and "Read against: " in text(response)
    with pytest.raises(CatalogueRefused) as refused:
        indicator_update(indicator=share, user=catalogue.secretariat, data={"reference": share})
    assert refused.value.problems == {"reference": "an indicator cannot be read against itself."}
    share.refresh_from_db()
    assert share.reference is None


def test_references_do_not_go_round_in_a_circle(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    staff = Indicator.objects.get(key="staff-migrant-background-share")
    background = staff.reference
    assert background is not None
    # Directly: background would be read against staff, which is read against background.
    response = client.post(
        reverse("indicators:indicator_edit", args=[background.key]),
        edit_data(background, reference=staff.pk),
    )
    assert response.status_code == 200
    assert (
        f"Read against: “{staff.name}” is read against this indicator, directly or through"
        in text(response)
    )
    # Through another: population → background → staff → population.
    population = Indicator.objects.get(key="population")
    indicator_update(
        indicator=background, user=catalogue.secretariat, data={"reference": population}
    )
    with pytest.raises(CatalogueRefused):
        indicator_update(
            indicator=population, user=catalogue.secretariat, data={"reference": staff}
        )
    population.refresh_from_db()
    assert population.reference is None


def test_the_unit_of_an_indicator_with_values_does_not_change(catalogue: People) -> None:
    client = client_for(catalogue.secretariat)
    share = Indicator.objects.get(key="foreign-born-share")
    add_value(catalogue, share, 2015, "22.2")
    url = reverse("indicators:indicator_edit", args=[share.key])
    assert "It has 1 value: its unit cannot change." in text(client.get(url))
    response = client.post(url, edit_data(share, unit="ratio"))
    assert response.status_code == 200
    assert "Unit: the indicator has 1 value: a new unit would change what it means." in text(
        response
    )
    with pytest.raises(CatalogueRefused):
        indicator_update(indicator=share, user=catalogue.secretariat, data={"unit": "ratio"})
    share.refresh_from_db()
    assert share.unit == "percent"
    # Without values it may.
    empty = Indicator.objects.get(key="population")
    assert not empty.values.exists()
    indicator_update(indicator=empty, user=catalogue.secretariat, data={"unit": "ratio"})
    empty.refresh_from_db()
    assert empty.unit == "ratio"


@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_only_the_secretariat_defines_indicators(catalogue: People, role: str) -> None:
    user = getattr(catalogue, role)
    client = client_for(user)
    share = Indicator.objects.get(key="foreign-born-share")
    assert client.post(reverse("indicators:indicator_new"), NEW).status_code == 403
    edit = reverse("indicators:indicator_edit", args=[share.key])
    assert client.post(edit, edit_data(share, name="Changed")).status_code == 403
    with pytest.raises(DomainError):
        indicator_create(user=user, data=NEW)
    with pytest.raises(DomainError):
        indicator_update(indicator=share, user=user, data={"name": "Changed"})
    share.refresh_from_db()
    assert share.name != "Changed" and not Indicator.objects.filter(key=NEW["key"]).exists()


def test_anonymous_visitors_are_sent_to_log_in(catalogue: People) -> None:
    client = client_for(None)
    response = client.post(reverse("indicators:indicator_new"), NEW)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Indicator.objects.filter(key=NEW["key"]).exists()


def test_the_account_page_links_the_catalogue_for_the_secretariat(catalogue: People) -> None:
    link = f'href="{reverse("indicators:manage")}"'
    assert link in text(client_for(catalogue.secretariat).get(reverse("accounts:home")))
    assert link not in text(client_for(catalogue.editor).get(reverse("accounts:home")))


# ---------------------------------------------------------------------------------------
# Every value as open data


def rows_of(response: Any) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_every_value_is_open_data_in_a_csv_file(catalogue: People) -> None:
    population = Indicator.objects.get(key="population")
    share = Indicator.objects.get(key="foreign-born-share")
    add_value(catalogue, population, 2015, "259000")
    add_value(catalogue, population, 2011, "248000")
    add_value(catalogue, share, 2014, "22.2", note="From the register", is_illustrative=True)
    add_value(catalogue, population, 2015, "614618", city=catalogue.riga, source="=HYPERLINK(1)")
    page = text(client_for(None).get(reverse("indicators:list")))
    assert f'href="{reverse("indicators:export_csv")}"' in page
    assert "Download every value (CSV)" in page

    response = client_for(None).get(reverse("indicators:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="indicator-values.csv"' in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header == [
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
    assert [(row[0], row[3], row[7]) for row in rows] == [
        ("ghent", "population", "2011"),
        ("ghent", "population", "2015"),
        ("ghent", "foreign-born-share", "2014"),
        ("riga", "population", "2015"),
    ]
    assert rows[1][:11] == [
        "ghent",
        "Ghent",
        "BE",
        "population",
        population.name,
        "count",
        population.basis,
        "2015",
        "",
        "259000",
        "Statbel 2015",
    ]
    assert rows[2][9:] == ["22.2", "Statbel 2014", "From the register", "yes"]
    # A spreadsheet would run the source as a formula: it is quoted.
    assert rows[3][10] == "'=HYPERLINK(1)"


def test_the_csv_file_takes_as_many_queries_for_many_values(catalogue: People) -> None:
    population = Indicator.objects.get(key="population")
    add_value(catalogue, population, 2015, "259000")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of(client_for(None).get(reverse("indicators:export_csv")))
        return len(captured)

    few = queries()
    for year in range(1990, 2015):
        add_value(catalogue, population, year, "250000")
        add_value(catalogue, population, year, "600000", city=catalogue.riga)
    assert queries() == few
