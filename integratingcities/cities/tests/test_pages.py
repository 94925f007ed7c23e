from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.cities.models import City
from integratingcities.lib.testing import CityFactory, People, SignatoryFactory, client_for
from integratingcities.network.models import Project, ProjectPartner

SIGNATORIES = reverse("cities:signatories")


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [city.name for city in response.context["cities"]]


@pytest.fixture
def signatories(db: None) -> None:
    SignatoryFactory(
        name="Nuremberg",
        country="DE",
        signed_earliest=date(2015, 10, 1),
        signed_latest=date(2015, 10, 31),
    )
    SignatoryFactory(name="Amsterdam", country="NL")
    SignatoryFactory(
        name="Toulouse",
        country="FR",
        signed_earliest=date(2013, 3, 1),
        signed_latest=date(2015, 10, 31),
    )
    CityFactory(name="Brno", country="CZ")  # took part in the survey, never signed


def test_it_lists_signatories_only_by_name(signatories: None) -> None:
    response = client_for(None).get(SIGNATORIES)
    assert _names(response) == ["Amsterdam", "Nuremberg", "Toulouse"]
    html = response.content.decode()
    assert "October 2015" in html
    assert "between March 2013 and October 2015" in html
    assert "Brno" not in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("signed", ["Amsterdam", "Toulouse", "Nuremberg"]),
        ("-signed", ["Nuremberg", "Toulouse", "Amsterdam"]),
        ("-name", ["Toulouse", "Nuremberg", "Amsterdam"]),
        ("country", ["Nuremberg", "Toulouse", "Amsterdam"]),
        ("nonsense", ["Amsterdam", "Nuremberg", "Toulouse"]),
    ],
)
def test_it_sorts(signatories: None, sort: str, expected: list[str]) -> None:
    assert _names(client_for(None).get(SIGNATORIES, {"sort": sort})) == expected


def test_it_filters_by_country_and_offers_only_countries_present(signatories: None) -> None:
    response = client_for(None).get(SIGNATORIES, {"country": "fr"})
    assert _names(response) == ["Toulouse"]
    assert [c.code for c in response.context["countries"]] == ["FR", "DE", "NL"]


def test_an_unknown_country_shows_an_empty_list_not_an_error(signatories: None) -> None:
    response = client_for(None).get(SIGNATORIES, {"country": "<script>"})
    assert response.status_code == 200
    assert "No signatory city matches" in response.content.decode()


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client_for(None).get(url).status_code == 200
    return len(captured)


def test_the_list_pages_query_count_does_not_grow_with_cities(db: None) -> None:
    SignatoryFactory.create_batch(3)
    few = (_queries(SIGNATORIES), _queries(reverse("cities:list")))
    SignatoryFactory.create_batch(40)
    assert (_queries(SIGNATORIES), _queries(reverse("cities:list"))) == few


def test_the_city_page_query_count_does_not_grow_with_projects(db: None) -> None:
    city = SignatoryFactory.create(name="Ghent")
    url = reverse("cities:detail", kwargs={"slug": city.slug})
    before = _queries(url)
    for n in range(5):
        project = Project.objects.create(slug=f"p{n}", name=f"P{n}")
        ProjectPartner.objects.create(project=project, city=city, role="partner")
    assert _queries(url) == before


def test_the_city_page_shows_unknown_figures_as_unknown(db: None) -> None:
    city = SignatoryFactory.create(name="Riga", country="LV")
    html = client_for(None).get(city.get_absolute_url()).content.decode()
    assert html.count("Not known") == 2
    assert ">0<" not in html


def test_the_city_page_shows_a_figure_with_year_and_source(db: None) -> None:
    city = SignatoryFactory.create(
        name="Barcelona",
        country="ES",
        foreign_born_share="22.2",
        foreign_born_year=2014,
        foreign_born_source="Cities and Migrants 2015",
    )
    html = client_for(None).get(city.get_absolute_url()).content.decode()
    assert "22.2% (2014)" in html
    assert "Cities and Migrants 2015" in html


def test_the_team_link_shows_only_to_members_and_secretariat(people: People) -> None:
    url = people.ghent.get_absolute_url()
    team = reverse("cities:team", kwargs={"slug": "ghent"})
    assert team in client_for(people.viewer).get(url).content.decode()
    assert team not in client_for(people.outsider).get(url).content.decode()
    assert team not in client_for(None).get(url).content.decode()


def test_the_team_page_lists_the_city_members(people: People) -> None:
    html = client_for(people.editor).get(reverse("cities:team", kwargs={"slug": "ghent"}))
    text = html.content.decode()
    assert people.viewer.email in text
    assert people.outsider.email not in text


class TestCityForm:
    def test_the_secretariat_edits_a_city(self, people: People) -> None:
        response = client_for(people.secretariat).post(
            reverse("cities:edit", kwargs={"slug": "ghent"}),
            {
                "name": "Gent",
                "slug": "ghent",
                "country": "BE",
                "signed_earliest": "2010-02-01",
                "signed_latest": "2013-03-31",
                "population": "263000",
                "population_year": "2020",
                "population_source": "Illustrative",
            },
        )
        assert response.status_code == 302
        people.ghent.refresh_from_db()
        assert people.ghent.name == "Gent"
        assert people.ghent.population == 263000

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (
                {"signed_earliest": "2015-10-31", "signed_latest": "2015-10-01"},
                "signed_latest",
                "before the earliest",
            ),
            ({"signed_earliest": "2015-10-01"}, "signed_latest", "latest date too"),
            ({"population": "1000"}, "population_year", "year"),
            ({"population": "1000", "population_year": "2020"}, "population_source", "source"),
            (
                {
                    "foreign_born_share": "120",
                    "foreign_born_year": "2014",
                    "foreign_born_source": "x",
                },
                "foreign_born_share",
                "",
            ),
            (
                {"population_year": "1066", "population": "5", "population_source": "x"},
                "population_year",
                "between 1800 and 2100",
            ),
            ({"country": "XX"}, "country", "valid choice"),
            ({"slug": "riga"}, "slug", "already exists"),
        ],
    )
    def test_it_refuses_bad_values_naming_the_field(
        self, people: People, data: dict[str, str], field: str, message: str
    ) -> None:
        form = {"name": "Ghent", "slug": "ghent", "country": "BE", **data}
        response = client_for(people.secretariat).post(
            reverse("cities:edit", kwargs={"slug": "ghent"}), form
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors
        assert message in " ".join(errors[field])
        assert City.objects.get(pk=people.ghent.pk).name == "Ghent"

    def test_the_secretariat_adds_a_city(self, people: People) -> None:
        response = client_for(people.secretariat).post(
            reverse("cities:create"), {"name": "Gdansk", "slug": "gdansk", "country": "PL"}
        )
        assert response["Location"] == "/cities/gdansk/"
        assert City.objects.filter(slug="gdansk", country="PL").exists()
