"""The library's page of results is kept per filters, page and language, and never stale: a
practice, a city or a theme's label that changes shows on the next visit."""

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.cities.services import cities_load, city_save
from integratingcities.frameworks.models import Framework, Item
from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.practices.tasks import count_library

from .factories import PracticeFactory

LIBRARY = reverse("practices:library")
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _visit(client: Any, params: dict[str, str] | None = None, **headers: str) -> tuple[str, int]:
    """The page's HTML, and how many of its queries read the practices or their themes (the
    signed-in person's practices on their way, counted on every visit, are not these)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIBRARY, params or {}, **headers)
    assert response.status_code == 200
    reads = sum(
        1
        for q in captured.captured_queries
        if '"practices_practice"."title"' in q["sql"] or '"practices_practicetheme"' in q["sql"]
    )
    # The logout form's CSRF token is the only part that differs between two visits.
    return _TOKEN.sub("", response.content.decode()), reads


@pytest.mark.django_db
def test_a_page_of_results_is_read_once_then_kept(people: People) -> None:
    PracticeFactory.create_batch(3, commitments=["workforce-diversity"])
    client = client_for(people.viewer)  # signed in: past the cache of whole public pages
    first, reads = _visit(client)
    assert reads >= 1
    again, reads = _visit(client)
    assert reads == 0 and again == first
    # Other filters, another page: each read once.
    assert _visit(client, {"role": "employer"})[1] >= 1
    assert _visit(client, {"role": "employer"})[1] == 0


@pytest.mark.django_db
def test_a_change_shows_on_the_next_visit(people: People, charter: Framework) -> None:
    city = CityFactory.create(name="Lyon", slug="lyon", country="FR")
    practice = PracticeFactory.create(
        city=city, title="Mentors at the town hall", commitments=["workforce-diversity"]
    )
    client = client_for(people.viewer)
    page, _reads = _visit(client)
    assert "Mentors at the town hall" in page and "Lyon" in page

    practice.title = "Mentors in every district"
    practice.save()
    page, _reads = _visit(client)
    assert "Mentors in every district" in page and "Mentors at the town hall" not in page

    city.name = "Lyon Métropole"
    city.save()
    assert "Lyon Métropole" in _visit(client)[0]

    commitment = Item.objects.get(key="workforce-diversity", section__framework__lineage="charter")
    commitment.text = {"en": "A workforce like the city it serves", "fr": "Un personnel divers"}
    commitment.save()
    assert "A workforce like the city it serves" in _visit(client)[0]

    PracticeFactory.create(city=city, title="Language cafés", commitments=["workforce-diversity"])
    assert "Language cafés" in _visit(client)[0]


@pytest.mark.django_db
def test_each_language_keeps_its_own_copy(people: People, charter: Framework) -> None:
    PracticeFactory.create(commitments=["workforce-diversity"])
    commitment = Item.objects.get(key="workforce-diversity", section__framework__lineage="charter")
    commitment.text = {"en": "A workforce like the city", "fr": "Un personnel comme la ville"}
    commitment.save()
    client = client_for(people.viewer)
    assert "A workforce like the city" in _visit(client)[0]
    french, _reads = _visit(client, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Un personnel comme la ville" in french and "A workforce like the city" not in french
    assert "A workforce like the city" in _visit(client)[0]


@pytest.mark.django_db
def test_a_text_search_and_a_page_out_of_range_are_not_kept(people: People) -> None:
    PracticeFactory.create_batch(2, title="Mediators in schools")
    client = client_for(people.viewer)
    for params in ({"q": "mediators"}, {"page": "99"}, {"page": "two"}):
        assert _visit(client, params)[1] >= 1
        assert _visit(client, params)[1] >= 1, params
    # The page they answered with (the last, the first) is kept under its own number.
    _visit(client, {"page": "1"})
    assert _visit(client, {"page": "1"})[1] == 0


@pytest.mark.django_db
def test_the_worker_makes_the_first_page_in_every_language(people: People) -> None:
    PracticeFactory.create_batch(3, commitments=["workforce-diversity"])
    count_library.call()
    client = client_for(people.viewer)
    for language, _name in settings.LANGUAGES:
        assert _visit(client, HTTP_ACCEPT_LANGUAGE=language)[1] == 0, language
    assert _visit(client, {"role": "employer"})[1] >= 1  # what it was not asked to make


def _city_menu(client: Any) -> str:
    page = _visit(client)[0]
    return page[page.index('<select name="city"') :].split("</select>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("renamed_by", ["the site", "the content file"])
def test_a_renamed_city_is_renamed_in_the_city_menu(people: People, renamed_by: str) -> None:
    """The site's form (``city_save``) and the versioned cities file (``cities_load``, loaded
    at each deployment) both count the library again: a renamed city kept its old name in the
    menu for up to an hour."""
    city = CityFactory.create(name="Lyon", slug="lyon", country="FR")
    PracticeFactory.create(city=city, commitments=["workforce-diversity"])
    client = client_for(people.viewer)
    assert "Lyon (1)" in _city_menu(client)
    if renamed_by == "the site":
        city.name = "Lyon Métropole"
        city_save(city=city, user=people.secretariat)
    else:
        cities_load({"cities": [{"slug": "lyon", "name": "Lyon Métropole", "country": "FR"}]})
    assert "Lyon Métropole (1)" in _city_menu(client) and "Lyon (1)" not in _city_menu(client)
