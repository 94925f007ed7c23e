"""A published round and a benchmark, with answers in every state: only some may be published.

Every text that must never leave the platform carries ``SECRET``; the validated, published
answers carry ``PUBLIC``."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import scores_record
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import CityFactory, People
from integratingcities.rounds.models import Round, RoundStatus

CONTENT = Path(settings.BASE_DIR) / "content/frameworks"
BENCHMARK = "anti-discrimination-job-market"
FORMULA = '=HYPERLINK("http://evil.example","PUBLIC click")'


@dataclass
class World:
    charter: Framework
    benchmark: Framework
    published: Round
    unpublished: Round
    ghent: Assessment  # validated, in the published round
    shared: Assessment  # Ghent's validated self-test, shared


def _answer_all(assessment: Assessment, marker: str, level_key: str) -> None:
    """An answer to every question: rated ones at ``level_key`` with evidence naming the marker,
    the others with text or a number."""
    levels: dict[tuple[int | None, str], Level] = {
        (level.scale_id, level.key): level
        for level in Level.objects.filter(scale__framework=assessment.framework)
    }
    answers = []
    for item in Item.objects.filter(section__framework=assessment.framework):
        answer = Answer(assessment=assessment, item=item, is_answered=True, version=1)
        if item.kind == ItemKind.RATING:
            answer.level = levels.get((item.scale_id, level_key)) or next(
                level for (scale, _k), level in levels.items() if scale == item.scale_id
            )
            answer.evidence = f"{marker} evidence for {item.key}"
            answer.links = [f"https://example.org/{marker.lower()}"]
        elif item.kind == ItemKind.NUMBER:
            answer.number = 12
        elif item.kind == ItemKind.TEXT:
            answer.text = f"{marker} text for {item.key}"
        else:
            answer.choices = [item.options[0]["key"]] if item.options else []
        answers.append(answer)
    Answer.objects.bulk_create(answers)


def _assessment(city: City, framework: Framework, state: str, **more: object) -> Assessment:
    now = timezone.now()
    validated = state == AssessmentState.VALIDATED
    return Assessment.objects.create(
        city=city,
        framework=framework,
        state=state,
        submitted_at=now if state in {"submitted", "validated"} else None,
        validated_at=now if validated else None,
        **more,
    )


@pytest.fixture
def world(people: People) -> World:
    charter = framework_import_path(path=CONTENT / "charter.v1.yaml", publish=True).framework
    benchmark = framework_import_path(path=CONTENT / f"{BENCHMARK}.v1.yaml", publish=True).framework
    dates = {"opens_on": date(2026, 1, 1), "closes_on": date(2026, 6, 30), "framework": charter}
    published = Round.objects.create(title="Survey 2026", status=RoundStatus.PUBLISHED, **dates)
    unpublished = Round.objects.create(title="Survey 2028", status=RoundStatus.CLOSED, **dates)
    oslo = CityFactory.create(name="Oslo", slug="oslo", country="NO")

    ghent = _assessment(people.ghent, charter, "validated", round=published)
    _answer_all(ghent, "PUBLIC", "fully")
    # The first commitment's evidence is a formula a spreadsheet would run.
    first = Answer.objects.filter(assessment=ghent, item__kind=ItemKind.RATING).order_by("pk")[0]
    first.evidence = FORMULA
    first.save()
    riga = _assessment(people.riga, charter, "submitted", round=published)
    _answer_all(riga, "SECRET-SUBMITTED", "partly")
    draft = _assessment(oslo, charter, "in_progress", round=published)
    _answer_all(draft, "SECRET-DRAFT", "partly")
    hidden = _assessment(oslo, charter, "validated", round=unpublished)
    _answer_all(hidden, "SECRET-UNPUBLISHED", "fully")

    shared = _assessment(people.ghent, benchmark, "validated", share_evidence=True)
    _answer_all(shared, "PUBLIC-SHARED", "yes")
    unshared = _assessment(people.riga, benchmark, "validated", share_evidence=False)
    _answer_all(unshared, "SECRET-UNSHARED", "yes")
    drafting = _assessment(oslo, benchmark, "in_progress", share_evidence=True)
    _answer_all(drafting, "SECRET-SELFTEST-DRAFT", "yes")
    scores_record(assessments=[ghent, hidden, shared, unshared])
    return World(charter, benchmark, published, unpublished, ghent, shared)
