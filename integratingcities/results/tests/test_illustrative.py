"""Illustrative levels are labelled wherever they are shown, and rank no real city in public."""

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.assessments.services import scores_record
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import CityFactory, People, client_for, main_content
from integratingcities.rounds.models import Round
from integratingcities.rounds.selectors import city_results_key

from .conftest import Make, rating_keys


def _two_cities(people: People, charter: Framework, round_: Round, make: Make) -> Assessment:
    keys = rating_keys(charter)
    ghent = make(charter, people.ghent, dict.fromkeys(keys, "partly"), round_=round_)
    riga = make(charter, people.riga, dict.fromkeys(keys, "fully"), round_=round_)
    scores_record(assessments=[ghent, riga])
    return ghent


def _city_page(round_: Round) -> str:
    url = reverse("rounds:city_results", args=[round_.pk, "ghent"])
    response = client_for(None).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_real_round_ranks_the_city_among_the_others(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    _two_cities(people, charter, published_round, make)
    page = _city_page(published_round)
    assert 'data-label="Rank">2/2</td>' in page
    assert "illustrative" not in page.lower()


def test_an_illustrative_round_ranks_no_city_and_shows_its_own_answers(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    Round.objects.filter(pk=published_round.pk).update(is_illustrative=True)
    ghent = _two_cities(people, charter, published_round, make)
    published_round.refresh_from_db()
    page = _city_page(published_round)
    assert "Rank" not in page
    assert "What Ghent answered" in page
    assert page.count("Partly · illustrative") == ghent.answers.count()


def test_the_city_page_reads_its_answers_once_illustrative_or_not(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    """The round, the city's survey, its peer groups' statistics, its answers: the round's
    framework, stamp and suggested practices come from the cache, and the answers an
    illustrative round shows are those its gaps are read from."""
    _two_cities(people, charter, published_round, make)
    url = reverse("rounds:city_results", args=[published_round.pk, "ghent"])

    def queries() -> list[str]:
        client = client_for(None)
        # The first visit computes the statistics, which starts a new data generation; the
        # second keeps the round's facts under it, and the page below its title.
        for _visit in range(2):
            assert client.get(url).status_code == 200
        ghent = Assessment.objects.get(round=published_round, city=people.ghent)
        with CaptureQueriesContext(connection) as kept:
            assert client.get(url).status_code == 200
        assert len(kept) == 2  # the round and the city's survey; the rest is kept
        cache.delete(city_results_key(published_round.pk, ghent.pk))  # made again
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in captured]

    real = queries()
    Round.objects.filter(pk=published_round.pk).update(is_illustrative=True)
    illustrative = queries()
    assert len(real) == len(illustrative) == 4
    assert sum('FROM "assessments_answer"' in sql for sql in illustrative) == 1


def test_the_round_chart_says_its_levels_are_illustrative(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    _two_cities(people, charter, published_round, make)
    url = reverse("rounds:chart", args=[published_round.pk, "policymaker"])
    assert b"Illustrative" not in client_for(None).get(url).content
    Round.objects.filter(pk=published_round.pk).update(is_illustrative=True)
    other = reverse("rounds:chart", args=[published_round.pk, "policymaker"]) + "?country=BE"
    svg = client_for(None).get(other).content.decode()
    assert "<title>Illustrative levels, not the cities&#x27; real answers</title>" in svg or (
        "<title>Illustrative levels, not the cities' real answers</title>" in svg
    )


def test_the_surveys_list_and_the_api_say_the_levels_are_illustrative(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    ghent = make(charter, people.ghent, {}, round_=published_round)
    client = client_for(people.editor)
    assert "illustrative levels" not in client.get(reverse("assessments:list")).content.decode()
    assert client.get(f"/api/v1/assessments/{ghent.pk}").json()["illustrative"] is False
    Round.objects.filter(pk=published_round.pk).update(is_illustrative=True)
    assert "illustrative levels" in client.get(reverse("assessments:list")).content.decode()
    assert client.get(f"/api/v1/assessments/{ghent.pk}").json()["illustrative"] is True
    listed = client.get("/api/v1/assessments/").json()["items"]
    assert [row["illustrative"] for row in listed] == [True]


def test_the_self_test_chart_says_its_levels_are_illustrative(
    people: People, benchmark: Framework, make: Make
) -> None:
    own = make(benchmark, people.ghent, {}, state="in_progress")
    client = client_for(people.editor)
    url = reverse("toolkits:chart", args=[own.pk, "scores"])
    assert b"Illustrative" not in client.get(url).content
    Assessment.objects.filter(pk=own.pk).update(is_illustrative=True)
    from django.core.cache import cache

    cache.clear()
    assert b"<title>Illustrative levels" in client.get(url).content


def test_a_city_page_is_kept_and_shows_every_change_on_the_next_visit(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    """What a city's results page shows below its title is kept per round, survey and language
    (``rounds.selectors.city_results_body``): another city validated, the round made
    illustrative, the city's population and another language each show on the next visit."""
    _two_cities(people, charter, published_round, make)
    url = reverse("rounds:city_results", args=[published_round.pk, "ghent"])
    client = client_for(people.viewer)  # signed in: past the cache of whole public pages

    def visit(**headers: Any) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        return main_content(response), len(captured)

    visit()  # computes the statistics: a new data generation
    first, queries = visit()
    again, kept = visit()
    assert again == first and kept < queries and 'data-label="Rank">2/2</td>' in first

    everything = dict.fromkeys(rating_keys(charter), "not_at_all")
    zagreb = make(charter, CityFactory.create(name="Zagreb"), everything, round_=published_round)
    scores_record(assessments=[zagreb])
    visit()  # computes the statistics again
    assert 'data-label="Rank">2/3</td>' in visit()[0]

    unknown = "The city's population is not known"
    known = unknown in visit()[0]
    City.objects.filter(pk=people.ghent.pk).update(population=None if not known else 260_000)
    assert (unknown in visit()[0]) is not known

    visit()  # the statistics again, for the groups the city is in now
    assert visit()[1] == kept
    Round.objects.filter(pk=published_round.pk).update(is_illustrative=True)
    assert "What Ghent answered" in visit()[0]

    assert visit(HTTP_ACCEPT_LANGUAGE="fr")[1] > kept  # each language is made once
    assert visit(HTTP_ACCEPT_LANGUAGE="fr")[1] == kept
