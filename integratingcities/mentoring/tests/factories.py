"""What the mentoring tests build on: the shipped benchmark, validated self-tests, a scheme."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, SignatoryFactory
from integratingcities.mentoring.models import Scheme
from integratingcities.mentoring.services import scheme_create
from integratingcities.toolkits.services import toolkits_load

CONTENT = Path(settings.BASE_DIR) / "content"
LINEAGE = "anti-discrimination-job-market"


def benchmark() -> Framework:
    """The shipped benchmark, published, with the toolkit catalogue."""
    toolkits_load(yaml.safe_load((CONTENT / "toolkits.yaml").read_text()))
    found = Framework.objects.filter(lineage=LINEAGE, version=1).first()
    if found is not None:
        return found
    return framework_import_path(
        path=CONTENT / "frameworks" / f"{LINEAGE}.v1.yaml", publish=True
    ).framework


def selftest(framework: Framework, city: City, level: str, *, days_ago: int = 30) -> Assessment:
    """A validated self-test answering every rating item at ``level``."""
    when = timezone.now() - timedelta(days=days_ago)
    assessment = Assessment.objects.create(
        city=city, framework=framework, state=AssessmentState.VALIDATED, validated_at=when
    )
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when)
    assessment.refresh_from_db()
    chosen = Level.objects.filter(scale__framework=framework, key=level)
    for item in Item.objects.filter(section__framework=framework, kind="rating"):
        Answer.objects.create(
            assessment=assessment,
            item=item,
            level=chosen.get(scale=item.scale),
            is_answered=True,
            version=1,
        )
    return assessment


def scheme(people: People, **changes: Any) -> Scheme:
    """Ghent implements with Tampere as its mentor; Riga (the outsider) is in no role."""
    framework = benchmark()
    tampere = SignatoryFactory.create(name="Tampere", slug="tampere", country="FI")
    arguments: dict[str, Any] = {
        "actor": people.secretariat,
        "benchmark": framework,
        "name": "Anti-discrimination scheme",
        "project": "CITIES GROW",
        "starts_on": date(2025, 2, 1),
        "ends_on": date(2027, 1, 31),
        "facilitator": "MigrationWork CIC",
        "mentors": [tampere],
        "implementing": [people.ghent],
    }
    return scheme_create(**{**arguments, **changes})
