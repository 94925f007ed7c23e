"""The history page of a survey: answer changes, comments and decisions, newest first, in words."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.audit.services import log_action
from integratingcities.frameworks.models import Item, Level
from integratingcities.lib.testing import People, client_for

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def _save(answer: Answer, user: User, minutes: int) -> None:
    """Save as answers_save does, and date the new history row."""
    answer.version += 1
    answer.is_answered = answer.has_content()
    answer.updated_by = user
    answer._history_user = user  # type: ignore[attr-defined]
    answer.save()
    answer.history.filter(version=answer.version).update(history_date=_at(minutes))


def _story(people: People, assessment: Assessment) -> None:
    charter = assessment.framework
    item = Item.objects.get(section__framework=charter, key="communicate-commitment")
    levels = {level.key: level for level in Level.objects.filter(scale__framework=charter)}
    answer = Answer.objects.filter(assessment=assessment, item=item).first() or Answer(
        assessment=assessment, item=item, evidence="Leaflets in 9 languages."
    )
    answer.level = levels["partly"]
    _save(answer, people.editor, 1)
    answer.level = levels["fully"]
    _save(answer, people.editor, 2)
    comment = Comment.objects.create(
        assessment=assessment, item=item, author=people.reviewer, text="Please add figures."
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=_at(3))
    for minutes, (actor, action, reason, data) in enumerate(
        [
            (people.reviewer, Action.ASSESSMENT_CHANGES_REQUESTED, "", {"comments": 1}),
            (people.secretariat, Action.ASSESSMENT_CORRECTED, "Two roles were swapped", {}),
        ],
        start=4,
    ):
        entry = log_action(
            actor=actor,
            action=action,
            target=assessment,
            city=assessment.city,
            from_state=AssessmentState.SUBMITTED,
            to_state=AssessmentState.CHANGES_REQUESTED,
            reason=reason,
            data=data,
        )
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=_at(minutes))


def _page(user: User, assessment: Assessment) -> str:
    response = client_for(user).get(reverse("assessments:history", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_tells_answers_comments_and_decisions_in_words_newest_first(
    named: People, ghent_assessment: Assessment
) -> None:
    _story(named, ghent_assessment)
    page = _page(named.editor, ghent_assessment)
    lines = [
        "Sara Secretariat took the validation back (Submitted → Changes requested): "
        "Two roles were swapped.",
        "Rui Reviewer asked for changes (1 comment).",
        "Please add figures.",
        "Level: Partly → Fully",
        "Level: — → Partly",
    ]
    where = [page.find(line) for line in lines]
    assert -1 not in where, [line for line, at in zip(lines, where, strict=True) if at < 0]
    assert where == sorted(where)
    # The question by its section and text; a change shows only the fields that changed.
    assert "Cities as policymakers" in page
    assert "The city actively communicates its commitment" in page
    assert "communicate-commitment" not in page
    assert page.count("Leaflets in 9 languages.") == 1
    assert "Ana Editor" in page
    assert "changes_requested" not in page


def test_its_queries_do_not_grow_with_the_history(
    named: People, ghent_assessment: Assessment
) -> None:
    _story(named, ghent_assessment)
    with CaptureQueriesContext(connection) as few:
        _page(named.editor, ghent_assessment)
    for _round in range(3):
        _story(named, ghent_assessment)
    with CaptureQueriesContext(connection) as many:
        page = _page(named.editor, ghent_assessment)
    assert page.count("Rui Reviewer asked for changes") == 4
    assert len(many) == len(few)


def test_a_page_without_history_says_so(named: People, ghent_assessment: Assessment) -> None:
    assert "Nothing has happened to these answers yet." in _page(named.viewer, ghent_assessment)


def _page_of(user: User, assessment: Assessment, section: str) -> str:
    url = reverse("assessments:history", args=[assessment.pk])
    response = client_for(user).get(url, {"section": section})
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_one_sections_answers_and_comments_with_every_decision(
    named: People, ghent_assessment: Assessment
) -> None:
    _story(named, ghent_assessment)  # in "Cities as policymakers"
    employer = Item.objects.filter(
        section__framework=ghent_assessment.framework, section__key="employer"
    ).first()
    assert employer is not None
    Comment.objects.create(
        assessment=ghent_assessment, item=employer, author=named.reviewer, text="Staff figures?"
    )
    page = _page_of(named.viewer, ghent_assessment, "employer")
    assert "Staff figures?" in page
    assert "Please add figures." not in page
    assert "Level: Partly → Fully" not in page
    assert "Rui Reviewer asked for changes (1 comment)." in page  # decisions are always told
    assert '<option value="employer" selected>' in page
    page = _page_of(named.viewer, ghent_assessment, "policymaker")
    assert "Staff figures?" not in page
    assert "Please add figures." in page
    assert "Level: Partly → Fully" in page


def test_an_unknown_section_shows_everything(named: People, ghent_assessment: Assessment) -> None:
    _story(named, ghent_assessment)
    page = _page_of(named.viewer, ghent_assessment, "no-such-section<script>")
    assert "Please add figures." in page
    assert "Level: Partly → Fully" in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]
