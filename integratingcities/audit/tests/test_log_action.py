import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.audit.selectors import entries_for
from integratingcities.audit.services import log_action
from integratingcities.lib.testing import People


def test_it_records_who_did_what_to_which_object_from_which_state(
    people: People, ghent_assessment: Assessment
) -> None:
    entry = log_action(
        actor=people.secretariat,
        action=Action.ASSESSMENT_CORRECTED,
        target=ghent_assessment,
        city=people.ghent,
        from_state=AssessmentState.VALIDATED,
        to_state=AssessmentState.CHANGES_REQUESTED,
        reason="  The figures of two roles were swapped.  ",
        data={"items": [3, 4]},
    )
    entry.refresh_from_db()
    assert entry.actor == people.secretariat
    assert entry.action == "assessment.corrected"
    assert entry.target == ghent_assessment
    assert entry.city == people.ghent
    assert (entry.from_state, entry.to_state) == ("validated", "changes_requested")
    assert entry.reason == "The figures of two roles were swapped."
    assert entry.data == {"items": [3, 4]}
    assert entry.created_at is not None
    assert list(entries_for(ghent_assessment)) == [entry]


def test_it_takes_the_action_as_its_value(people: People, ghent_assessment: Assessment) -> None:
    entry = log_action(actor=people.editor, action="assessment.submitted", target=ghent_assessment)
    assert entry.action == Action.ASSESSMENT_SUBMITTED


@pytest.mark.parametrize("actor", [None, AnonymousUser(), User(email="unsaved@example.org")])
def test_an_anonymous_or_unsaved_actor_is_recorded_as_nobody(
    ghent_assessment: Assessment, actor: User | AnonymousUser | None
) -> None:
    entry = log_action(actor=actor, action=Action.ROUND_CLOSED, target=ghent_assessment)
    assert entry.actor is None


def test_it_refuses_an_unknown_action(people: People, ghent_assessment: Assessment) -> None:
    with pytest.raises(ValueError, match=r"assessment\.deleted"):
        log_action(actor=people.editor, action="assessment.deleted", target=ghent_assessment)
    assert not AuditEntry.objects.exists()


def test_it_goes_with_the_callers_transaction(people: People, ghent_assessment: Assessment) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            log_action(
                actor=people.editor, action=Action.ASSESSMENT_SUBMITTED, target=ghent_assessment
            )
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not AuditEntry.objects.exists()


def test_entries_are_kept_per_object_oldest_first(
    people: People, ghent_assessment: Assessment
) -> None:
    first = log_action(
        actor=people.editor, action=Action.ASSESSMENT_STARTED, target=ghent_assessment
    )
    second = log_action(
        actor=people.editor, action=Action.ASSESSMENT_SUBMITTED, target=ghent_assessment
    )
    log_action(actor=people.editor, action=Action.ROUND_OPENED, target=ghent_assessment.round)  # type: ignore[arg-type]
    assert list(entries_for(ghent_assessment)) == [first, second]
