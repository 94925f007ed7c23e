"""A city's page: what it lists, and a fixed number of queries however much it lists."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Max
from django.urls import reverse

from integratingcities.cities.models import City, Network
from integratingcities.indicators.models import Indicator, IndicatorValue
from integratingcities.lib.testing import CityFactory, People, SignatoryFactory, client_for
from integratingcities.mentoring.models import Scheme, SchemeCity
from integratingcities.network.models import Conference, Project, ProjectPartner
from integratingcities.practices.models import Practice, PracticeStatus

# The city, its networks, projects, conferences, indicator values, practices and schemes.
QUERIES = 7


def _indicator(key: str, name: str, unit: str, position: int) -> Indicator:
    return Indicator.objects.create(
        key=key,
        name=name,
        unit=unit,
        definition=name,
        better="neither",
        basis="all_residents",
        position=position,
    )


def _value(indicator: Indicator, city: City, year: int, value: str, **extra: object) -> None:
    IndicatorValue.objects.create(
        indicator=indicator,
        city=city,
        year=year,
        value=Decimal(value),
        basis="all_residents",
        source="test",
        **extra,
    )


def _fill(city: City, n: int) -> None:
    """n of everything the page lists, for ``city``."""
    lead = CityFactory.create(name=f"Lead of {city.name}")
    for i in range(n):
        network = Network.objects.create(slug=f"{city.slug}-net-{i}", name=f"Network {i}")
        city.networks.add(network)
        project = Project.objects.create(
            slug=f"{city.slug}-p{i}", name=f"Project {i}", start_year=2010 + i, end_year=2012 + i
        )
        ProjectPartner.objects.create(
            project=project, city=city, role="partner", organisation=f"Office {i}"
        )
        # The next free number: a number made from the city's id overflows PostgreSQL's
        # smallint once the test database's ids run high.
        number = (Conference.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        Conference.objects.create(number=number, title=f"Conference {i}", year=2010 + i, host=city)
        indicator = _indicator(f"{city.slug}-ind-{i}", f"Indicator {i}", "percent", i)
        _value(indicator, city, 2014, "10")
        _value(indicator, city, 2016, "12.5", is_illustrative=i % 2 == 0)
        Practice.objects.create(
            key=f"{city.slug}-own-{i}",
            title=f"Own practice {i}",
            city=city,
            year=2015,
            summary="s",
            source="submitted",
            status=PracticeStatus.PUBLISHED,
        )
        shared = Practice.objects.create(
            key=f"{city.slug}-shared-{i}",
            title=f"Shared practice {i}",
            city=lead,
            summary="s",
            source="submitted",
            status=PracticeStatus.PUBLISHED,
        )
        shared.other_cities.add(city)
        scheme = Scheme.objects.create(
            name=f"Scheme {i}", theme="t", starts_on=date(2020 + i, 1, 1), is_illustrative=True
        )
        SchemeCity.objects.create(scheme=scheme, city=city, role="mentor" if i else "implementing")


@pytest.mark.parametrize("n", [1, 4])
def test_the_page_costs_the_same_queries_however_much_it_lists(
    db: None,
    django_assert_num_queries,
    n: int,  # type: ignore[no-untyped-def]
) -> None:
    city = SignatoryFactory.create(name="Gdansk", slug="gdansk")
    _fill(city, n)
    client = client_for(None)
    with django_assert_num_queries(QUERIES):
        html = client.get(reverse("cities:detail", args=["gdansk"])).content.decode()
    assert html.count("Own practice") == n and html.count("Scheme ") == n
    empty = SignatoryFactory.create(name="Empty", slug="empty")
    with django_assert_num_queries(QUERIES):
        assert client.get(empty.get_absolute_url()).status_code == 200


def test_it_lists_what_the_city_did_and_its_latest_figures(db: None) -> None:
    city = SignatoryFactory.create(name="Gdansk", slug="gdansk")
    _fill(city, 2)
    html = client_for(None).get(city.get_absolute_url()).content.decode()
    text = re.sub(r"\s+", " ", html)
    project = reverse("network:project", args=["gdansk-p1"])
    years = "2011\u20132013"  # an en dash
    assert f'<a href="{project}">Project 1</a> ({years}): partner city, through Office 1' in text
    assert "Network 0; Network 1" in text
    assert "<li>Conference 0 (2010)</li><li>Conference 1 (2011)</li>" in text
    # Only the latest year of each indicator, in the indicators' order.
    assert "Indicator 0:" in text and "(2014)" not in text
    assert text.index("Indicator 0:") < text.index("Indicator 1:")
    assert '12.5%</span> (2016) <span class="pill pill-warn">illustrative</span>' in text
    assert f'href="{reverse("practices:detail", args=["gdansk-own-0"])}">Own practice 0' in text
    assert 'Shared practice 1</a> <span class="muted small">with Lead of Gdansk</span>' in text
    scheme = Scheme.objects.get(name="Scheme 1")
    assert f'<a href="{scheme.get_absolute_url()}">Scheme 1</a> <span class="muted">(2021)' in text
    assert "mentor city" in text and "implementing city" in text


def test_a_member_sees_the_team_link_and_the_secretariat_the_edit_link(people: People) -> None:
    url = reverse("cities:detail", args=[people.ghent.slug])
    team = reverse("cities:team", args=[people.ghent.slug])
    edit = reverse("cities:edit", args=[people.ghent.slug])
    visitor = client_for(None).get(url).content.decode()
    assert team not in visitor and edit not in visitor
    viewer = client_for(people.viewer).get(url).content.decode()
    assert team in viewer and edit not in viewer
    secretariat = client_for(people.secretariat).get(url).content.decode()
    assert edit in secretariat


def test_an_unknown_city_is_404(db: None) -> None:
    assert client_for(None).get(reverse("cities:detail", args=["atlantis"])).status_code == 404
