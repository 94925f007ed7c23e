"""The read-only JSON API at /api/v1/, through the Django test client."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integratingcities.cities.models import City, Network
from integratingcities.frameworks.models import Framework, FrameworkStatus
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import CityFactory, People, SignatoryFactory, client_for
from integratingcities.network.models import PartnerRole, Project, ProjectPartner

CHARTER = Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml"
CITY_FIELDS = {
    "slug",
    "name",
    "country",
    "signatory",
    "signed_earliest",
    "signed_latest",
    "population",
    "population_year",
    "population_source",
    "foreign_born_share",
    "foreign_born_year",
    "foreign_born_source",
    "illustrative",
    "url",
}
FRAMEWORK_FIELDS = {"lineage", "version", "kind", "title", "status", "url"}


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


@pytest.fixture
def api() -> Client:
    return Client()


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(path=CHARTER, publish=True).framework


@pytest.fixture
def draft_charter(charter: Framework) -> Framework:
    """A second version of the Charter that is still a draft."""
    draft = Framework.objects.get(pk=charter.pk)
    draft.pk, draft.version = None, 2
    draft.status, draft.published_at = FrameworkStatus.DRAFT, None
    draft.save()
    return draft


@pytest.fixture
def cities(db: None) -> dict[str, City]:
    return {
        "ghent": SignatoryFactory.create(name="Ghent", slug="ghent", country="BE"),
        "antwerp": CityFactory.create(name="Antwerp", slug="antwerp", country="BE"),
        "riga": SignatoryFactory.create(name="Riga", slug="riga", country="LV"),
        "zagreb": CityFactory.create(name="Zagreb", slug="zagreb", country="HR"),
    }


# Cities: list, filters, pagination.


def test_cities_are_listed_by_name_with_a_count(api: Client, cities: dict[str, City]) -> None:
    body = _json(api.get("/api/v1/cities/"))
    assert body["count"] == 4
    assert [city["slug"] for city in body["items"]] == ["antwerp", "ghent", "riga", "zagreb"]
    for city in body["items"]:
        assert set(city) == CITY_FIELDS


def test_a_listed_city_carries_its_facts(api: Client, cities: dict[str, City]) -> None:
    body = _json(api.get("/api/v1/cities/", {"country": "lv"}))
    (riga,) = body["items"]
    assert riga == {
        "slug": "riga",
        "name": "Riga",
        "country": "LV",
        "signatory": True,
        "signed_earliest": "2010-02-01",
        "signed_latest": "2013-03-31",
        "population": None,
        "population_year": None,
        "population_source": "",
        "foreign_born_share": None,
        "foreign_born_year": None,
        "foreign_born_source": "",
        "illustrative": False,
        "url": settings.SITE_URL + "/cities/riga/",
    }


@pytest.mark.parametrize("country", ["be", "BE", "Be", "bE"])
def test_the_country_filter_ignores_case(
    api: Client, cities: dict[str, City], country: str
) -> None:
    body = _json(api.get("/api/v1/cities/", {"country": country}))
    assert body["count"] == 2
    assert [city["slug"] for city in body["items"]] == ["antwerp", "ghent"]
    assert {city["country"] for city in body["items"]} == {"BE"}


@pytest.mark.parametrize("country", ["zz", "x", "", "  ", "'; DROP TABLE cities_city; --", "é"])
def test_an_unknown_country_gives_an_empty_list(
    api: Client, cities: dict[str, City], country: str
) -> None:
    body = _json(api.get("/api/v1/cities/", {"country": country}))
    if country:
        assert body == {"items": [], "count": 0}
    else:  # An empty filter is no filter.
        assert body["count"] == len(cities)
    assert City.objects.count() == len(cities)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", ["ghent", "riga"]),
        ("True", ["ghent", "riga"]),
        ("1", ["ghent", "riga"]),
        ("false", ["antwerp", "zagreb"]),
        ("0", ["antwerp", "zagreb"]),
    ],
)
def test_the_signatory_filter(
    api: Client, cities: dict[str, City], value: str, expected: list[str]
) -> None:
    body = _json(api.get("/api/v1/cities/", {"signatory": value}))
    assert [city["slug"] for city in body["items"]] == expected
    assert all(city["signatory"] is (value.lower() in {"true", "1"}) for city in body["items"])


def test_filters_combine(api: Client, cities: dict[str, City]) -> None:
    body = _json(api.get("/api/v1/cities/", {"country": "be", "signatory": "false"}))
    assert [city["slug"] for city in body["items"]] == ["antwerp"]


def test_pages_split_the_list(api: Client, db: None) -> None:
    for number in range(55):
        CityFactory(name=f"Town {number:02}", slug=f"town-{number:02}")
    first = _json(api.get("/api/v1/cities/"))
    second = _json(api.get("/api/v1/cities/", {"page": 2}))
    third = _json(api.get("/api/v1/cities/", {"page": 3}))
    assert first["count"] == second["count"] == third["count"] == 55
    assert len(first["items"]) == settings.NINJA_PAGINATION_PER_PAGE == 50
    assert len(second["items"]) == 5
    assert third["items"] == []
    slugs = [city["slug"] for city in first["items"] + second["items"]]
    assert slugs == [f"town-{number:02}" for number in range(55)]
    small = _json(api.get("/api/v1/cities/", {"page": 3, "page_size": 10}))
    assert [city["slug"] for city in small["items"]] == [f"town-{n}" for n in range(20, 30)]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "1.5"},
        {"page": ""},
        {"page": "\x00"},
        {"page_size": "0"},
        {"page_size": "-5"},
        {"page_size": "many"},
        {"signatory": "maybe"},
        {"signatory": "\x00"},
    ],
)
def test_bad_list_parameters_are_client_errors(
    api: Client, cities: dict[str, City], params: dict[str, str]
) -> None:
    response = api.get("/api/v1/cities/", params)
    body = _json(response, 422)
    assert body["detail"], body
    (name,) = params
    assert any(name in error["loc"] for error in body["detail"]), body


@pytest.mark.parametrize(
    "params",
    [
        {"page": str(10**12)},
        {"page": str(10**30)},
        {"page": "999999999999", "page_size": "100"},
        {"page_size": str(10**30)},
        {"page_size": "100000"},
        {"country": "x" * 10_000},
        {"country": "\x00"},
        {"country": "be\x00"},
        {"country": "\u202eeb"},
        {"country": "🇧🇪"},
        {"unknown": "parameter"},
    ],
)
def test_extreme_list_parameters_are_no_server_error(
    api: Client, cities: dict[str, City], params: dict[str, str]
) -> None:
    body = _json(api.get("/api/v1/cities/", params))
    assert body["count"] in {0, len(cities), 2}
    assert len(body["items"]) <= 100


def test_repeated_parameters_are_no_server_error(api: Client, cities: dict[str, City]) -> None:
    response = api.get("/api/v1/cities/?country=be&country=lv&page=1&page=2&signatory=true")
    assert response.status_code in {200, 422}


def test_the_city_list_query_count_does_not_grow_with_the_cities(api: Client, db: None) -> None:
    def queries_for(number: int) -> int:
        City.objects.all().delete()
        network = Network.objects.get_or_create(slug="wg", name="Working group")[0]
        for index in range(number):
            city = SignatoryFactory.create(name=f"Place {index:02}", slug=f"place-{index:02}")
            city.networks.add(network)
        with CaptureQueriesContext(connection) as context:
            body = _json(api.get("/api/v1/cities/", {"page_size": 100}))
        assert body["count"] == number
        assert len(body["items"]) == number
        return len(context.captured_queries)

    few, many = queries_for(5), queries_for(50)
    assert few == many
    assert many <= 4


# Cities: detail.


def test_a_city_in_detail(api: Client, cities: dict[str, City]) -> None:
    ghent = cities["ghent"]
    ghent.population, ghent.population_year, ghent.population_source = 265_086, 2023, "Statbel"
    ghent.foreign_born_share, ghent.foreign_born_year = Decimal("22.2"), 2022
    ghent.foreign_born_source, ghent.summary = "Statbel", "A city on the Scheldt."
    ghent.save()
    ghent.networks.add(Network.objects.create(slug="wg", name="Working group on migration"))
    project = Project.objects.create(slug="mixities", name="MIXITIES")
    ProjectPartner.objects.create(project=project, city=ghent, role=PartnerRole.PARTNER)

    body = _json(api.get("/api/v1/cities/ghent"))
    assert set(body) == CITY_FIELDS | {"summary", "networks", "projects"}
    assert body["slug"] == "ghent"
    assert body["name"] == "Ghent"
    assert body["country"] == "BE"
    assert body["signatory"] is True
    assert body["signed_earliest"] == date(2010, 2, 1).isoformat()
    assert body["signed_latest"] == date(2013, 3, 31).isoformat()
    assert body["population"] == 265_086
    assert body["population_year"] == 2023
    assert Decimal(str(body["foreign_born_share"])) == Decimal("22.2")
    assert body["summary"] == "A city on the Scheldt."
    assert body["networks"] == ["Working group on migration"]
    assert body["projects"] == [{"slug": "mixities", "name": "MIXITIES", "role": "partner"}]
    assert body["url"] == settings.SITE_URL + "/cities/ghent/"


def test_a_city_that_did_not_sign(api: Client, cities: dict[str, City]) -> None:
    body = _json(api.get("/api/v1/cities/zagreb"))
    assert body["signatory"] is False
    assert body["signed_earliest"] is None
    assert body["signed_latest"] is None
    assert body["networks"] == []
    assert body["projects"] == []


@pytest.mark.parametrize(
    "slug",
    [
        "atlantis",
        "GHENT",
        "ghent%20",
        "%00",
        "ghent%00",
        "x" * 5000,
        "%E2%80%AEtneg",
        "%F0%9F%8F%99",
        "'%20OR%201=1%20--",
        "%3Cscript%3Ealert(1)%3C",
    ],
)
def test_an_unknown_city_is_a_json_404(api: Client, cities: dict[str, City], slug: str) -> None:
    body = _json(api.get(f"/api/v1/cities/{slug}"), 404)
    assert body == {"detail": "No city with this slug."}


def test_the_city_detail_query_count_is_fixed(api: Client, cities: dict[str, City]) -> None:
    ghent = cities["ghent"]
    for index in range(5):
        ghent.networks.add(Network.objects.create(slug=f"n{index}", name=f"Network {index}"))
        project = Project.objects.create(slug=f"p{index}", name=f"Project {index}")
        ProjectPartner.objects.create(project=project, city=ghent, role=PartnerRole.PARTNER)
    with CaptureQueriesContext(connection) as context:
        body = _json(api.get("/api/v1/cities/ghent"))
    assert len(body["networks"]) == len(body["projects"]) == 5
    assert len(context.captured_queries) <= 5


# Frameworks.


def test_anonymous_users_see_published_frameworks_only(
    api: Client, draft_charter: Framework
) -> None:
    body = _json(api.get("/api/v1/frameworks/"))
    assert [(f["lineage"], f["version"], f["status"]) for f in body] == [
        ("charter", 1, "published")
    ]
    assert set(body[0]) == FRAMEWORK_FIELDS
    assert body[0]["kind"] == "charter"
    assert body[0]["title"]["en"] == "Integrating Cities Charter"
    assert body[0]["url"] == settings.SITE_URL + Framework.objects.get(version=1).get_absolute_url()


@pytest.mark.parametrize(
    ("role", "versions"),
    [
        ("anonymous", [1]),
        ("editor", [1]),
        ("viewer", [1]),
        ("reviewer", [1]),
        ("outsider", [1]),
        ("secretariat", [2, 1]),
    ],
)
def test_drafts_are_listed_for_the_secretariat_only(
    people: People, draft_charter: Framework, role: str, versions: list[int]
) -> None:
    client = client_for(people.all_roles()[role])
    body = _json(client.get("/api/v1/frameworks/"))
    assert [f["version"] for f in body] == versions
    draft = client.get("/api/v1/frameworks/charter/2")
    if 2 in versions:
        assert _json(draft)["status"] == "draft"
    else:
        assert _json(draft, 404) == {
            "detail": "No published framework with this lineage and version."
        }


def test_no_frameworks_is_an_empty_list(api: Client, db: None) -> None:
    assert _json(api.get("/api/v1/frameworks/")) == []


def test_a_framework_in_detail_matches_its_file(api: Client, charter: Framework) -> None:
    source = yaml.safe_load(CHARTER.read_text())
    body = _json(api.get("/api/v1/frameworks/charter/1"))
    assert set(body) == FRAMEWORK_FIELDS | {"summary", "standard", "source", "scales", "sections"}
    assert (body["lineage"], body["version"], body["kind"]) == ("charter", 1, "charter")
    assert body["status"] == "published"
    assert body["title"]["en"] == source["title"]
    assert body["summary"]["en"].startswith("The Integrating Cities Charter")

    assert [scale["key"] for scale in body["scales"]] == [s["key"] for s in source["scales"]]
    commitment = body["scales"][0]
    assert [level["key"] for level in commitment["levels"]] == [
        "fully",
        "partly",
        "not_at_all",
        "not_applicable",
    ]
    fully = commitment["levels"][0]
    assert fully["label"]["en"] == "Fully"
    assert Decimal(str(fully["score"])) == 100
    assert fully["requires_evidence"] is True
    assert commitment["levels"][-1]["score"] is None

    assert [section["key"] for section in body["sections"]] == [
        s["key"] for s in source["sections"]
    ]
    for section, source_section in zip(body["sections"], source["sections"], strict=True):
        assert set(section) == {"key", "title", "description", "weight", "items"}
        assert section["title"]["en"] == source_section["title"]
        assert [item["key"] for item in section["items"]] == [
            item["key"] for item in source_section["items"]
        ]
        for item, source_item in zip(section["items"], source_section["items"], strict=True):
            assert set(item) == {
                "key",
                "kind",
                "text",
                "guidance",
                "weight",
                "required",
                "scale",
                "options",
                "min",
                "max",
            }
            assert item["kind"] == source_item["kind"]
            assert item["scale"] == source_item.get("scale")
            if item["kind"] == "rating":
                assert item["scale"] == "commitment"
            assert " ".join(item["text"]["en"].split()) == " ".join(source_item["text"].split())
            assert Decimal(str(item["weight"])) == Decimal(str(source_item.get("weight", 1)))
    first = body["sections"][0]["items"][0]
    assert first["key"] == "communicate-commitment"
    assert first["text"]["en"].startswith("The city actively communicates its commitment")


def test_the_framework_detail_query_count_is_fixed(api: Client, charter: Framework) -> None:
    with CaptureQueriesContext(connection) as context:
        _json(api.get("/api/v1/frameworks/charter/1"))
    assert len(context.captured_queries) <= 8


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/frameworks/charter/2",
        "/api/v1/frameworks/charter/0",
        "/api/v1/frameworks/charter/-1",
        f"/api/v1/frameworks/charter/{10**30}",
        f"/api/v1/frameworks/charter/{2**63}",
        f"/api/v1/frameworks/charter/{2**31}",
        "/api/v1/frameworks/benchmark/1",
        "/api/v1/frameworks/CHARTER/1",
        "/api/v1/frameworks/%00/1",
        "/api/v1/frameworks/charter%00/1",
        "/api/v1/frameworks/%3Cscript%3E/1",
        "/api/v1/frameworks/'%20OR%201=1%20--/1",
        "/api/v1/frameworks/" + "x" * 5000 + "/1",
    ],
)
def test_an_unknown_framework_is_a_json_404(api: Client, charter: Framework, path: str) -> None:
    body = _json(api.get(path), 404)
    assert body == {"detail": "No published framework with this lineage and version."}


def test_a_slug_with_a_slash_matches_no_route(api: Client, cities: dict[str, City]) -> None:
    assert api.get("/api/v1/cities/ghent%2Fteam").status_code == 404


@pytest.mark.parametrize("version", ["one", "1.5", "1e3", "%00", "%20", "v1", "1;2"])
def test_a_version_that_is_not_a_whole_number_is_a_client_error(
    api: Client, charter: Framework, version: str
) -> None:
    response = api.get(f"/api/v1/frameworks/charter/{version}")
    assert 400 <= response.status_code < 500
    if response.status_code == 422:
        assert any("version" in error["loc"] for error in json.loads(response.content)["detail"])


# Everything else about the API.


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/cities/", "/api/v1/cities/ghent", "/api/v1/frameworks/charter/1"]
)
def test_the_api_is_read_only(people: People, charter: Framework, method: str, path: str) -> None:
    client = client_for(people.secretariat)
    before = (City.objects.count(), Framework.objects.count())
    response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert (City.objects.count(), Framework.objects.count()) == before


def test_an_unknown_api_path_is_a_404(api: Client, db: None) -> None:
    assert api.get("/api/v1/towns/").status_code == 404


def test_the_openapi_schema_describes_cities_and_frameworks(api: Client, db: None) -> None:
    schema = _json(api.get("/api/v1/openapi.json"))
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Integrating Cities API"
    assert {
        "/api/v1/cities/",
        "/api/v1/cities/{slug}",
        "/api/v1/frameworks/",
        "/api/v1/frameworks/{lineage}/{version}",
    } <= set(schema["paths"])
    for name in (
        "/api/v1/cities/",
        "/api/v1/cities/{slug}",
        "/api/v1/frameworks/",
        "/api/v1/frameworks/{lineage}/{version}",
    ):
        assert set(schema["paths"][name]) == {"get"}, name
        assert "200" in schema["paths"][name]["get"]["responses"]
    assert "404" in schema["paths"]["/api/v1/cities/{slug}"]["get"]["responses"]
    assert {"CityOut", "CityDetailOut", "FrameworkOut", "FrameworkDetailOut"} <= set(
        schema["components"]["schemas"]
    )
    assert set(schema["components"]["schemas"]["CityOut"]["properties"]) >= CITY_FIELDS


def test_the_api_writes_utf_8(api: Client, db: None) -> None:
    """Names beyond ASCII are written as themselves, and a city's summary with quotes, a
    backslash and a line separator reads back as it was saved."""
    summary = 'A "city" on the Vistula \\ with a line separator\u2028and a tab\t.'
    CityFactory.create(name="Kraków", slug="krakow", country="PL", summary=summary)
    response = api.get("/api/v1/cities/krakow")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Kraków".encode() in response.content
    body = _json(response)
    assert (body["name"], body["summary"]) == ("Kraków", summary)
