from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People
from integratingcities.rounds.models import Round, RoundStatus

FRAMEWORKS = Path(settings.BASE_DIR) / "content" / "frameworks"

Make = Callable[..., Assessment]


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(
        path=FRAMEWORKS / "anti-discrimination-job-market.v1.yaml", publish=True
    ).framework


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(path=FRAMEWORKS / "charter.v1.yaml", publish=True).framework


@pytest.fixture
def published_round(people: People, charter: Framework) -> Round:
    return Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 3, 31),
        status=RoundStatus.PUBLISHED,
    )


def rating_keys(framework: Framework) -> list[str]:
    return list(
        Item.objects.filter(section__framework=framework, kind=ItemKind.RATING)
        .exclude(section__is_context=True)
        .order_by("section__position", "position")
        .values_list("key", flat=True)
    )


@pytest.fixture
def make() -> Make:
    """An assessment with these levels (item key: level key), created ``days_ago``."""

    def make(
        framework: Framework,
        city: City,
        levels: dict[str, str],
        *,
        state: str = AssessmentState.VALIDATED,
        round_: Round | None = None,
        kind: str = "",
        days_ago: int = 10,
    ) -> Assessment:
        when = timezone.now() - timedelta(days=days_ago)
        assessment = Assessment.objects.create(
            city=city,
            framework=framework,
            round=round_,
            kind=kind,
            state=state,
            validated_at=when if state == AssessmentState.VALIDATED else None,
        )
        Assessment.objects.filter(pk=assessment.pk).update(created_at=when)
        assessment.refresh_from_db()
        items = {i.key: i for i in Item.objects.filter(section__framework=framework)}
        found = {level.key: level for level in Level.objects.filter(scale__framework=framework)}
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                item=items[key],
                level=found[level],
                evidence="e",
                is_answered=True,
                version=1,
            )
            for key, level in levels.items()
        )
        return assessment

    return make
