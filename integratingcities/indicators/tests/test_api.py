"""City indicators in the API: the catalogue, an indicator's values, a city's values."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integratingcities.api.api import api
from integratingcities.cities.models import City
from integratingcities.indicators.models import Indicator, IndicatorValue
from integratingcities.indicators.services import city_figures_sync, indicators_load
from integratingcities.lib.testing import CityFactory, People, client_for

CATALOGUE = Path(settings.BASE_DIR) / "content/indicators.yaml"
STAFF = "staff-migrant-background-share"
VALUE_FIELDS = {
    "indicator",
    "city",
    "city_name",
    "country",
    "year",
    "date",
    "value",
    "basis",
    "comparable",
    "source",
    "note",
    "illustrative",
}


@pytest.fixture
def catalogue(db: None) -> dict[str, Indicator]:
    indicators_load(CATALOGUE)
    return {indicator.key: indicator for indicator in Indicator.objects.all()}


def put(
    indicator: Indicator, city: City, year: int, value: float | int, basis: str = "", **kw: object
) -> None:
    IndicatorValue.objects.create(
        indicator=indicator,
        city=city,
        year=year,
        value=Decimal(str(value)),
        basis=basis or indicator.basis,
        source=f"Source {year}",
        **kw,
    )


@pytest.fixture
def values(people: People, catalogue: dict[str, Indicator]) -> None:
    staff = catalogue[STAFF]
    put(staff, people.ghent, 2014, 10)
    put(staff, people.ghent, 2016, 12.5, note="HR survey")
    put(staff, people.riga, 2014, 4, basis="foreign_nationals", is_illustrative=True)
    for city, population, share in ((people.ghent, 260_000, 22.2), (people.riga, 610_000, 5)):
        put(catalogue["population"], city, 2020, population)
        put(catalogue["foreign-born-share"], city, 2019, share)
    city_figures_sync()


def test_the_catalogue_says_what_each_indicator_is(values: None) -> None:
    body = client_for(None).get("/api/v1/indicators/").json()
    assert body["count"] == Indicator.objects.count()
    staff = next(row for row in body["items"] if row["key"] == STAFF)
    assert staff == {
        "key": STAFF,
        "name": "City staff with a migrant background",
        "unit": "percent",
        "basis": "migrant_background",
        "better": "higher",
        "definition": staff["definition"],
        "source_guidance": staff["source_guidance"],
        "reference": "migrant-background-share",
        "cities": 2,
        "url": f"{settings.SITE_URL}/indicators/{STAFF}/",
    }


def test_an_indicators_values_are_each_citys_latest_or_all_or_of_a_year(values: None) -> None:
    client = client_for(None)
    latest = client.get(f"/api/v1/indicators/{STAFF}/values").json()
    assert [(r["city"], r["year"], r["value"]) for r in latest["items"]] == [
        ("ghent", 2016, "12.5000"),
        ("riga", 2014, "4.0000"),
    ]
    first = latest["items"][0]
    assert set(first) == VALUE_FIELDS
    assert first["note"] == "HR survey" and first["comparable"] and not first["illustrative"]
    riga = latest["items"][1]
    assert riga["illustrative"] and not riga["comparable"] and riga["country"] == "LV"
    every = client.get(f"/api/v1/indicators/{STAFF}/values", {"all": "true"}).json()
    assert [(r["city"], r["year"]) for r in every["items"]] == [
        ("ghent", 2014),
        ("ghent", 2016),
        ("riga", 2014),
    ]
    of_2014 = client.get(f"/api/v1/indicators/{STAFF}/values", {"year": 2014}).json()
    assert {r["city"] for r in of_2014["items"]} == {"ghent", "riga"}
    missing = client.get("/api/v1/indicators/no-such/values")
    assert missing.status_code == 404 and "detail" in missing.json()
    assert client.get(f"/api/v1/indicators/{STAFF}/values", {"year": 1000}).status_code == 422


def test_a_citys_values_come_with_the_figures_its_peer_groups_rest_on(values: None) -> None:
    body = client_for(None).get("/api/v1/cities/ghent/indicators").json()
    assert body["city"] == "ghent" and body["url"].endswith("/indicators/cities/ghent/")
    assert body["peer_figures"] == {
        "country": "BE",
        "population": 260_000,
        "population_year": 2020,
        "population_source": "Source 2020",
        "size_band": "250,000 to 500,000",
        "foreign_born_share": "22.2",
        "foreign_born_year": 2019,
        "foreign_born_source": "Source 2019",
        "foreign_born_band": "20-30%",
    }
    assert [(r["indicator"], r["year"]) for r in body["values"]] == [
        ("population", 2020),
        ("foreign-born-share", 2019),
        (STAFF, 2014),
        (STAFF, 2016),
    ]
    missing = client_for(None).get("/api/v1/cities/nowhere/indicators")
    assert missing.status_code == 404 and missing.json() == {"detail": "No city with this slug."}


def test_the_schema_lists_the_indicator_operations_as_public_reads() -> None:
    schema = api.get_openapi_schema()
    for path in (
        "/api/v1/indicators/",
        "/api/v1/indicators/{key}/values",
        "/api/v1/cities/{slug}/indicators",
    ):
        operation = schema["paths"][path]["get"]
        assert operation["security"] == [{}, {"TokenAuth": []}], path
    components = schema["components"]["schemas"]
    assert {"IndicatorOut", "ValueOut", "CityIndicatorsOut"} <= set(components)


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators/", f"/api/v1/indicators/{STAFF}/values?all=true"]
)
def test_api_query_counts_are_flat_in_the_number_of_cities(
    values: None, catalogue: dict[str, Indicator], path: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client_for(None).get(path).status_code == 200
        return len(context.captured_queries)

    few = count()
    for _n in range(30):
        put(catalogue[STAFF], CityFactory.create(), 2015, 7)
    assert count() == few
