import pytest

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.audit.models import Action
from integratingcities.audit.selectors import describe
from integratingcities.audit.services import log_action
from integratingcities.lib.testing import People


def test_a_decision_reads_as_a_sentence(named: People, ghent_assessment: Assessment) -> None:
    submitted = log_action(
        actor=named.editor, action=Action.ASSESSMENT_SUBMITTED, target=ghent_assessment
    )
    asked = log_action(
        actor=named.reviewer,
        action=Action.ASSESSMENT_CHANGES_REQUESTED,
        target=ghent_assessment,
        data={"comments": 2},
    )
    assert describe(submitted) == "Ana Editor submitted the answers."
    assert describe(asked) == "Rui Reviewer asked for changes (2 comments)."


def test_a_person_no_longer_known_is_named_by_role_where_only_one_could_act(
    ghent_assessment: Assessment,
) -> None:
    validated = log_action(actor=None, action=Action.ASSESSMENT_VALIDATED, target=ghent_assessment)
    submitted = log_action(actor=None, action=Action.ASSESSMENT_SUBMITTED, target=ghent_assessment)
    assert describe(validated) == "The secretariat validated the answers."
    assert describe(submitted) == "Someone submitted the answers."


def test_a_correction_gives_its_reason_and_states_by_their_labels(
    named: People, ghent_assessment: Assessment
) -> None:
    plain = log_action(
        actor=named.secretariat,
        action=Action.ASSESSMENT_CORRECTED,
        target=ghent_assessment,
        reason="Riga's and Ghent's answers were swapped.",
    )
    reopened = log_action(
        actor=named.secretariat,
        action=Action.ASSESSMENT_CORRECTED,
        target=ghent_assessment,
        from_state=AssessmentState.VALIDATED,
        to_state=AssessmentState.CHANGES_REQUESTED,
        reason="Figures missing",
    )
    assert describe(plain) == (
        "Sara Secretariat took the validation back: Riga's and Ghent's answers were swapped."
    )
    assert describe(reopened) == (
        "Sara Secretariat took the validation back (Validated → Changes requested): "
        "Figures missing."
    )


def test_counts_and_choices_are_said_in_words(named: People, ghent_assessment: Assessment) -> None:
    one = log_action(
        actor=named.reviewer,
        action=Action.ASSESSMENT_CHANGES_REQUESTED,
        target=ghent_assessment,
        data={"comments": 1},
    )
    invited = log_action(
        actor=named.secretariat,
        action=Action.ROUND_CITIES_INVITED,
        target=ghent_assessment,
        data={"cities": [1, 2, 3]},
    )
    shared = log_action(
        actor=named.editor,
        action=Action.ASSESSMENT_SHARING_CHANGED,
        target=ghent_assessment,
        data={"share_evidence": True},
    )
    assert describe(one) == "Rui Reviewer asked for changes (1 comment)."
    assert describe(invited) == "Sara Secretariat invited 3 cities."
    assert describe(shared) == "Ana Editor chose to share the evidence with other cities."


@pytest.mark.parametrize("action", Action.values)
def test_every_action_has_a_sentence_without_internal_keys(
    named: People, ghent_assessment: Assessment, action: str
) -> None:
    entry = log_action(
        actor=named.editor,
        action=action,
        target=ghent_assessment,
        from_state=AssessmentState.IN_PROGRESS,
        to_state=AssessmentState.CHANGES_REQUESTED,
    )
    sentence = describe(entry)
    assert sentence.startswith("Ana Editor ")
    assert sentence.endswith(".")
    for key in (action, "in_progress", "changes_requested", "_"):
        assert key not in sentence
