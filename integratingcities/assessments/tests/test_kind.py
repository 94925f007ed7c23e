"""A self-test is a kind of its own: the kind names what an assessment is for."""

import pytest
from django.db import IntegrityError, transaction

from integratingcities.assessments.models import Assessment, AssessmentKind
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import People
from integratingcities.rounds.models import Round


def test_the_kind_follows_the_round_when_not_given(
    people: People, open_round: Round, charter: Framework
) -> None:
    survey = Assessment.objects.create(city=people.ghent, framework=charter, round=open_round)
    self_test = Assessment.objects.create(city=people.riga, framework=charter)
    [bulk] = Assessment.objects.bulk_create(
        [Assessment(city=people.riga, framework=charter, round=open_round)]
    )
    assert (survey.kind, self_test.kind, bulk.kind) == ("survey", "self_test", "survey")
    assert self_test.is_self_test and not survey.is_self_test
    baseline = Assessment.objects.create(
        city=people.ghent, framework=charter, kind=AssessmentKind.BASELINE
    )
    assert baseline.kind == "baseline" and not baseline.is_self_test


def test_surveys_and_self_tests_are_named_querysets(
    people: People, open_round: Round, charter: Framework
) -> None:
    survey = Assessment.objects.create(city=people.ghent, framework=charter, round=open_round)
    self_test = Assessment.objects.create(city=people.ghent, framework=charter)
    Assessment.objects.create(city=people.ghent, framework=charter, kind=AssessmentKind.FOLLOW_UP)
    assert list(Assessment.objects.surveys()) == [survey]
    assert list(Assessment.objects.self_tests()) == [self_test]
    assert list(Assessment.objects.filter(city=people.ghent).self_tests()) == [self_test]


@pytest.mark.parametrize(
    ("kind", "in_round"),
    [
        (AssessmentKind.SURVEY, False),
        (AssessmentKind.SELF_TEST, True),
        (AssessmentKind.BASELINE, True),
        ("nonsense", False),
    ],
)
def test_the_database_refuses_a_kind_that_contradicts_the_round(
    people: People, open_round: Round, charter: Framework, kind: str, in_round: bool
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            city=people.ghent,
            framework=charter,
            round=open_round if in_round else None,
            kind=kind,
        )
