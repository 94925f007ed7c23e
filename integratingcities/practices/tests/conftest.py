from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from integratingcities.frameworks.models import Framework
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import CityFactory, People
from integratingcities.practices.services import practices_load_path

if TYPE_CHECKING:
    from integratingcities.assessments.models import Assessment

SAMPLE = Path(__file__).parent / "sample_practices.yaml"
FRAMEWORKS = Path(settings.BASE_DIR) / "content" / "frameworks"


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(path=FRAMEWORKS / "charter.v1.yaml", publish=True).framework


@pytest.fixture
def benchmark(db: None) -> Framework | None:
    path = FRAMEWORKS / "anti-discrimination-job-market.v1.yaml"
    if not path.exists():
        return None
    return framework_import_path(path=path, publish=True).framework


@pytest.fixture
def library(people: People, charter: Framework, benchmark: Framework | None) -> None:
    """The sample practices, with their cities."""
    CityFactory(name="Vienna", slug="vienna", country="AT")
    CityFactory(name="Nantes", slug="nantes", country="FR")
    CityFactory(name="Barcelona", slug="barcelona", country="ES")
    practices_load_path(SAMPLE)


@pytest.fixture
def ghent_assessment(people: People, charter: Framework) -> "Assessment":
    """Ghent's survey in an open round, with evidence on one commitment and none on another."""
    from datetime import date

    from integratingcities.assessments.models import Assessment
    from integratingcities.assessments.services import AnswerInput, answers_save
    from integratingcities.frameworks.models import Item, Level
    from integratingcities.rounds.models import Round

    round_ = Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )
    assessment = Assessment.objects.create(city=people.ghent, framework=charter, round=round_)
    items = {item.key: item for item in Item.objects.filter(section__framework=charter)}
    levels = {level.key: level for level in Level.objects.filter(scale__framework=charter)}
    answers_save(
        assessment=assessment,
        user=people.editor,
        inputs={
            items["workforce-diversity"]: AnswerInput(
                level=levels["partly"],
                evidence=(
                    "Ghent sets a target of 10% staff of foreign origin by 2030. It reports on "
                    "progress every year to the council."
                ),
                links=("https://example.org/ghent-targets",),
            ),
            items["fair-treatment-of-staff"]: AnswerInput(level=levels["not_at_all"]),
        },
        base_versions={},
    )
    return assessment
