"""Decisions that cannot be undone by a click say what will happen, and ask first."""

from datetime import timedelta
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integratingcities.assessments.models import Assessment, AssessmentState, Comment
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.frameworks.models import Item
from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.rounds.models import Round, RoundStatus


def test_validating_with_required_answers_missing_needs_a_reason(
    people: People, ghent_assessment: Assessment
) -> None:
    Assessment.objects.filter(pk=ghent_assessment.pk).update(state=AssessmentState.SUBMITTED)
    url = reverse("assessments:validate", args=[ghent_assessment.pk])
    reviewer = client_for(people.reviewer)

    page = reviewer.get(url).content.decode()
    assert "required answers are missing" in page
    assert "Why validate although answers are missing" in page

    refused = reviewer.post(url, {"reason": " "}, follow=True)
    assert "say why you validate" in refused.content.decode()
    ghent_assessment.refresh_from_db()
    assert ghent_assessment.state == AssessmentState.SUBMITTED

    reviewer.post(url, {"reason": "The city answered these questions in its annex."})
    ghent_assessment.refresh_from_db()
    assert ghent_assessment.state == AssessmentState.VALIDATED
    entry = AuditEntry.objects.get(action=Action.ASSESSMENT_VALIDATED)
    assert entry.reason == "The city answered these questions in its annex."
    assert entry.data["missing"] > 0


def test_closing_early_says_so_and_counts_who_has_not_submitted(
    people: People, open_round: Round, ghent_assessment: Assessment, riga_assessment: Assessment
) -> None:
    Round.objects.filter(pk=open_round.pk).update(
        closes_on=timezone.localdate() + timedelta(days=30)
    )
    Assessment.objects.filter(pk=riga_assessment.pk).update(state=AssessmentState.SUBMITTED)
    secretariat = client_for(people.secretariat)
    url = reverse("rounds:close", args=[open_round.pk])
    page = secretariat.get(url).content.decode()
    assert "closing now is 30 days early" in page
    assert "1 city has not submitted and will not be able to." in page
    assert "1 city has submitted and waits for validation." in page
    assert Round.objects.get(pk=open_round.pk).status == RoundStatus.OPEN  # asking changes nothing
    secretariat.post(url)
    assert Round.objects.get(pk=open_round.pk).status == RoundStatus.CLOSED


def test_publishing_says_how_many_cities_count(
    people: People, open_round: Round, ghent_assessment: Assessment, riga_assessment: Assessment
) -> None:
    Assessment.objects.filter(pk=ghent_assessment.pk).update(state=AssessmentState.VALIDATED)
    Assessment.objects.filter(pk=riga_assessment.pk).update(state=AssessmentState.SUBMITTED)
    Round.objects.filter(pk=open_round.pk).update(status=RoundStatus.CLOSED)
    secretariat = client_for(people.secretariat)
    url = reverse("rounds:publish", args=[open_round.pk])
    page = secretariat.get(url).content.decode()
    assert "1 city will be counted (validated)." in page
    assert "1 invited city will not be counted (not validated)." in page
    assert "1 submitted survey is not validated yet" in page
    assert Round.objects.get(pk=open_round.pk).status == RoundStatus.CLOSED
    secretariat.post(url)
    assert Round.objects.get(pk=open_round.pk).status == RoundStatus.PUBLISHED


def test_the_confirmation_pages_are_the_secretariats(
    people: People, open_round: Round, ghent_assessment: Assessment
) -> None:
    for name in ("rounds:close", "rounds:publish"):
        url = reverse(name, args=[open_round.pk])
        assert client_for(people.editor).get(url).status_code == 403
        assert client_for(None).get(url).status_code == 302


def test_a_reminder_names_the_cities_that_got_nothing(
    people: People,
    open_round: Round,
    ghent_assessment: Assessment,
    django_capture_on_commit_callbacks: Any,
) -> None:
    lonely = CityFactory.create(name="Lonely Town", slug="lonely-town")
    Assessment.objects.create(city=lonely, framework=open_round.framework, round=open_round)
    secretariat = client_for(people.secretariat)
    board = secretariat.get(reverse("rounds:board", args=[open_round.pk])).content.decode()
    assert board.count("no editor: nobody is told") == 1
    assert f"?city={lonely.pk}&amp;role=editor" in board
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(reverse("rounds:remind", args=[open_round.pk]), follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert "Reminders sent to the editors of 1 cities." in said
    assert any("1 city has no editor, so they got nothing: Lonely Town." in m for m in said)
    assert [m.to for m in mail.outbox] == [[people.editor.email]]


def test_asking_for_changes_shows_the_comments_the_city_will_get_first(
    people: People, ghent_assessment: Assessment
) -> None:
    Assessment.objects.filter(pk=ghent_assessment.pk).update(
        state=AssessmentState.SUBMITTED, submitted_at=timezone.now() - timedelta(hours=1)
    )
    item = Item.objects.filter(section__framework=ghent_assessment.framework).first()
    assert item is not None
    Comment.objects.create(
        assessment=ghent_assessment, item=item, author=people.reviewer, text="Which year?"
    )
    url = reverse("assessments:request_changes", args=[ghent_assessment.pk])
    reviewer = client_for(people.reviewer)

    page = reviewer.get(url).content.decode()
    assert "Which year?" in page
    assert "The city's editor is told by e-mail, with these comments:" in page
    assert "Send the answers back for changes" in page
    assert Assessment.objects.get(pk=ghent_assessment.pk).state == AssessmentState.SUBMITTED

    reviewer.post(url)
    assert Assessment.objects.get(pk=ghent_assessment.pk).state == (
        AssessmentState.CHANGES_REQUESTED
    )


def test_asking_for_changes_without_a_comment_is_not_offered(
    people: People, ghent_assessment: Assessment
) -> None:
    Assessment.objects.filter(pk=ghent_assessment.pk).update(state=AssessmentState.SUBMITTED)
    url = reverse("assessments:request_changes", args=[ghent_assessment.pk])
    page = client_for(people.reviewer).get(url).content.decode()
    assert "There is no comment yet" in page
    assert "Send the answers back for changes" not in page
