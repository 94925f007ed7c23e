"""The response board a page at a time: filters, sort and counts over every invited city."""

import re
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import AnswerInput, answers_save
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Item, Level
from integratingcities.frameworks.selectors import outline
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds import selectors
from integratingcities.rounds.models import Round, RoundStatus


def _towns(count: int, start: int = 0, prefix: str = "Town") -> list[City]:
    return City.objects.bulk_create(
        City(name=f"{prefix} {n:04}", slug=f"{prefix.lower()}-{n:04}", country="DE")
        for n in range(start, start + count)
    )


def _invite(round_: Round, cities: list[City], **fields: object) -> None:
    Assessment.objects.bulk_create(
        Assessment(city=city, framework_id=round_.framework_id, round=round_, **fields)
        for city in cities
    )


def _rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', html)


def _board(people: People, round_: Round, query: str = "") -> str:
    response = client_for(people.secretariat).get(reverse("rounds:board", args=[round_.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_query_count_is_the_same_at_5_and_50_cities(people: People, open_round: Round) -> None:
    client = client_for(people.secretariat)
    url = reverse("rounds:board", args=[open_round.pk])

    def count(query: str = "") -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url + query).status_code == 200
        return len(queries)

    _invite(open_round, _towns(5))
    _towns(5, start=1000, prefix="Other")
    few = count(), count("?state=invited&sort=-answered&find=Other")
    _invite(open_round, _towns(45, start=5))
    _towns(70, start=1005, prefix="Other")
    assert (count(), count("?state=invited&sort=-answered&find=Other")) == few


def test_a_page_holds_100_cities_and_the_counts_cover_all(
    people: People, open_round: Round
) -> None:
    towns = _towns(150)
    _invite(open_round, towns[:120])
    _invite(open_round, towns[120:], state=AssessmentState.SUBMITTED)
    first = _board(people, open_round)
    assert len(_rows(first)) == 100
    assert _rows(first)[0] == "Town 0000"
    assert "Invited: 120" in first
    assert "Submitted: 30" in first
    assert "Page 1 of 2 · 150 cities" in first
    second = _board(people, open_round, "?page=2")
    assert _rows(second) == [f"Town {n:04}" for n in range(100, 150)]


def test_filters_and_sort_survive_the_page_links(people: People, open_round: Round) -> None:
    towns = _towns(230)
    _invite(open_round, towns[:210])
    _invite(open_round, towns[210:], state=AssessmentState.VALIDATED)
    html = _board(people, open_round, "?state=invited&sort=-city&q=Town")
    assert _rows(html)[0] == "Town 0209"
    assert "Page 1 of 3 · 210 cities" in html
    assert 'href="?state=invited&amp;sort=-city&amp;q=Town&amp;page=2"' in html
    # The headings sort again, keeping the filters and leaving the page out.
    assert 'href="?state=invited&amp;q=Town&amp;sort=state"' in html
    assert 'href="?state=invited&amp;q=Town&amp;sort=city"' in html
    # The counts per state still cover the whole round.
    assert "Validated: 20" in html
    last = _board(people, open_round, "?state=invited&sort=-city&q=Town&page=3")
    assert _rows(last)[-1] == "Town 0000"


def test_a_search_by_name_and_a_sort_by_answers(people: People, open_round: Round) -> None:
    towns = _towns(3)
    _invite(open_round, towns)
    items = list(Item.objects.filter(section__framework=open_round.framework)[:3])
    busy = Assessment.objects.get(city=towns[1])
    Answer.objects.bulk_create(
        [
            Answer(assessment=busy, item=items[0], text="a", is_answered=True),
            Answer(assessment=busy, item=items[1], text="b", is_answered=True),
            Answer(assessment=busy, item=items[2], text="", is_answered=False),
        ]
    )
    Assessment.objects.filter(round=open_round).recount_answered()  # as the bulk paths do
    html = _board(people, open_round, "?sort=-answered")
    assert _rows(html)[0] == "Town 0001"
    total = Item.objects.filter(section__framework=open_round.framework).count()
    assert f"(2/{total})" in html
    assert _rows(_board(people, open_round, "?q=0002")) == ["Town 0002"]
    assert "No invited city matches this filter." in _board(people, open_round, "?q=Nowhere")


def test_a_small_network_lists_every_city_not_invited(people: People, open_round: Round) -> None:
    _invite(open_round, [people.ghent])
    html = _board(people, open_round)
    assert f'name="cities" value="{people.riga.pk}"' in html
    assert f'name="cities" value="{people.ghent.pk}"' not in html
    assert 'name="find"' not in html


def test_a_large_network_lists_at_most_50_and_finds_the_others_by_name(
    people: People, open_round: Round
) -> None:
    _towns(120)
    html = _board(people, open_round)
    assert html.count('name="cities"') == selectors.INVITE_LIMIT
    assert 'name="find"' in html
    assert "More than 50 cities are not invited yet" in html
    found = _board(people, open_round, "?find=Town 0117")
    assert found.count('name="cities"') == 1
    town = City.objects.get(name="Town 0117")
    assert f'name="cities" value="{town.pk}"' in found
    response = client_for(people.secretariat).post(
        reverse("rounds:invite", args=[open_round.pk]), {"cities": [town.pk]}
    )
    assert response.status_code == 302
    assert open_round.assessments.filter(city=town).exists()
    again = _board(people, open_round, "?find=Town 0117")
    assert f'name="cities" value="{town.pk}"' not in again
    assert "No city that is not invited yet has a name containing “Town 0117”." in again


def test_the_cities_not_invited_are_found_with_a_subquery(open_round: Round) -> None:
    _invite(open_round, _towns(40))
    sql = str(selectors.uninvited(open_round).query).upper()
    assert re.search(r"NOT IN \(SELECT|NOT \(.* IN \(SELECT", sql)


def _published_with(people: People, round_: Round, cities: int) -> str:
    """The results page of the round, published with ``cities`` validated responses."""
    _invite(round_, _towns(cities), state=AssessmentState.VALIDATED)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.PUBLISHED, published_at=now())
    return reverse("rounds:results", args=[round_.pk])


def test_round_results_link_the_cities_100_a_page(people: People, open_round: Round) -> None:
    url = _published_with(people, open_round, 105)
    html = client_for(None).get(url + "?country=DE").content.decode()
    links = re.findall(rf'<li><a href="{url}(town-\d+)/">', html)
    assert len(links) == 100
    assert "Page 1 of 2 · 105 cities" in html
    assert 'href="?country=DE&amp;page=2"' in html
    second = client_for(None).get(url + "?country=DE&page=2").content.decode()
    assert re.findall(rf'<li><a href="{url}(town-\d+)/">', second) == [
        f"town-{n:04}" for n in range(100, 105)
    ]


def test_round_results_query_count_is_the_same_at_5_and_50_cities(
    people: People, open_round: Round
) -> None:
    url = _published_with(people, open_round, 5)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client_for(None).get(url).status_code == 200
        return len(queries)

    outline(open_round.framework_id)  # kept from the start: the cities' writes leave it kept
    few = count()
    _invite(open_round, _towns(45, start=5), state=AssessmentState.VALIDATED)
    assert count() == few


def _answer(assessment: Assessment, user: User, given: dict[Item, AnswerInput]) -> None:
    versions = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "version"))
    answers_save(assessment=assessment, user=user, inputs=given, base_versions=versions)


def test_answers_saved_by_editors_move_their_city_on_the_board(
    people: People, open_round: Round
) -> None:
    """The count the board shows and sorts by is the one the answer service keeps."""
    towns = _towns(2, prefix="Aachen")  # first by name, so a tie puts them ahead
    _invite(open_round, [people.ghent, people.riga, *towns])
    ghent, riga = (Assessment.objects.get(city=city) for city in (people.ghent, people.riga))
    first, second, third = Item.objects.filter(
        section__framework=open_round.framework, kind="rating"
    ).order_by("pk")[:3]
    fully = Level.objects.get(scale__framework=open_round.framework, key="fully")
    total = Item.objects.filter(section__framework=open_round.framework).count()

    _answer(ghent, people.editor, {first: AnswerInput(level=fully)})
    _answer(
        riga, people.outsider, {first: AnswerInput(level=fully), second: AnswerInput(level=fully)}
    )
    html = _board(people, open_round, "?sort=-answered")
    assert _rows(html) == ["Riga", "Ghent", "Aachen 0000", "Aachen 0001"]
    assert f"(2/{total})" in html and f"(1/{total})" in html

    # Ghent answers two more; Riga clears one and leaves one with evidence only.
    _answer(
        ghent, people.editor, {second: AnswerInput(level=fully), third: AnswerInput(level=fully)}
    )
    _answer(riga, people.outsider, {second: AnswerInput(evidence="Being drafted.")})
    html = _board(people, open_round, "?sort=-answered")
    assert _rows(html) == ["Ghent", "Riga", "Aachen 0000", "Aachen 0001"]
    assert f"(3/{total})" in html
    fewest = _board(people, open_round, "?sort=answered")
    assert _rows(fewest) == ["Aachen 0000", "Aachen 0001", "Riga", "Ghent"]
    for assessment in (ghent, riga):
        assessment.refresh_from_db()
        given = Answer.objects.filter(assessment=assessment, is_answered=True).count()
        assert assessment.answered_count == given


# Session, user, round, the items, the cities per state, the page's rows, which of them have
# an editor, the cities still to invite, the unread notifications: as many with 1 invited city
# as with 150. The pages are counted from the cities per state; a search by name counts its own.
BOARD_QUERIES = 9


def test_the_board_sorted_by_answers_makes_the_same_queries_at_any_size(
    people: People, open_round: Round, django_assert_num_queries: Any
) -> None:
    client = client_for(people.secretariat)
    url = reverse("rounds:board", args=[open_round.pk]) + "?sort=-answered&page=2"
    _invite(open_round, [people.ghent])
    with django_assert_num_queries(BOARD_QUERIES):
        assert client.get(url).status_code == 200
    _invite(open_round, _towns(150))
    Assessment.objects.filter(round=open_round).update(answered_count=F("pk") % 7)
    with django_assert_num_queries(BOARD_QUERIES):
        assert client.get(url).status_code == 200


def test_a_search_by_name_counts_its_rows_and_no_other_filter_does(
    people: People, open_round: Round, django_assert_num_queries: Any
) -> None:
    client = client_for(people.secretariat)
    url = reverse("rounds:board", args=[open_round.pk])
    _invite(open_round, _towns(3))
    _invite(open_round, _towns(2, start=10), state=AssessmentState.SUBMITTED)
    for query, shown in (("", 5), ("?state=submitted", 2), ("?state=bogus", 5)):
        with django_assert_num_queries(BOARD_QUERIES):
            html = client.get(url + query).content.decode()
        assert f"{shown} of 5 invited cities shown" in html
    with django_assert_num_queries(BOARD_QUERIES + 1):
        html = client.get(url + "?q=0010").content.decode()
    assert "1 of 5 invited cities shown" in html


def test_a_row_says_what_the_template_said(people: People, open_round: Round) -> None:
    """Names escaped in the labels made in Python, the last activity in the visitor's language
    and the site's time zone, the editor's invitation only where a city has none."""
    (odd,) = _towns(1, prefix="Town <b> & Co")
    _invite(open_round, [odd, people.ghent])
    moment = datetime(2026, 10, 4, 9, 24, tzinfo=UTC)  # 11:24 in Brussels
    Assessment.objects.filter(city=odd).update(last_activity_at=moment, answered_count=3)
    odd_survey = Assessment.objects.get(city=odd)
    total = Item.objects.filter(section__framework=open_round.framework).count()
    html = _board(people, open_round)
    assert (
        f'<th scope="row"><a href="/assessments/{odd_survey.pk}/">Town &lt;b&gt; &amp; Co 0000</a>'
        '<br><span class="pill pill-warn">no editor: nobody is told</span> '
        f'<a class="small" href="/accounts/invitations/?city={odd.pk}&amp;role=editor">'
        "invite an editor for Town &lt;b&gt; &amp; Co 0000</a></th>"
    ) in html
    percent = round(300 / total)
    assert (
        f'<progress max="100" value="{percent}" aria-label="Town &lt;b&gt; &amp; Co 0000: '
        f'share answered">{percent}%</progress> {percent}% (3/{total})'
    ) in html
    assert '<td data-label="Last activity">4 October 2026, 11:24</td>' in html
    assert '<td data-label="Last activity">—</td>' in html  # Ghent: nothing done yet
    assert html.count("invite an editor for") == 1  # Ghent has its editor
    french = client_for(people.secretariat).get(
        reverse("rounds:board", args=[open_round.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "4 octobre 2026 11:24" in french.content.decode()
