from datetime import date

import pytest
from django.urls import reverse

from integratingcities.audit.models import Action, AuditEntry
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People, UserFactory, client_for
from integratingcities.mentoring.models import Roadmap, Scheme, SchemeCity, SchemeRole
from integratingcities.mentoring.services import MentoringError, scheme_update
from integratingcities.toolkits.models import Toolkit

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


def test_the_form_names_what_it_refuses_and_forms_nothing(people: People) -> None:
    factories.benchmark()
    toolkit = Toolkit.objects.get(key=factories.LINEAGE)
    client = client_for(people.secretariat)
    page = client.post(
        reverse("mentoring:create"),
        {
            "name": "",
            "toolkit": toolkit.pk,
            "starts_on": "2026-02-01",
            "ends_on": "2025-01-01",
            "mentors": "Ghent",
            "implementing": "ghent",
            "remind_days_before": "-1",
            "remind_days_after": "7",
        },
    ).content.decode()
    assert "This field is required." in page  # the name
    assert "The scheme ends before it starts." in page
    assert "A city cannot be both mentor and implementing in one scheme." in page
    assert "Ensure this value is greater than or equal to 0." in page
    unknown = client.post(
        reverse("mentoring:create"),
        {
            "name": "x",
            "toolkit": 2**70,
            "starts_on": "2026-02-01",
            "mentors": "Riga\n\nriga",
            "implementing": "<b>",
        },
    ).content.decode()
    assert "Select a valid choice." in unknown  # the toolkit
    assert "Line 1: no city called “&lt;b&gt;”." in unknown
    assert "<b>" not in unknown.split("<main", 1)[1]
    assert "Line 3: “riga” is listed twice." in unknown
    assert not Scheme.objects.exists()


def test_the_cities_are_typed_one_a_line_and_the_form_lists_no_city(people: People) -> None:
    """A menu of every city grew with the network; the cities are typed, by name or short
    name in any case, and the page is the same size however many cities there are."""
    factories.benchmark()
    toolkit = Toolkit.objects.get(key=factories.LINEAGE)
    client = client_for(people.secretariat)
    form = client.get(reverse("mentoring:create")).content.decode()
    assert "Riga" not in form and "Ghent" not in form
    assert 'name="implementing"' in form and "<textarea" in form

    response = client.post(
        reverse("mentoring:create"),
        {
            "name": "Housing peers",
            "toolkit": toolkit.pk,
            "starts_on": "2026-02-01",
            "facilitator": "The secretariat",
            "remind_days_before": "7",
            "remind_days_after": "7",
            "mentors": " RIGA \n",
            "implementing": "ghent",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    scheme = Scheme.objects.get(name="Housing peers")
    roles = dict(SchemeCity.objects.filter(scheme=scheme).values_list("city__slug", "role"))
    assert roles == {"ghent": SchemeRole.IMPLEMENTING, "riga": SchemeRole.MENTOR}


def test_the_secretariat_names_the_facilitator_who_then_reads_the_roadmaps(
    people: People,
) -> None:
    scheme = factories.scheme(people)
    roadmap = Roadmap.objects.get(scheme=scheme)
    facilitator = UserFactory.create(email="facilitator@example.org")
    assert client_for(facilitator).get(roadmap.get_absolute_url()).status_code == 404
    with pytest.raises(MentoringError, match="ends before it starts"):
        scheme_update(
            actor=people.secretariat,
            scheme=scheme,
            name="n",
            project="",
            starts_on=date(2026, 1, 1),
            ends_on=date(2025, 1, 1),
            facilitator="",
            facilitator_user=facilitator,
            remind_days_before=7,
            remind_days_after=7,
        )
    with pytest.raises(NotAllowed):
        scheme_update(
            actor=people.editor,
            scheme=scheme,
            name="n",
            project="",
            starts_on=date(2026, 1, 1),
            ends_on=None,
            facilitator="",
            facilitator_user=people.editor,
            remind_days_before=7,
            remind_days_after=7,
        )
    scheme_update(
        actor=people.secretariat,
        scheme=scheme,
        name="Renamed",
        project="",
        starts_on=date(2026, 1, 1),
        ends_on=None,
        facilitator="MigrationWork CIC",
        facilitator_user=facilitator,
        remind_days_before=3,
        remind_days_after=1,
    )
    assert client_for(facilitator).get(roadmap.get_absolute_url()).status_code == 200
    assert AuditEntry.objects.filter(action=Action.SCHEME_CHANGED).count() == 1
