"""Signatories and the cities list a page at a time: sort and filter kept, counts over all."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integratingcities.cities.models import City

SIGNED = {"signed_earliest": date(2010, 1, 1), "signed_latest": date(2012, 1, 1)}


def _cities(count: int, *, start: int = 0, country: str = "DE", signed: bool = True) -> None:
    City.objects.bulk_create(
        City(
            name=f"Town {n:04}",
            slug=f"town-{n:04}",
            country=country,
            **(
                {
                    "signed_earliest": date(2000 + n % 20, 1, 1),
                    "signed_latest": date(2000 + n % 20, 6, 1),
                }
                if signed
                else {}
            ),
        )
        for n in range(start, start + count)
    )


def _rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', html)


def _get(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


URLS = [
    "/signatories/",
    "/signatories/?sort=-signed&country=DE",
    "/signatories/?sort=country&page=2",
    "/cities/",
    "/cities/?country=FR",
]


@pytest.mark.django_db
def test_the_query_counts_are_the_same_at_5_and_50_cities() -> None:
    client = Client()

    def counts() -> list[int]:
        found = []
        for url in URLS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    _cities(3)
    _cities(2, start=3, country="FR", signed=False)
    few = counts()
    _cities(30, start=5)
    _cities(15, start=35, country="FR", signed=False)
    assert counts() == few


@pytest.mark.django_db
def test_signatories_come_100_a_page_counted_over_all() -> None:
    _cities(150)
    _cities(20, start=500, country="FR", signed=False)  # not signatories: not counted
    first = _get("/signatories/")
    assert len(_rows(first)) == 100
    assert "150 signatory cities" in first
    assert "Page 1 of 2 · 150 signatory cities" in first
    second = _get("/signatories/?page=2")
    assert _rows(second) == [f"Town {n:04}" for n in range(100, 150)]


@pytest.mark.django_db
def test_sort_and_country_survive_the_page_links() -> None:
    _cities(120)
    _cities(110, start=200, country="FR")
    html = _get("/signatories/?country=FR&sort=-name")
    assert _rows(html)[0] == "Town 0309"
    assert "110 signatory cities" in html
    assert 'href="?country=FR&amp;sort=-name&amp;page=2"' in html
    # A heading sorts again, keeping the country and leaving the page out.
    assert 'href="?country=FR&amp;sort=signed"' in html
    assert 'href="?country=FR&amp;sort=name"' in html
    last = _get("/signatories/?country=FR&sort=-name&page=2")
    assert _rows(last) == [f"Town {n:04}" for n in range(209, 199, -1)]
    # A page beyond the last shows the last.
    assert _rows(_get("/signatories/?country=FR&sort=-name&page=99")) == _rows(last)


@pytest.mark.django_db
def test_the_cities_list_is_paged_with_its_country_kept() -> None:
    _cities(50)
    _cities(130, start=100, country="FR", signed=False)
    html = _get("/cities/?country=FR")
    assert len(_rows(html)) == 100
    assert "130 cities" in html
    assert 'href="?country=FR&amp;page=2"' in html
    assert len(_rows(_get("/cities/?country=FR&page=2"))) == 30
    assert "180 cities" in _get("/cities/")
