from datetime import date

import pytest

from integratingcities.audit.models import Action, AuditEntry
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People
from integratingcities.mentoring.models import Roadmap, Scheme, SchemeCity, SchemeRole
from integratingcities.mentoring.services import MentoringError

from . import factories


def test_it_forms_a_scheme_with_a_roadmap_per_implementing_city(people: People) -> None:
    framework = factories.benchmark()
    baseline = factories.selftest(framework, people.ghent, "partly")
    scheme = factories.scheme(people)
    roles = dict(SchemeCity.objects.filter(scheme=scheme).values_list("city__slug", "role"))
    assert roles == {"ghent": SchemeRole.IMPLEMENTING, "tampere": SchemeRole.MENTOR}
    roadmap = Roadmap.objects.get(scheme=scheme)
    assert roadmap.city == people.ghent
    assert roadmap.baseline == baseline
    assert scheme.toolkit is not None and scheme.toolkit.key == factories.LINEAGE
    assert scheme.theme == "Anti-discrimination strategies for the local job market"
    assert AuditEntry.objects.filter(action=Action.SCHEME_CREATED, target_id=scheme.pk).exists()


def test_it_refuses_anyone_but_the_secretariat(people: People) -> None:
    with pytest.raises(NotAllowed):
        factories.scheme(people, actor=people.editor)
    assert not Scheme.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"implementing": []}, "at least one implementing city"),
        ({"mentors": "GHENT"}, "both mentor and implementing"),
        ({"ends_on": date(2024, 1, 1)}, "ends before it starts"),
        ({"name": ""}, "name"),
    ],
)
def test_it_refuses_a_bad_scheme_and_writes_nothing(
    people: People, changes: dict[str, object], message: str
) -> None:
    if changes.get("mentors") == "GHENT":
        changes = {"mentors": [people.ghent]}
    with pytest.raises(MentoringError, match=message):
        factories.scheme(people, **changes)
    assert not Scheme.objects.exists()
    assert not Roadmap.objects.exists()
    assert not SchemeCity.objects.exists()
