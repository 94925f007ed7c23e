from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import Framework
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People
from integratingcities.rounds.models import Round


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework


@pytest.fixture
def open_round(people: People, charter: Framework) -> Round:
    return Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )


@pytest.fixture
def ghent_assessment(people: People, open_round: Round) -> Assessment:
    return Assessment.objects.create(
        city=people.ghent, framework=open_round.framework, round=open_round
    )


@pytest.fixture
def riga_assessment(people: People, open_round: Round) -> Assessment:
    return Assessment.objects.create(
        city=people.riga, framework=open_round.framework, round=open_round
    )
