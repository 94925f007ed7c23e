"""The surveys list: a page at a time, narrowed by state, whatever the number of cities."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.rounds.models import Round
from integratingcities.rounds.services import round_invite

pytestmark = pytest.mark.django_db


def _surveys(framework: Framework, n: int, state: str) -> None:
    Assessment.objects.bulk_create(
        Assessment(
            city=CityFactory.create(name=f"Town {state} {i:03d}"), framework=framework, state=state
        )
        for i in range(n)
    )


def test_the_secretariat_sees_every_survey_a_page_at_a_time(
    people: People, charter: Framework
) -> None:
    _surveys(charter, 120, AssessmentState.IN_PROGRESS)
    _surveys(charter, 30, AssessmentState.SUBMITTED)
    client = client_for(people.secretariat)
    total = Assessment.objects.count()
    first = client.get(reverse("assessments:list")).content.decode()
    assert first.count('<th scope="row">') == 100
    assert f"{total:,} surveys" in first
    last = client.get(reverse("assessments:list"), {"page": 2}).content.decode()
    assert last.count('<th scope="row">') == total - 100


def test_the_state_narrows_the_list_and_stays_in_the_page_links(
    people: People, charter: Framework
) -> None:
    _surveys(charter, 130, AssessmentState.SUBMITTED)
    _surveys(charter, 5, AssessmentState.IN_PROGRESS)
    client = client_for(people.secretariat)
    submitted = Assessment.objects.filter(state=AssessmentState.SUBMITTED).count()
    page = client.get(reverse("assessments:list"), {"state": "submitted"}).content.decode()
    assert f"{submitted:,} surveys" in page
    assert "Town in_progress" not in page
    assert "?state=submitted&amp;page=2" in page
    assert '<option value="submitted" selected>' in page
    # An unknown state is left out rather than refused.
    assert client.get(reverse("assessments:list"), {"state": "x"}).status_code == 200


def test_its_queries_do_not_grow_with_the_surveys(people: People, charter: Framework) -> None:
    client = client_for(people.secretariat)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("assessments:list")).status_code == 200
        return len(captured)

    _surveys(charter, 3, AssessmentState.IN_PROGRESS)
    few = queries()
    _surveys(charter, 150, AssessmentState.IN_PROGRESS)
    assert queries() == few


def test_an_editor_sees_only_the_surveys_of_their_city(people: People, charter: Framework) -> None:
    _surveys(charter, 3, AssessmentState.IN_PROGRESS)
    page = client_for(people.editor).get(reverse("assessments:list")).content.decode()
    assert "Town in_progress" not in page


def test_a_rounds_surveys_read_in_their_cities_order(people: People, open_round: Round) -> None:
    """Invited one after another, newest first read them backwards: Zagreb before Aachen."""
    names = ["Aachen", "Bruges", "Malmö", "Zagreb"]
    cities = [CityFactory.create(name=name) for name in names]
    round_invite(round_=open_round, user=people.secretariat, cities=cities, notify=False)
    page = client_for(people.secretariat).get(reverse("assessments:list")).content.decode()
    assert [page.index(f"{name}</a>") for name in names] == sorted(
        page.index(f"{name}</a>") for name in names
    )
