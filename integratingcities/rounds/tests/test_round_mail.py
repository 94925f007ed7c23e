"""Invitations and reminders of a round: a title that is one line, subjects in plain text."""

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.frameworks.models import Framework
from integratingcities.lib.mail import render_subject
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.models import Round
from integratingcities.rounds.services import round_remind


def _open_round(people: People, charter: Framework, title: str, capture: Any) -> Any:
    with capture(execute=True):
        return client_for(people.secretariat).post(
            reverse("rounds:create"),
            {
                "title": title,
                "framework": charter.pk,
                "opens_on": "2026-01-10",
                "closes_on": "2026-03-31",
                "cities": [people.ghent.pk, people.riga.pk],
            },
        )


@pytest.mark.parametrize(
    "title",
    ["Survey 2026\nsecond line", "Survey 2026\r\nBcc: x@example.org", "Survey\x1b2026", "A\u2028B"],
    ids=["newline", "crlf-header", "escape", "line-separator"],
)
def test_a_title_on_two_lines_is_refused_before_anything_is_saved(
    people: People, charter: Framework, django_capture_on_commit_callbacks: Any, title: str
) -> None:
    response = _open_round(people, charter, title, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "The title must be one line, without line breaks or control characters."
    ]
    assert not Round.objects.exists()
    assert not Assessment.objects.exists()
    assert mail.outbox == []


def test_an_apostrophe_in_the_title_stays_an_apostrophe_in_the_invitation(
    people: People, charter: Framework, django_capture_on_commit_callbacks: Any
) -> None:
    response = _open_round(
        people, charter, "Cities' survey <2026>", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 3  # Ghent's editor and viewer, Riga's editor
    for message in mail.outbox:
        city = "Riga" if "riga" in message.to[0] else "Ghent"
        assert message.subject == f"Cities' survey <2026>: {city} is invited"
        assert "Cities' survey <2026>" in message.body
        assert "&#x27;" not in message.body


def test_a_reminder_subject_is_plain_and_on_one_line(
    people: People, charter: Framework, django_capture_on_commit_callbacks: Any
) -> None:
    """A title stored before the form refused line breaks (or through the admin) still mails."""
    round_ = Round.objects.create(
        title="Cities' survey\nsecond line",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 12, 31),
    )
    Assessment.objects.create(city=people.ghent, framework=charter, round=round_)
    with django_capture_on_commit_callbacks(execute=True):
        assert round_remind(round_=round_, user=people.secretariat).cities == 1
    assert [m.subject for m in mail.outbox] == [
        "Reminder: Ghent has not submitted Cities' survey second line"
    ]


def test_a_subject_is_one_line_without_control_characters() -> None:
    round_ = Round(title="  A & B's\r\n\tsurvey\x00\x7f ")
    subject = render_subject(
        "notifications/email/reminder_subject.txt", {"round": round_, "city": {"name": "Ghent"}}
    )
    assert subject == "Reminder: Ghent has not submitted A & B's survey"
