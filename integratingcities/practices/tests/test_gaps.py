"""Practices where they help: a city's round results show, per commitment it does not fully
meet, practices of cities that meet it; other apps ask ``practices_for_gaps``."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.practices.models import Practice, PracticeStatus
from integratingcities.practices.selectors import practices_for_gaps
from integratingcities.rounds.models import Round, RoundStatus

from .factories import PracticeFactory


def validated(round_: Round, city: City, levels: dict[str, str]) -> Assessment:
    assessment = Assessment.objects.create(
        city=city, framework=round_.framework, round=round_, state=AssessmentState.VALIDATED
    )
    for key, level in levels.items():
        Answer.objects.create(
            assessment=assessment,
            item=Item.objects.get(section__framework=round_.framework, key=key),
            level=Level.objects.get(scale__framework=round_.framework, key=level),
            evidence="Evidence." if level != "not_at_all" else "",
            is_answered=True,
        )
    return assessment


@pytest.fixture
def published_round(library: None, people: People, charter: Framework) -> Round:
    round_ = Round.objects.create(
        title="Survey 2015",
        framework=charter,
        opens_on=date(2015, 1, 1),
        closes_on=date(2015, 4, 30),
        status=RoundStatus.PUBLISHED,
    )
    validated(
        round_,
        people.ghent,
        {
            "workforce-diversity": "partly",
            "migrant-engagement": "not_at_all",
            "communicate-commitment": "fully",
            "needs-understood": "not_applicable",
        },
    )
    vienna, nantes = City.objects.get(slug="vienna"), City.objects.get(slug="nantes")
    validated(round_, vienna, {"workforce-diversity": "fully", "migrant-engagement": "partly"})
    validated(round_, nantes, {"workforce-diversity": "not_at_all"})
    validated(round_, people.riga, {"migrant-engagement": "fully"})
    return round_


def city_results(round_: Round, slug: str = "ghent") -> Any:
    response = client_for(None).get(reverse("rounds:city_results", args=[round_.pk, slug]))
    assert response.status_code == 200
    return response


def test_each_gap_shows_practices_of_cities_that_meet_it(published_round: Round) -> None:
    PracticeFactory(
        key="nantes-workforce",
        city=City.objects.get(slug="nantes"),
        commitments=["workforce-diversity"],
    )
    response = city_results(published_round)
    gaps = {
        gap.item.key: [p.key for p in gap.practices] for gap in response.context["gap_practices"]
    }
    # Partly and not at all are gaps; fully and not applicable are not.
    assert gaps == {
        "migrant-engagement": ["riga-migrant-council"],
        "workforce-diversity": ["vienna-monitors-workforce"],  # Nantes does not meet it
    }
    html = response.content.decode()
    assert "Practices for what is not fully met yet" in html
    assert 'href="/practices/vienna-monitors-workforce/"' in html


def test_unpublished_practices_are_not_suggested(published_round: Round) -> None:
    Practice.objects.filter(key="vienna-monitors-workforce").update(status=PracticeStatus.DRAFT)
    gaps = {
        gap.item.key: gap.practices
        for gap in city_results(published_round).context["gap_practices"]
    }
    assert gaps["workforce-diversity"] == []


def test_a_city_that_meets_everything_has_no_gaps(published_round: Round) -> None:
    assert city_results(published_round, "riga").context["gap_practices"] == []


def test_the_gap_queries_do_not_grow(published_round: Round, people: People) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            city_results(published_round)
        return len(captured)

    few = queries()
    for number in range(12):
        city = CityFactory.create()
        validated(published_round, city, {"workforce-diversity": "fully"})
        PracticeFactory(city=city, commitments=["workforce-diversity", "migrant-engagement"])
        PracticeFactory(city=city, commitments=["workforce-diversity"], year=2000 + number)
    assert queries() == few
    gaps = {
        gap.item.key: gap.practices
        for gap in city_results(published_round).context["gap_practices"]
    }
    assert len(gaps["workforce-diversity"]) == 3  # the newest three, Vienna (2014) first
    assert [p.year for p in gaps["workforce-diversity"]] == [2014, 2011, 2010]


@pytest.mark.usefixtures("library")
class TestPracticesForGaps:
    def test_commitments_and_key_factors(self) -> None:
        found = practices_for_gaps(
            lineage="charter", keys=["workforce-diversity", "equality-in-procurement", "nothing"]
        )
        assert {key: [p.key for p in ps] for key, ps in found.items()} == {
            "workforce-diversity": ["vienna-monitors-workforce"],
            "equality-in-procurement": ["ghent-procurement-clause"],
        }
        factors = practices_for_gaps(
            lineage="anti-discrimination-job-market", keys=["data-collection"]
        )
        assert [p.key for p in factors["data-collection"]] == ["nantes-opinion-poll"]

    def test_cities_and_limit(self, people: People) -> None:
        vienna = City.objects.get(slug="vienna")
        PracticeFactory.create_batch(4, city=vienna, commitments=["workforce-diversity"])
        found = practices_for_gaps(
            lineage="charter", keys=["workforce-diversity"], cities={vienna.pk}, limit=2
        )
        assert len(found["workforce-diversity"]) == 2
        assert all(p.city_id == vienna.pk for p in found["workforce-diversity"])
        assert (
            practices_for_gaps(lineage="charter", keys=["workforce-diversity"], cities=set()) == {}
        )
        assert practices_for_gaps(lineage="charter", keys=[]) == {}

    def test_one_query(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            found = practices_for_gaps(
                lineage="charter", keys=["workforce-diversity", "migrant-engagement"], limit=3
            )
            [p.city.name for ps in found.values() for p in ps]
        assert len(captured) == 1
