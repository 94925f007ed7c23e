"""The inspiring cities' evidence on a self-test's results is kept as HTML per data generation:
a repeat visit neither reads nor renders it, and any change to what it shows is seen at once."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.assessments.services import assessment_reopen, assessment_validate
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, SignatoryFactory, client_for

from .test_toolkits import FILE, _selftest

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(path=FILE, publish=True).framework


ALL_YES = {"data-migrant-figures": "yes", "data-collector": "yes", "data-regular-updates": "yes"}
ALL_NO = {"data-migrant-figures": "no", "data-use-required": "no", "data-resources": "no"}


def _results(people: People, benchmark: Framework) -> tuple[str, Assessment]:
    sharing = SignatoryFactory.create(country="BE", name="Antwerp")
    shared = _selftest(benchmark, sharing, ALL_YES, share=True, evidence="Our yearly data report.")
    own = _selftest(benchmark, people.ghent, ALL_NO)
    return reverse("toolkits:results", args=[own.pk]), shared


def _evidence_queries(captured: Any) -> int:
    """The reads of the inspiring cities' evidence and context (answers with a text given)."""
    return sum(
        1
        for query in captured
        if 'NOT ("assessments_answer"."evidence" =' in query["sql"]
        or 'NOT ("assessments_answer"."text" =' in query["sql"]
    )


def test_a_repeat_visit_shows_the_kept_evidence_without_reading_it(
    people: People, benchmark: Framework
) -> None:
    url, _shared = _results(people, benchmark)
    client = client_for(people.editor)
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url).content.decode()
    assert "Our yearly data report." in first
    assert _evidence_queries(captured) == 2  # read once, to be kept
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url).content.decode()
    assert CSRF.sub("", again) == CSRF.sub("", first)
    assert _evidence_queries(captured) == 0


def test_evidence_no_longer_shared_disappears_at_once(people: People, benchmark: Framework) -> None:
    url, shared = _results(people, benchmark)
    client = client_for(people.editor)
    assert "Our yearly data report." in client.get(url).content.decode()
    Assessment.objects.filter(pk=shared.pk).update(share_evidence=False)
    assert "Our yearly data report." not in client.get(url).content.decode()


def test_new_evidence_after_a_correction_is_shown_at_once(
    people: People, benchmark: Framework
) -> None:
    url, shared = _results(people, benchmark)
    client = client_for(people.editor)
    assert "Our yearly data report." in client.get(url).content.decode()
    # A validated self-test's answers change only once its validation is taken back, which
    # clears its date: the evidence is kept under it.
    reopened = assessment_reopen(assessment=shared, user=people.secretariat, reason="Wrong file")
    assert "Our yearly data report." not in client.get(url).content.decode()
    for answer in reopened.answers.exclude(evidence=""):
        answer.evidence = "The corrected report."
        answer.save()
    assessment_validate(assessment=reopened, user=people.secretariat, reason="Corrected")
    html = client.get(url).content.decode()
    assert "The corrected report." in html
    assert "Our yearly data report." not in html


def test_a_validation_elsewhere_does_not_render_the_evidence_again(
    people: People, benchmark: Framework
) -> None:
    url, _shared = _results(people, benchmark)
    client = client_for(people.editor)
    first = client.get(url).content.decode()
    other = SignatoryFactory.create(country="LV", name="Liepaja")
    _selftest(benchmark, other, ALL_NO, state=AssessmentState.SUBMITTED)
    assessment_validate(
        assessment=Assessment.objects.get(city=other), user=people.secretariat, reason="Test"
    )
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url).content.decode()
    assert _evidence_queries(captured) == 0
    assert "Compared with 2 other cities" in again
    assert "Our yearly data report." in again
    assert "Our yearly data report." in first


def test_a_renamed_inspiring_city_is_shown_under_its_new_name(
    people: People, benchmark: Framework
) -> None:
    url, shared = _results(people, benchmark)
    client = client_for(people.editor)
    assert "Antwerp" in client.get(url).content.decode()
    City.objects.filter(pk=shared.city_id).update(name="Antwerpen")
    html = client.get(url).content.decode()
    assert "Antwerpen" in html
    assert "Our yearly data report." in html
