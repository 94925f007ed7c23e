"""List pages and the dashboard ask the database a fixed number of times, however many
schemes, cities and roadmaps there are."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.mentoring.services import scheme_create

from . import factories


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _more(people: People, count: int, *, implementing: int = 3) -> int:
    """``count`` more schemes, each with a mentor and several implementing cities with a
    validated self-test each; returns the last scheme's id."""
    framework = factories.benchmark()
    last = 0
    for n in range(count):
        cities = [
            SignatoryFactory.create(name=f"City {n} {i}", slug=f"city-{n}-{i}")
            for i in range(implementing + 1)
        ]
        for city in cities[1:]:
            factories.selftest(framework, city, "partly")
        last = scheme_create(
            actor=people.secretariat,
            benchmark=framework,
            name=f"Scheme {n}",
            project="",
            starts_on=date(2025, 1, 1),
            ends_on=None,
            facilitator="",
            mentors=cities[:1],
            implementing=cities[1:],
        ).pk
    return last


def test_the_list_and_the_api_do_not_grow_with_the_schemes(people: People) -> None:
    factories.scheme(people)
    client = client_for(None)
    pages = [
        reverse("mentoring:list"),
        "/api/v1/schemes/",
        reverse("cities:detail", args=["ghent"]),
    ]
    few = [_queries(client, url) for url in pages]
    _more(people, 3)
    assert [_queries(client, url) for url in pages] == few


def test_the_dashboard_does_not_grow_with_the_roadmaps(people: People) -> None:
    small = _more(people, 1, implementing=1)
    large = _more(people, 1, implementing=4)
    client = client_for(people.secretariat)
    one = _queries(client, reverse("mentoring:dashboard", kwargs={"pk": small}))
    four = _queries(client, reverse("mentoring:dashboard", kwargs={"pk": large}))
    assert four == one
