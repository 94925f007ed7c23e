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
def ghent_assessment(people: People, charter: Framework) -> Assessment:
    round_ = Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )
    return Assessment.objects.create(city=people.ghent, framework=charter, round=round_)


@pytest.fixture
def named(people: People) -> People:
    """The cast with names, as the history reads them."""
    for user, name in (
        (people.editor, "Ana Editor"),
        (people.reviewer, "Rui Reviewer"),
        (people.secretariat, "Sara Secretariat"),
    ):
        user.name = name
        user.save(update_fields=["name"])
    return people
