"""The cities' evidence on a commitment's page of the report workspace, a page at a time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.reports.models import Highlight
from integratingcities.rounds.models import Round

from .conftest import answer

KEY = "equal-access-non-discrimination"


def _page(round_: Round) -> str:
    return reverse("reports:commitment", kwargs={"pk": round_.pk, "key": KEY})


def _more_cities(round_: Round, count: int, first: int = 0) -> None:
    """``count`` more cities with validated evidence on the commitment, every third "partly"."""
    for n in range(first, first + count):
        city = SignatoryFactory.create(name=f"Evidence town {n:02d}")
        assessment = Assessment.objects.create(
            city=city, framework=round_.framework, round=round_, state=AssessmentState.VALIDATED
        )
        level = "partly" if n % 3 == 0 else "fully"
        answer(assessment, KEY, level=level, evidence=f"Plan of town {n:02d}.")


def _forms(page: str) -> int:
    return page.count('name="back"')


def test_the_evidence_comes_a_page_at_a_time_in_a_fixed_number_of_queries(
    people: People, published_round: Round
) -> None:
    client = client_for(people.secretariat)
    url = _page(published_round)
    _more_cities(published_round, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url).content.decode()
    assert _forms(small) == 6 and "6 cities gave evidence" in small

    _more_cities(published_round, 30, first=5)  # 36 cities: two pages
    with CaptureQueriesContext(connection) as many:
        first = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert _forms(first) == 25 and "36 cities gave evidence" in first
    assert "Page 1 of 2" in first and "Evidence town 23" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert _forms(second) == 11 and "Ghent" in second  # by name: "Evidence town…" first


def test_the_evidence_is_narrowed_by_city_name_and_level(
    people: People, published_round: Round
) -> None:
    _more_cities(published_round, 30)
    client = client_for(people.secretariat)
    url = _page(published_round)
    town = client.get(url, {"city": "TOWN 2"}).content.decode()  # 20 to 29
    assert "10 cities gave evidence" in town and _forms(town) == 10
    partly = client.get(url, {"level": "partly"}).content.decode()
    assert "10 cities gave evidence" in partly  # towns 00, 03, … 27
    assert '<option value="partly" selected>' in partly
    both = client.get(url, {"city": "town 0", "level": "partly"}).content.decode()
    assert "4 cities gave evidence" in both  # 00, 03, 06, 09
    none = client.get(url, {"city": "Atlantis"}).content.decode()
    assert "No city gave evidence at that level, or none by that name." in none
    odd = client.get(url, {"level": "<b>", "page": "x", "city": "x" * 5000})
    assert odd.status_code == 200 and "<b>" not in odd.content.decode().split("<main")[1]


def test_a_highlight_returns_to_where_the_list_stood(
    people: People, published_round: Round, ghent_answer: Answer
) -> None:
    _more_cities(published_round, 30)
    client = client_for(people.secretariat)
    add = reverse("reports:highlight_add", kwargs={"pk": published_round.pk})
    page = client.get(_page(published_round), {"page": "2", "city": "e"}).content.decode()
    assert 'name="back" value="city=e&amp;page=2"' in page
    response = client.post(
        add, {"answer": ghent_answer.pk, "text": "Ghent's plan.", "back": "city=e&page=2&x=1"}
    )
    assert response["Location"] == _page(published_round) + "?city=e&page=2"
    assert Highlight.objects.filter(answer=ghent_answer).exists()


def test_a_refused_highlight_shows_its_evidence_alone_with_the_reason(
    people: People, published_round: Round, ghent_answer: Answer
) -> None:
    _more_cities(published_round, 30)
    client = client_for(people.secretariat)
    add = reverse("reports:highlight_add", kwargs={"pk": published_round.pk})
    refused = client.post(add, {"answer": ghent_answer.pk, "text": " ", "back": "page=2"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Write the highlight&#x27;s text." in page
    assert _forms(page) == 1 and "All the cities" in page
    assert 'name="back" value="page=2"' in page  # a second try still returns there
    assert f'href="{_page(published_round)}?page=2#evidence"' in page
    assert not Highlight.objects.exists()
