"""``Assessment.answered_count``: the answers given, kept by the services that save answers.

The response board sorts every invited city by it, so it must equal the count of the answers
whatever the order of the saves, and when two editors save at once."""

import threading
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment
from integratingcities.assessments.services import (
    AnswerInput,
    answers_save,
    assessment_carry_over,
)
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, another_editor, make_people
from integratingcities.rounds.models import Round


def _items(charter: Framework, count: int) -> list[Item]:
    return list(
        Item.objects.filter(section__framework=charter, kind="rating").order_by("pk")[:count]
    )


def _fully(charter: Framework) -> Level:
    return Level.objects.get(scale__framework=charter, key="fully")


def _save(assessment: Assessment, user: User, given: dict[Item, AnswerInput]) -> None:
    versions = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "version"))
    answers_save(assessment=assessment, user=user, inputs=given, base_versions=versions)


def _stored(assessment: Assessment) -> tuple[int, int]:
    """The kept count and the count of the answers themselves."""
    kept = Assessment.objects.get(pk=assessment.pk).answered_count
    return kept, Answer.objects.filter(assessment=assessment, is_answered=True).count()


def test_saving_answering_and_clearing_keeps_the_count(
    people: People, ghent_assessment: Assessment
) -> None:
    charter = ghent_assessment.framework
    first, second, third = _items(charter, 3)
    fully = _fully(charter)
    _save(ghent_assessment, people.editor, {first: AnswerInput(level=fully), second: AnswerInput()})
    assert _stored(ghent_assessment) == (1, 1)
    # Evidence alone is not an answer; a level is.
    _save(
        ghent_assessment,
        people.editor,
        {second: AnswerInput(evidence="A plan."), third: AnswerInput(level=fully)},
    )
    assert _stored(ghent_assessment) == (2, 2)
    # Saved again unchanged: nothing to add. Cleared: one fewer.
    _save(ghent_assessment, people.editor, {first: AnswerInput(level=fully)})
    _save(ghent_assessment, people.editor, {third: AnswerInput()})
    assert _stored(ghent_assessment) == (1, 1)


def test_the_count_is_added_in_the_database_not_from_the_callers_copy(
    people: People, ghent_assessment: Assessment
) -> None:
    """Two saves through the same stale object (as two requests holding the same page would)."""
    charter = ghent_assessment.framework
    first, second = _items(charter, 2)
    fully = _fully(charter)
    stale = Assessment.objects.get(pk=ghent_assessment.pk)
    answers_save(
        assessment=stale,
        user=people.editor,
        inputs={first: AnswerInput(level=fully)},
        base_versions={},
    )
    answers_save(
        assessment=stale,
        user=people.editor,
        inputs={second: AnswerInput(level=fully)},
        base_versions={},
    )
    assert stale.answered_count == 0
    assert _stored(ghent_assessment) == (2, 2)


def test_a_conflicting_save_adds_nothing(people: People, ghent_assessment: Assessment) -> None:
    charter = ghent_assessment.framework
    (item,) = _items(charter, 1)
    fully = _fully(charter)
    answers_save(
        assessment=ghent_assessment,
        user=people.editor,
        inputs={item: AnswerInput(level=fully)},
        base_versions={},
    )
    # A second editor who opened the form before that save: a conflict, not a second answer.
    result = answers_save(
        assessment=ghent_assessment,
        user=another_editor(people.ghent),
        inputs={item: AnswerInput(level=fully, evidence="Also.")},
        base_versions={},
    )
    assert result.conflicts
    assert _stored(ghent_assessment) == (1, 1)


def test_starting_from_last_time_counts_the_copies(people: People, charter: Framework) -> None:
    earlier = Assessment.objects.create(city=people.ghent, framework=charter)
    first, second = _items(charter, 2)
    fully = _fully(charter)
    Answer.objects.create(assessment=earlier, item=first, level=fully, is_answered=True)
    Answer.objects.create(assessment=earlier, item=second, evidence="Only evidence.")
    later = Assessment.objects.create(city=people.ghent, framework=charter)
    assert assessment_carry_over(assessment=later, user=people.editor) == 2
    assert _stored(later) == (1, 1)


def test_recount_sets_the_count_of_answers_written_in_bulk(
    people: People, ghent_assessment: Assessment, riga_assessment: Assessment
) -> None:
    charter = ghent_assessment.framework
    first, second = _items(charter, 2)
    fully = _fully(charter)
    Answer.objects.bulk_create(
        [
            Answer(assessment=ghent_assessment, item=first, level=fully, is_answered=True),
            Answer(assessment=ghent_assessment, item=second, level=fully, is_answered=True),
            Answer(assessment=riga_assessment, item=first, evidence="e", is_answered=False),
        ]
    )
    assert Assessment.objects.filter(round=ghent_assessment.round).recount_answered() == 2
    assert _stored(ghent_assessment) == (2, 2)
    assert _stored(riga_assessment) == (0, 0)


@pytest.mark.usefixtures("shared_db")
def test_two_editors_saving_at_once_are_both_counted() -> None:
    charter = framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework
    people = make_people()
    editors = [people.editor, another_editor(people.ghent)]
    survey = Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )
    assessment = Assessment.objects.create(city=people.ghent, framework=charter, round=survey)
    items = _items(charter, 2 * 3)
    fully = _fully(charter)
    errors: list[BaseException] = []

    def editor(index: int, step: int, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            answers_save(
                assessment=assessment,
                user=editors[index],
                inputs={items[2 * step + index]: AnswerInput(level=fully)},
                base_versions={},
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    for step in range(3):
        barrier = threading.Barrier(2, timeout=10)
        threads = [threading.Thread(target=editor, args=(i, step, barrier)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        assert _stored(assessment) == (2 * (step + 1), 2 * (step + 1))
