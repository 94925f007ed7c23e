"""Answers the demo loads in bulk have a history row, so an untouched one reports no conflict.

A save compares each answer the form sends with the version the form was opened at, read from the
answer's history. Without a history row for a demo answer, a colleague's save of that answer made
it look changed by the person who never touched it.
"""

import pytest
from django.core.management import call_command

from integratingcities.accounts.models import Membership, Role, User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import AnswerInput, answers_save
from integratingcities.frameworks.models import Item
from integratingcities.rounds.demo import TITLE_OPEN


@pytest.fixture
def loaded(db: None) -> None:
    call_command("load_demo", verbosity=0)


def test_every_demo_answer_has_a_history_row_at_its_version(loaded: None) -> None:
    answers = Answer.objects.all()
    assert answers.filter(assessment__round__title=TITLE_OPEN).exists()
    assert answers.filter(assessment__round=None).exists()  # the benchmark self-tests
    recorded = set(Answer.history.filter(history_type="+").values_list("id", "version"))
    assert set(answers.values_list("id", "version")) <= recorded
    ghent = answers.filter(assessment__round__title=TITLE_OPEN, assessment__city__slug="ghent")
    assert {row.history_user.email for row in Answer.history.filter(id__in=ghent)} == {
        "editor.ghent@example.org"
    }


def test_a_colleagues_save_makes_no_demo_answer_you_did_not_touch_a_conflict(
    loaded: None,
) -> None:
    survey = Assessment.objects.get(round__title=TITLE_OPEN, city__slug="ghent")
    assert survey.state == AssessmentState.IN_PROGRESS
    first, second, third = (
        Item.objects.filter(section__framework=survey.framework, section__key="policymaker")
        .order_by("position")
        .all()[:3]
    )
    answers = {
        a.item_id: a for a in Answer.objects.filter(assessment=survey).select_related("level")
    }
    assert {answers[item.pk].version for item in (first, second, third)} == {1}
    # Both editors open the section: every answer at the demo's version 1.
    opened = {item: AnswerInput.of(answers[item.pk]) for item in (first, second, third)}
    versions = {item.pk: 1 for item in opened}
    ana = User.objects.get(email="editor.ghent@example.org")
    bruno = User.objects.create_user(email="second.editor.ghent@example.org", name="Bruno")
    Membership.objects.create(user=bruno, city=survey.city, role=Role.EDITOR)

    # Ana saves the first answer.
    ana_input = AnswerInput(level=opened[first].level, evidence="Ana's figures for 2026.")
    saved = answers_save(
        assessment=survey, user=ana, inputs={first: ana_input}, base_versions=versions
    )
    assert [a.item_id for a in saved.saved] == [first.pk]

    # Bruno, whose form still shows the demo versions, changes only the second answer and saves
    # the whole section.
    bruno_inputs = {
        **opened,
        second: AnswerInput(level=opened[second].level, evidence="Bruno's new evidence."),
    }
    result = answers_save(
        assessment=survey, user=bruno, inputs=bruno_inputs, base_versions=versions
    )
    assert result.conflicts == []
    assert [a.item_id for a in result.saved] == [second.pk]
    now = {a.item_id: a for a in Answer.objects.filter(assessment=survey)}
    assert now[first.pk].evidence == "Ana's figures for 2026."  # Ana's answer is kept
    assert now[second.pk].evidence == "Bruno's new evidence."
    assert now[third.pk].version == 1
