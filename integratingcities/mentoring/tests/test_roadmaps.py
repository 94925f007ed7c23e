"""Writing a roadmap through its pages: who may, what is refused, nothing half-written."""

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from integratingcities.audit.models import Action as AuditAction
from integratingcities.audit.models import AuditEntry
from integratingcities.downloads.urls import link
from integratingcities.frameworks.models import Section
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People, SignatoryFactory, UserFactory, client_for
from integratingcities.mentoring import services
from integratingcities.mentoring.models import (
    Action,
    ActionReminder,
    Objective,
    ProgressReport,
    Roadmap,
    RoadmapComment,
    SchemeCity,
    SchemeRole,
    SupportGroupMember,
)
from integratingcities.notifications.models import Kind, Notification

from . import factories


@pytest.fixture
def roadmap(people: People) -> Roadmap:
    framework = factories.benchmark()
    factories.selftest(framework, people.ghent, "partly", days_ago=200)
    return Roadmap.objects.get(scheme=factories.scheme(people))


def _url(name: str, roadmap: Roadmap, **kwargs: object) -> str:
    return reverse(f"mentoring:{name}", kwargs={"pk": roadmap.pk, **kwargs})


def _factors(roadmap: Roadmap) -> list[Section]:
    assert roadmap.baseline is not None
    return list(Section.objects.filter(framework=roadmap.baseline.framework, is_context=False))


def _objective(roadmap: Roadmap, people: People, title: str = "Fair hiring") -> Objective:
    factor = _factors(roadmap)[0]
    return services.objective_save(
        actor=people.editor,
        roadmap=roadmap,
        data=services.ObjectiveInput(
            title=title, gap="No targets", change_sought="Targets set", key_factors=[factor]
        ),
    )


def _action(objective: Objective, people: People, due_on: date, **changes: Any) -> Action:
    data: dict[str, Any] = {"title": "Train recruiters", "owner": "HR", "due_on": due_on, **changes}
    return services.action_save(
        actor=people.editor, objective=objective, data=services.ActionInput(**data)
    )


class TestTheRoadmapPage:
    def test_the_editor_writes_objectives_actions_members_reports_and_a_visit(
        self, people: People, roadmap: Roadmap
    ) -> None:
        client = client_for(people.editor)
        factor = _factors(roadmap)[0]
        response = client.post(
            _url("row_new", roadmap, kind="objectives"),
            {
                "title": "Fair hiring in the city's own staff",
                "key_factors": [factor.pk],
                "gap": "No diversity targets",
                "root_cause": "Nobody owns the issue",
                "change_sought": "Targets in the HR plan",
            },
        )
        assert response.status_code == 302
        objective = Objective.objects.get(roadmap=roadmap)
        assert list(objective.key_factors.all()) == [factor]
        due = timezone.localdate() - timedelta(days=3)
        client.post(
            _url("action_new", roadmap, objective=objective.pk),
            {
                "title": "Anonymous CVs pilot",
                "owner": "HR department",
                "partners": "Unia",
                "due_on": due.isoformat(),
                "status": "in_progress",
            },
        )
        client.post(
            _url("row_new", roadmap, kind="members"),
            {"name": "Minderhedenforum", "type": "migrant_organisation", "role": "Adviser"},
        )
        client.post(
            _url("row_new", roadmap, kind="reports"),
            {"reported_on": "2026-06-30", "what_changed": "The pilot **started**."},
        )
        client.post(
            _url("visit_new", roadmap),
            {"visited_on": "2026-03-10", "who_came": "Tampere, MigrationWork CIC"},
        )
        page = client.get(_url("roadmap", roadmap)).content.decode()
        assert "Anonymous CVs pilot" in page
        assert "1 action is late" in page
        assert "Minderhedenforum" in page
        assert "<strong>started</strong>" in page
        assert "Tampere, MigrationWork CIC" in page
        assert factor.title["en"] in page
        assert AuditEntry.objects.filter(action=AuditAction.ROADMAP_CHANGED).count() == 5

    def test_forms_name_the_field_they_refuse_and_write_nothing(
        self, people: People, roadmap: Roadmap
    ) -> None:
        client = client_for(people.editor)
        objective = _objective(roadmap, people)
        response = client.post(
            _url("action_new", roadmap, objective=objective.pk),
            {"title": "", "owner": "HR", "starts_on": "2026-05-01", "due_on": "2026-04-01"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "This field is required." in page
        assert "The action is due before it starts." in page
        assert not Action.objects.exists()
        bad_date = client.post(
            _url("row_new", roadmap, kind="reports"),
            {"reported_on": "31/31/2026", "what_changed": "x"},
        )
        assert "Enter a valid date." in bad_date.content.decode()
        assert not ProgressReport.objects.exists()

    def test_a_key_factor_of_another_framework_is_refused(
        self, people: People, roadmap: Roadmap
    ) -> None:
        charter = framework_import_path(
            path=factories.CONTENT / "frameworks" / "charter.v1.yaml", publish=True
        ).framework
        role = Section.objects.filter(framework=charter)[0]
        with pytest.raises(services.MentoringError, match="Key factors must be those"):
            services.objective_save(
                actor=people.editor,
                roadmap=roadmap,
                data=services.ObjectiveInput(
                    title="t", gap="g", change_sought="c", key_factors=[role]
                ),
            )
        assert not Objective.objects.exists()
        form = client_for(people.editor).post(
            _url("row_new", roadmap, kind="objectives"),
            {"title": "t", "gap": "g", "change_sought": "c", "key_factors": [role.pk]},
        )
        assert "Select a valid choice." in form.content.decode()
        assert not Objective.objects.exists()

    def test_hostile_input_is_escaped_and_sanitised(self, people: People, roadmap: Roadmap) -> None:
        client = client_for(people.editor)
        client.post(
            _url("row_new", roadmap, kind="reports"),
            {"reported_on": "2026-06-30", "what_changed": "<script>alert(1)</script>**ok**"},
        )
        client.post(
            _url("row_new", roadmap, kind="members"),
            {"name": "<img src=x onerror=alert(1)>", "type": "ngo"},
        )
        client.post(_url("comment", roadmap), {"body": "<script>steal()</script>"})
        page = client.get(_url("roadmap", roadmap)).content.decode()
        assert "<script>" not in page
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        unknown = client.post(
            _url("row_new", roadmap, kind="members"), {"name": "X", "type": "spy"}
        )
        assert "Select a valid choice." in unknown.content.decode()
        assert client.get(_url("row_new", roadmap, kind="secrets")).status_code == 404
        huge = client.get(_url("row_edit", roadmap, kind="actions", row=2**70))
        assert huge.status_code == 404

    def test_a_row_of_another_roadmap_is_a_404_and_stays(
        self, people: People, roadmap: Roadmap
    ) -> None:
        oslo = SignatoryFactory.create(name="Oslo", slug="oslo", country="NO")
        other = services.scheme_create(
            actor=people.secretariat,
            benchmark=factories.benchmark(),
            name="Other",
            project="",
            starts_on=date(2025, 1, 1),
            ends_on=None,
            facilitator="",
            mentors=[],
            implementing=[oslo],
        )
        theirs = Roadmap.objects.get(scheme=other)
        member = SupportGroupMember.objects.create(roadmap=theirs, name="Theirs", type="ngo")
        client = client_for(people.editor)
        assert (
            client.get(_url("row_edit", roadmap, kind="members", row=member.pk)).status_code == 404
        )
        assert (
            client.post(_url("row_delete", roadmap, kind="members", row=member.pk)).status_code
            == 404
        )
        assert SupportGroupMember.objects.filter(pk=member.pk).exists()

    def test_deleting_an_objective_takes_its_actions(
        self, people: People, roadmap: Roadmap
    ) -> None:
        objective = _objective(roadmap, people)
        _action(objective, people, date(2026, 1, 1))
        client = client_for(people.editor)
        confirm = client.get(_url("row_delete", roadmap, kind="objectives", row=objective.pk))
        assert "Its actions are deleted with it." in confirm.content.decode()
        client.post(_url("row_delete", roadmap, kind="objectives", row=objective.pk))
        assert not Objective.objects.exists()
        assert not Action.objects.exists()


class TestAccess:
    def test_mentors_and_the_facilitator_read_and_comment_but_do_not_edit(
        self, people: People, roadmap: Roadmap
    ) -> None:
        tampere_editor = UserFactory.create(email="editor.tampere@example.org")
        tampere = SchemeCity.objects.get(scheme=roadmap.scheme, role=SchemeRole.MENTOR).city
        tampere_editor.memberships.create(city=tampere, role="editor")
        facilitator = UserFactory.create(email="facilitator@example.org")
        scheme = roadmap.scheme
        scheme.facilitator_user = facilitator
        scheme.save()
        for person in (tampere_editor, facilitator):
            client = client_for(person)
            assert client.get(_url("roadmap", roadmap)).status_code == 200
            assert client.get(_url("roadmap_edit", roadmap)).status_code == 403
            client.post(_url("comment", roadmap), {"body": f"From {person.email}"})
            with pytest.raises(NotAllowed):
                _objective(roadmap, people.__class__(**{**people.__dict__, "editor": person}))
        assert RoadmapComment.objects.count() == 2
        facilitator_client = client_for(facilitator)
        assert facilitator_client.get(_url("visit_new", roadmap)).status_code == 200

    def test_a_mentor_of_another_scheme_gets_404_everywhere(
        self, people: People, roadmap: Roadmap
    ) -> None:
        oslo = SignatoryFactory.create(name="Oslo", slug="oslo", country="NO")
        services.scheme_create(
            actor=people.secretariat,
            benchmark=factories.benchmark(),
            name="Riga mentors Oslo",
            project="",
            starts_on=date(2025, 1, 1),
            ends_on=None,
            facilitator="",
            mentors=[people.riga],
            implementing=[oslo],
        )
        client = client_for(people.outsider)
        for name in ("roadmap", "roadmap_edit", "visit_new"):
            assert client.get(_url(name, roadmap)).status_code == 404
        assert (
            client.get(reverse("mentoring:dashboard", kwargs={"pk": roadmap.scheme_id})).status_code
            == 404
        )
        assert client.post(_url("comment", roadmap), {"body": "x"}).status_code == 404
        assert not RoadmapComment.objects.exists()
        assert client.get(link("mentoring.roadmap_pdf", roadmap=roadmap.pk)).status_code == 404


class TestMonitoring:
    def test_the_dashboard_counts_on_track_late_and_done(
        self, people: People, roadmap: Roadmap
    ) -> None:
        objective = _objective(roadmap, people)
        today = timezone.localdate()
        _action(objective, people, today + timedelta(days=30), title="On track")
        _action(objective, people, today - timedelta(days=2), title="Late one")
        _action(objective, people, today - timedelta(days=9), title="Done one", status="done")
        _action(objective, people, today - timedelta(days=9), title="Dropped", status="dropped")
        page = client_for(people.viewer).get(
            reverse("mentoring:dashboard", kwargs={"pk": roadmap.scheme_id})
        )
        body = page.content.decode()
        assert page.status_code == 200
        row = body.split("Actions per roadmap")[1].split("</tr>")[1]
        cells = re.findall(r"<td[^>]*>([^<]*)", row)
        assert cells == ["1", "1 ", "1", "1", "4"]
        assert "Timeline of the actions of Ghent" in body

    def test_baseline_against_follow_up_per_key_factor(
        self, people: People, roadmap: Roadmap
    ) -> None:
        assert roadmap.baseline is not None
        framework = roadmap.baseline.framework
        later = factories.selftest(framework, people.ghent, "yes", days_ago=5)
        services.roadmap_update(
            actor=people.editor,
            roadmap=roadmap,
            summary="",
            baseline=roadmap.baseline,
            follow_up=later,
        )
        found = services.selectors.factor_scores(Roadmap.objects.get(pk=roadmap.pk))
        assert found and all(f.baseline == 50 and f.follow_up == 100 for f in found)
        with pytest.raises(services.MentoringError, match="later self-test"):
            services.roadmap_update(
                actor=people.editor,
                roadmap=roadmap,
                summary="",
                baseline=later,
                follow_up=roadmap.baseline,
            )


class TestReminders:
    def test_an_action_is_reminded_once_before_and_once_after(
        self, people: People, roadmap: Roadmap, django_capture_on_commit_callbacks: Any
    ) -> None:
        objective = _objective(roadmap, people)
        today = date(2026, 6, 1)
        action = _action(objective, people, today + timedelta(days=5))
        _action(objective, people, today + timedelta(days=5), title="Done", status="done")
        _action(objective, people, today + timedelta(days=60), title="Far off")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.mentoring_reminders_send_due(today) == 1
            assert services.mentoring_reminders_send_due(today) == 0  # never twice
        assert [m.to for m in mail.outbox] == [[people.editor.email]]
        assert "Due soon in the roadmap of Ghent: Train recruiters" in mail.outbox[0].subject
        assert (
            Notification.objects.filter(kind=Kind.ACTION_DUE, recipient=people.editor).count() == 1
        )
        later = today + timedelta(days=5 + 7)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.mentoring_reminders_send_due(later) == 1
        assert "Overdue" in mail.outbox[-1].subject
        assert services.mentoring_reminders_send_due(later + timedelta(days=3)) == 0
        assert ActionReminder.objects.filter(action=action).count() == 2
        assert not Notification.objects.filter(
            recipient__in=[people.viewer, people.outsider]
        ).exists()

    def test_a_new_due_date_is_reminded_again(self, people: People, roadmap: Roadmap) -> None:
        objective = _objective(roadmap, people)
        today = date(2026, 6, 1)
        action = _action(objective, people, today + timedelta(days=1))
        assert services.mentoring_reminders_send_due(today) == 1
        services.action_save(
            actor=people.editor,
            objective=objective,
            action=action,
            data=services.ActionInput(title="t", owner="o", due_on=today + timedelta(days=3)),
        )
        assert services.mentoring_reminders_send_due(today) == 1


class TestPdfAndApi:
    def test_the_roadmap_prints_to_a_pdf(self, people: People, roadmap: Roadmap) -> None:
        objective = _objective(roadmap, people, title="Fair hiring in city jobs")
        _action(objective, people, date(2026, 1, 1), title="Anonymous CVs pilot")
        SupportGroupMember.objects.create(roadmap=roadmap, name="Minderhedenforum", type="ngo")
        client = client_for(people.reviewer)
        ready = client.get(link("mentoring.roadmap_pdf", roadmap=roadmap.pk), follow=True)
        assert ready.status_code == 200
        served = client.get(link("mentoring.roadmap_pdf", roadmap=roadmap.pk))
        content = b"".join(served.streaming_content) if served.streaming else served.content  # type: ignore[attr-defined]
        reader = PdfReader(io.BytesIO(content))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert "Roadmap of Ghent" in text
        assert "Anonymous CVs pilot" in text
        assert "Minderhedenforum" in text

    def test_the_api_lists_schemes_with_cities_by_role_and_no_roadmap(
        self, people: People, roadmap: Roadmap
    ) -> None:
        SupportGroupMember.objects.create(roadmap=roadmap, name="Secret member", type="ngo")
        listed = client_for(None).get("/api/v1/schemes/").json()
        scheme = listed["items"][0]
        assert scheme["mentors"] == [{"slug": "tampere", "name": "Tampere"}]
        assert scheme["implementing"] == [{"slug": "ghent", "name": "Ghent"}]
        assert scheme["benchmark"] == factories.LINEAGE
        one = client_for(None).get(f"/api/v1/schemes/{roadmap.scheme_id}")
        assert one.status_code == 200
        assert "Secret member" not in one.content.decode()
        assert "roadmap" not in one.content.decode().lower()
        assert client_for(None).get("/api/v1/schemes/0").status_code == 404
        assert client_for(None).get(f"/api/v1/schemes/{2**70}").status_code in {404, 422}
