"""Mentor matching against the database: its inputs, and the page from proposal to scheme."""

import html
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.mentoring.matching_inputs import matching_inputs
from integratingcities.mentoring.models import Scheme, SchemeCity, SchemeRole

from . import factories

DATA = "data-collection"
LEADING = "leading-by-example"


def selftest(
    framework: Framework,
    city: City,
    levels: dict[str, str],
    *,
    otherwise: str = "yes",
    state: str = AssessmentState.VALIDATED,
    illustrative: bool = False,
) -> Assessment:
    """A self-test answering each key factor's guide questions at one level (key factor key:
    level key), the other key factors at ``otherwise``."""
    when = timezone.now() - timedelta(days=10)
    assessment = Assessment.objects.create(
        city=city,
        framework=framework,
        state=state,
        validated_at=when if state == AssessmentState.VALIDATED else None,
        is_illustrative=illustrative,
    )
    found = {level.key: level for level in Level.objects.filter(scale__framework=framework)}
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            item=item,
            level=found[levels.get(item.section.key, otherwise)],
            is_answered=True,
            version=1,
        )
        for item in Item.objects.filter(
            section__framework=framework, kind=ItemKind.RATING, section__is_context=False
        ).select_related("section")
    )
    return assessment


@pytest.fixture
def cities(people: People) -> dict[str, City]:
    """Ghent strong everywhere; Riga weak at data collection; Tampere weak at leading by
    example; Oslo has only a draft; Vienna has no self-test at all."""
    framework = factories.benchmark()
    found = {
        "ghent": people.ghent,
        "riga": people.riga,
        "tampere": SignatoryFactory.create(name="Tampere", slug="tampere", country="FI"),
        "oslo": SignatoryFactory.create(name="Oslo", slug="oslo", country="NO"),
        "vienna": SignatoryFactory.create(name="Vienna", slug="vienna", country="AT"),
    }
    selftest(framework, found["ghent"], {})
    selftest(framework, found["riga"], {DATA: "no"}, illustrative=True)
    selftest(framework, found["tampere"], {LEADING: "no"})
    selftest(framework, found["oslo"], {}, state=AssessmentState.SUBMITTED)
    return found


def query(**values: object) -> str:
    base = {
        "benchmark": factories.LINEAGE,
        "implementing": "Riga\ntampere\n",
        "mentors": "GHENT, 2",
        "scheme_size": 5,
    }
    return reverse("mentoring:matching") + "?" + urlencode({**base, **values})


def test_inputs_read_validated_self_tests_and_name_those_without(
    cities: dict[str, City],
) -> None:
    framework = factories.benchmark()
    ids = [city.pk for city in cities.values()]
    inputs = matching_inputs(framework, ids, [cities["riga"].pk])
    assert set(inputs.profiles) == {cities[name].pk for name in ("ghent", "riga", "tampere")}
    assert inputs.not_yet == [cities["oslo"].pk, cities["vienna"].pk]  # a draft does not count
    riga = inputs.profiles[cities["riga"].pk]
    assert riga.scores[DATA] == 0 and riga.scores[LEADING] == 100
    questions = {factor.key: factor.questions for factor in inputs.factors}
    assert riga.lowest[DATA] == questions[DATA] == 5  # "no" to each of its guide questions
    assert inputs.lowest_label == "No"
    assert inputs.illustrative == {cities["riga"].pk}


def test_the_inputs_take_the_same_queries_for_more_cities(cities: dict[str, City]) -> None:
    framework = factories.benchmark()
    few = [cities["ghent"].pk, cities["riga"].pk]
    every = [city.pk for city in cities.values()]
    cache.clear()  # the peers and the benchmark's scheme are read again each time
    with CaptureQueriesContext(connection) as small:
        matching_inputs(framework, few, few)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        matching_inputs(framework, every, every)
    assert len(large) == len(small)


def test_the_page_proposes_with_reasons_and_lists_who_cannot_be_matched(
    people: People, cities: dict[str, City]
) -> None:
    page = client_for(people.secretariat).get(query(implementing="Riga\ntampere\nOslo\nvienna"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Proposal 1: Ghent mentors" in text
    assert "Ghent meets <em>Data collection</em> fully (score 100)" in text
    assert "Riga scores 0 and answered “No” to 5 of its 5 guide questions" in text
    assert "illustrative self-test" in text  # Riga's
    assert "Cannot be matched yet" in text
    assert text.count("No validated self-test of this benchmark.") == 2  # Oslo and Vienna


def test_a_proposal_opens_with_its_form_filled_in_and_its_alternatives(
    people: People, cities: dict[str, City]
) -> None:
    lisbon = SignatoryFactory.create(name="Lisbon", slug="lisbon", country="PT")
    selftest(factories.benchmark(), lisbon, {DATA: "partly"})  # helps Tampere, less than Ghent
    page = client_for(people.secretariat).get(
        query(implementing="Tampere", mentors="Ghent, 1\nLisbon, 1") + "&proposal=1"
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Accept a proposed scheme" in text
    assert f'<option value="{cities["ghent"].pk}" selected>Ghent</option>' in text
    assert f'<option value="{lisbon.pk}">Lisbon</option>' in text  # the other mentor, to swap
    assert f'value="{cities["tampere"].pk}" id="id_implementing_0" checked' in text
    assert not Scheme.objects.exists()  # opening a proposal stores nothing


def test_accepting_a_proposal_forms_the_scheme(people: People, cities: dict[str, City]) -> None:
    client = client_for(people.secretariat)
    response = client.post(
        query(),
        {
            "proposal": 1,
            "mentor": cities["ghent"].pk,
            "implementing": [cities["riga"].pk, cities["tampere"].pk],
            "name": "Ghent's scheme",
            "project": "CITIES GROW",
            "starts_on": "2026-03-01",
        },
    )
    scheme = Scheme.objects.get()
    assert response.status_code == 302 and response["Location"] == scheme.get_absolute_url()
    roles = dict(SchemeCity.objects.filter(scheme=scheme).values_list("city__slug", "role"))
    assert roles == {
        "ghent": SchemeRole.MENTOR,
        "riga": SchemeRole.IMPLEMENTING,
        "tampere": SchemeRole.IMPLEMENTING,
    }
    assert scheme.toolkit is not None and scheme.toolkit.key == factories.LINEAGE


def test_a_proposal_is_changed_before_it_is_accepted(
    people: People, cities: dict[str, City]
) -> None:
    client = client_for(people.secretariat)
    # Tampere joins the willing mentors; the secretariat gives Riga to it and drops no one else.
    changed = query(implementing="Riga", mentors="Ghent, 1\nTampere, 1")
    client.post(
        changed,
        {
            "proposal": 1,
            "mentor": cities["tampere"].pk,
            "implementing": [cities["riga"].pk],
            "name": "Tampere's scheme",
            "starts_on": "2026-03-01",
        },
    )
    roles = dict(SchemeCity.objects.values_list("city__slug", "role"))
    assert roles == {"tampere": SchemeRole.MENTOR, "riga": SchemeRole.IMPLEMENTING}


def test_a_proposal_emptied_of_cities_is_refused_and_shown_again(
    people: People, cities: dict[str, City]
) -> None:
    client = client_for(people.secretariat)
    response = client.post(
        query(),
        {"proposal": 1, "mentor": cities["ghent"].pk, "name": "x", "starts_on": "2026-03-01"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Scheme.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"implementing": "Atlantis"}, "Line 1: no city called “Atlantis”."),
        ({"implementing": "Riga\nriga"}, "Line 2: “riga” is listed twice."),
        ({"mentors": "Ghent, 2\nRiga, 1"}, "A city cannot both mentor and be mentored: Riga."),
        ({"mentors": "Ghent, two"}, "the capacity “two” is not a whole number above 0"),
        ({"mentors": "Ghent, 0"}, "the capacity “0” is not a whole number above 0"),
        ({"mentors": "Ghent"}, "give the city's capacity after a comma"),
        ({"scheme_size": 1}, "greater than or equal to 2"),
        ({"benchmark": "charter"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_named(
    people: People, cities: dict[str, City], values: dict[str, object], message: str
) -> None:
    page = client_for(people.secretariat).get(query(**values))
    assert page.status_code == 200
    assert message in html.unescape(page.content.decode())
    assert "Proposed schemes" not in page.content.decode()


@pytest.mark.parametrize("role", ["editor", "viewer", "reviewer", "outsider"])
def test_only_the_secretariat_matches(people: People, cities: dict[str, City], role: str) -> None:
    client = client_for(people.all_roles()[role])
    assert client.get(query()).status_code == 403
    data = {"proposal": 1, "mentor": cities["ghent"].pk, "implementing": [cities["riga"].pk]}
    assert client.post(query(), {**data, "name": "x", "starts_on": "2026-03-01"}).status_code == 403
    assert not Scheme.objects.exists()


def test_proposals_are_paged_and_a_refusal_is_shown_on_its_page(
    people: People, cities: dict[str, City], monkeypatch: pytest.MonkeyPatch
) -> None:
    from integratingcities.mentoring import matching_views

    monkeypatch.setattr(matching_views, "PER_PAGE", 1)
    lisbon = SignatoryFactory.create(name="Lisbon", slug="lisbon", country="PT")
    selftest(factories.benchmark(), lisbon, {})
    client = client_for(people.secretariat)
    asked = query(mentors="Ghent, 1\nLisbon, 1")
    first = client.get(asked).content.decode()
    second = client.get(asked + "&page=2").content.decode()
    assert "Proposal 1:" in first and "Proposal 2:" not in first and "Page 1 of 2" in first
    assert "Proposal 2:" in second and "Proposal 1:" not in second
    refused = client.post(asked, {"proposal": 2, "name": "x", "starts_on": "2026-03-01"})
    assert "Proposal 2:" in refused.content.decode()
    assert "This field is required." in refused.content.decode()
