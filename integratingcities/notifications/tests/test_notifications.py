"""Who is told what: each event reaches the people it concerns, and nobody of another city."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from integratingcities.assessments.models import Assessment, AssessmentState, Comment
from integratingcities.assessments.services import (
    assessment_request_changes,
    assessment_submit,
    assessment_validate,
)
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.audit.selectors import describe
from integratingcities.frameworks.models import Framework, Item
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, UserFactory, client_for
from integratingcities.notifications import services
from integratingcities.notifications.models import Kind, Notification, OptOut
from integratingcities.practices.models import Practice, PracticeStatus
from integratingcities.practices.services import practice_publish, practice_return
from integratingcities.rounds.models import Round, RoundStatus
from integratingcities.rounds.services import (
    reminders_send_due,
    round_close,
    round_open,
    round_publish,
)


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework


@pytest.fixture
def run_on_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deliver notifications as each step ends, as after a real commit (the test's own
    transaction never commits)."""
    monkeypatch.setattr(
        "integratingcities.notifications.services.transaction.on_commit",
        lambda callback, *args, **kwargs: callback(),
    )


def _open(people: People, charter: Framework, **extra: Any) -> Round:
    return round_open(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 12, 31),
        cities=[people.ghent, people.riga],
        user=people.secretariat,
        **extra,
    )


def _told(kind: Kind) -> dict[str, list[str]]:
    """Recipient e-mail -> subjects of the notifications of one kind."""
    told: dict[str, list[str]] = {}
    for note in Notification.objects.filter(kind=kind).select_related("recipient"):
        told.setdefault(note.recipient.email, []).append(note.subject)
    return told


def _mails_to(email: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [email]]


def _submitted(people: People, round_: Round) -> Assessment:
    assessment = Assessment.objects.get(round=round_, city=people.ghent)
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.IN_PROGRESS)
    assessment.refresh_from_db()
    return assessment


def test_opening_a_round_tells_each_city_about_its_own_survey_only(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter)
    assert _told(Kind.SURVEY_OPENED) == {
        "editor.ghent@example.org": ["Survey 2026: Ghent is invited"],
        "viewer.ghent@example.org": ["Survey 2026: Ghent is invited"],
        "editor.riga@example.org": ["Survey 2026: Riga is invited"],
    }
    ghent = Assessment.objects.get(round=round_, city=people.ghent)
    riga = Assessment.objects.get(round=round_, city=people.riga)
    (to_ghent,) = _mails_to("editor.ghent@example.org")
    assert f"http://testserver/assessments/{ghent.pk}/" in to_ghent.body
    assert "Riga" not in to_ghent.body and f"/assessments/{riga.pk}/" not in to_ghent.body
    (to_riga,) = _mails_to("editor.riga@example.org")
    assert "Ghent" not in to_riga.body + to_riga.subject
    assert "start from your city's answers of last time" not in to_riga.body  # no last time
    # The reviewer and the secretariat have nothing to do yet.
    assert not _mails_to("reviewer@example.org") and not _mails_to("secretariat@example.org")
    note = Notification.objects.get(recipient=people.editor)
    assert note.url == ghent.get_absolute_url() and note.emailed_at is not None


def test_a_submission_tells_the_citys_reviewers_and_the_secretariat(
    people: People, charter: Framework, run_on_commit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_ = _open(people, charter, notify=False)
    assessment = _submitted(people, round_)
    # Nothing is missing: the point here is who hears of it.
    monkeypatch.setattr("integratingcities.assessments.services.assessment_missing", lambda a: [])
    other_reviewer = UserFactory.create(email="reviewer.riga@example.org")
    other_reviewer.memberships.create(city=people.riga, role="reviewer")

    assessment_submit(assessment=assessment, user=people.editor)

    assert sorted(_told(Kind.SUBMITTED)) == ["reviewer@example.org", "secretariat@example.org"]
    (to_reviewer,) = _mails_to("reviewer@example.org")
    assert to_reviewer.subject == "Ghent submitted its answers to Survey 2026"
    assert f"/assessments/{assessment.pk}/review/" in to_reviewer.body


def test_asking_for_changes_sends_the_comments_to_the_citys_editors(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter, notify=False)
    assessment = _submitted(people, round_)
    Assessment.objects.filter(pk=assessment.pk).update(
        state=AssessmentState.SUBMITTED, submitted_at=round_.created_at
    )
    item = Item.objects.filter(section__framework=charter).first()
    assert item is not None
    Comment.objects.create(
        assessment=assessment, item=item, author=people.reviewer, text="Add the 2025 budget."
    )

    assessment_request_changes(assessment=assessment, user=people.reviewer)

    assert list(_told(Kind.CHANGES_REQUESTED)) == ["editor.ghent@example.org"]
    (message,) = mail.outbox
    assert message.subject == "Changes asked for: Ghent, Survey 2026"
    assert "Add the 2025 budget." in message.body
    assert str(people.reviewer) in message.body


def test_a_validation_tells_the_city(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter, notify=False)
    assessment = _submitted(people, round_)
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.SUBMITTED)
    assessment_validate(assessment=assessment, user=people.reviewer, reason="Annex covers it.")
    assert sorted(_told(Kind.VALIDATED)) == ["editor.ghent@example.org", "viewer.ghent@example.org"]


def test_publishing_tells_each_city_whether_its_answers_count(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter, notify=False)
    Assessment.objects.filter(round=round_, city=people.ghent).update(
        state=AssessmentState.VALIDATED
    )
    round_close(round_=round_, user=people.secretariat)
    round_publish(round_=Round.objects.get(pk=round_.pk), user=people.secretariat)

    told = _told(Kind.ROUND_PUBLISHED)
    assert sorted(told) == [
        "editor.ghent@example.org",
        "editor.riga@example.org",
        "reviewer@example.org",
        "viewer.ghent@example.org",
    ]
    (to_ghent,) = _mails_to("editor.ghent@example.org")
    assert "The validated answers of Ghent count in them." in to_ghent.body
    (to_riga,) = _mails_to("editor.riga@example.org")
    assert "The answers of Riga were not validated" in to_riga.body
    assert "Ghent" not in to_riga.body
    assert reverse("rounds:results", args=[round_.pk]) in to_riga.body


def test_a_practice_sent_back_or_published_tells_the_citys_editors(
    people: People, run_on_commit: None
) -> None:
    practice = Practice.objects.create(
        key="welcome-desk",
        title="Welcome desk",
        city=people.ghent,
        summary="s",
        source="submitted",
        status=PracticeStatus.PROPOSED,
        created_by=people.editor,
    )
    practice_return(practice=practice, user=people.secretariat, comment="Say who pays for it.")
    (sent_back,) = mail.outbox
    assert sent_back.to == ["editor.ghent@example.org"]
    assert sent_back.subject == "Sent back to you: Welcome desk"
    assert "Say who pays for it." in sent_back.body

    Practice.objects.filter(pk=practice.pk).update(status=PracticeStatus.PROPOSED)
    practice_publish(practice=Practice.objects.get(pk=practice.pk), user=people.secretariat)
    assert [m.subject for m in mail.outbox][1:] == ["Published: Welcome desk"]


def test_a_person_who_turned_a_kind_off_is_not_told(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    page = client_for(people.viewer).post(
        reverse("notifications:settings"),
        {"receive": [kind for kind in Kind.values if kind != Kind.SURVEY_OPENED]},
    )
    assert page.status_code == 302
    assert list(OptOut.objects.values_list("user__email", "kind")) == [
        ("viewer.ghent@example.org", "survey_opened")
    ]
    _open(people, charter)
    assert "viewer.ghent@example.org" not in _told(Kind.SURVEY_OPENED)
    assert not _mails_to("viewer.ghent@example.org")
    assert _mails_to("editor.ghent@example.org")


def test_the_settings_refuse_unknown_kinds_and_languages(people: People) -> None:
    client = client_for(people.editor)
    response = client.post(
        reverse("notifications:settings"), {"receive": ["everything"], "language": "xx"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "receive" in errors and "language" in errors
    assert not OptOut.objects.exists()


def test_each_letter_is_written_in_its_readers_language(
    people: People, charter: Framework, run_on_commit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    people.editor.language = "fr"
    people.editor.save()
    languages: dict[str, str] = {}
    render = services.render_text

    def spy(template: str, context: dict[str, Any]) -> str:
        languages[context["user"].email] = translation.get_language()
        return render(template, context)

    monkeypatch.setattr(services, "render_text", spy)
    _open(people, charter)
    assert languages["editor.ghent@example.org"] == "fr"
    assert languages["viewer.ghent@example.org"] == "en"


def test_the_home_page_lists_new_notifications_and_opening_one_marks_it_read(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter)
    client = client_for(people.editor)
    home = client.get(reverse("accounts:home")).content.decode()
    assert "New for you" in home
    assert "Survey 2026: Ghent is invited" in home
    assert "1 new" in home  # beside "Notifications" in the menu
    note = Notification.objects.get(recipient=people.editor)
    opened = client.get(reverse("notifications:open", args=[note.pk]))
    assessment = Assessment.objects.get(round=round_, city=people.ghent)
    assert opened["Location"] == assessment.get_absolute_url()
    note.refresh_from_db()
    assert note.is_read
    assert "New for you" not in client.get(reverse("accounts:home")).content.decode()
    # Another person's notification does not exist for the viewer.
    assert (
        client_for(people.viewer).get(reverse("notifications:open", args=[note.pk])).status_code
        == 404
    )


def test_mark_all_as_read(people: People, charter: Framework, run_on_commit: None) -> None:
    _open(people, charter)
    client = client_for(people.editor)
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=people.editor, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=people.viewer, read_at__isnull=True).exists()


# ---------------------------------------------------------------------------------------
# Scheduled reminders


def test_scheduled_reminders_go_once_each_to_cities_that_have_not_submitted(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter, notify=False, reminder_days=[3, 14])
    assert round_.reminder_days == [14, 3]
    Assessment.objects.filter(round=round_, city=people.riga).update(
        state=AssessmentState.SUBMITTED
    )
    closes = round_.closes_on
    assert reminders_send_due(today=closes - timedelta(days=15)) == 0
    assert reminders_send_due(today=closes - timedelta(days=14)) == 1
    assert [m.to for m in mail.outbox] == [["editor.ghent@example.org"]]
    assert mail.outbox[0].subject == "Reminder: Ghent has not submitted Survey 2026"
    assert reminders_send_due(today=closes - timedelta(days=13)) == 0  # not twice
    assert reminders_send_due(today=closes - timedelta(days=3)) == 1
    assert len(mail.outbox) == 2
    entry = AuditEntry.objects.filter(action=Action.ROUND_REMINDED).last()
    assert entry is not None and entry.actor is None
    assert (
        describe(entry)
        == "The platform sent the reminder due 3 days before the deadline to 1 city."
    )


def test_reminders_due_together_go_as_one(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter, notify=False, reminder_days=[14, 3])
    assert reminders_send_due(today=round_.closes_on - timedelta(days=1)) == 1
    assert len(_mails_to("editor.ghent@example.org")) == 1
    assert Round.objects.get(pk=round_.pk).reminders_sent == [14, 3]


def test_no_reminder_for_a_closed_round(
    people: People, charter: Framework, run_on_commit: None
) -> None:
    round_ = _open(people, charter, notify=False)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    assert reminders_send_due(today=round_.closes_on) == 0
    assert mail.outbox == []


def test_the_round_form_refuses_reminder_days_that_are_not_days(
    people: People, charter: Framework
) -> None:
    response = client_for(people.secretariat).post(
        reverse("rounds:create"),
        {
            "title": "Survey",
            "framework": charter.pk,
            "opens_on": "2026-01-10",
            "closes_on": "2026-03-31",
            "cities": [people.ghent.pk],
            "reminder_days": "14, two",
        },
    )
    assert response.context["form"].errors["reminder_days"] == [
        "“two” is not a number of days: give whole numbers between 1 and 365, separated by commas."
    ]
    assert not Round.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_delivers_and_reminders_wait_for_their_day(
    people: People, charter: Framework, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    round_ = round_open(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 12, 31),
        cities=[people.ghent],
        user=people.secretariat,
        reminder_days=[14, 3],
    )
    assert mail.outbox == []  # queued, not sent by the request
    waiting = DBTaskResult.objects.filter(task_path__endswith="send_due_reminders")
    assert sorted(task.run_after.date() for task in waiting) == [
        round_.closes_on - timedelta(days=14),
        round_.closes_on - timedelta(days=3),
    ]
    call_command("db_worker", batch=True, startup_delay=False, interval=0)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "editor.ghent@example.org",
        "viewer.ghent@example.org",
    ]
    assert waiting.filter(status="READY").count() == 2  # their day has not come
