from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People
from integratingcities.practices.models import Practice
from integratingcities.rounds.models import Round, RoundStatus

# Written by Riga, whose answers are submitted but never validated: never in a report.
UNVALIDATED = "RIGA-UNVALIDATED-EVIDENCE-7f3a"
UNVALIDATED_TEXT = "RIGA-UNVALIDATED-TEXT-7f3a"
GHENT_EVIDENCE = "Ghent adopted a ten point action plan against discrimination."


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework


def answer(assessment: Assessment, key: str, **fields: object) -> Answer:
    """An answer to the item ``key``, or ``section/key`` where the key is in several sections."""
    section, _, key = key.rpartition("/")
    items = Item.objects.filter(section__framework=assessment.framework, key=key)
    item = items.get(section__key=section) if section else items.get()
    if "level" in fields:
        fields["level"] = Level.objects.get(
            scale__framework=assessment.framework, key=fields["level"]
        )
    return Answer.objects.create(
        assessment=assessment, item=item, is_answered=True, version=1, **fields
    )


def survey_2026(charter: Framework) -> Round:
    """A published round on the Charter, with no survey yet."""
    return Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 3, 31),
        status=RoundStatus.PUBLISHED,
    )


@pytest.fixture
def published_round(people: People, charter: Framework) -> Round:
    """A published round: Ghent validated (evidence, chapter-1 text, a challenge), Riga
    submitted and not validated."""
    round_ = survey_2026(charter)
    ghent = Assessment.objects.create(
        city=people.ghent, framework=charter, round=round_, state=AssessmentState.VALIDATED
    )
    answer(ghent, "equal-access-non-discrimination", level="fully", evidence=GHENT_EVIDENCE)
    answer(ghent, "communicate-commitment", level="partly", evidence="A charter page online.")
    answer(ghent, "workforce-diversity", level="not_at_all")
    answer(ghent, "organisation/description", text="Ghent has a department for integration.")
    answer(ghent, "challenge-policymaker", text="Ghent cannot reach newcomers by post.")
    riga = Assessment.objects.create(
        city=people.riga, framework=charter, round=round_, state=AssessmentState.SUBMITTED
    )
    answer(riga, "equal-access-non-discrimination", level="fully", evidence=UNVALIDATED)
    answer(riga, "challenge-policymaker", text=UNVALIDATED_TEXT)
    return round_


@pytest.fixture
def ghent_answer(published_round: Round) -> Answer:
    return Answer.objects.get(
        assessment__round=published_round,
        assessment__city__slug="ghent",
        item__key="equal-access-non-discrimination",
    )


@pytest.fixture
def riga_answer(published_round: Round) -> Answer:
    return Answer.objects.get(
        assessment__round=published_round,
        assessment__city__slug="riga",
        item__key="equal-access-non-discrimination",
    )


@pytest.fixture
def ghent_practice(people: People) -> Practice:
    return Practice.objects.create(
        key="ghent-action-plan",
        title="Ghent's action plan against discrimination",
        city=people.ghent,
        summary="s",
        source="report-2015",
        status="published",
    )
