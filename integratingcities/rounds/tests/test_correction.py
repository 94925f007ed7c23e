"""Published results change only through an explicit correction, kept in the audit trail."""

from django.urls import reverse
from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.frameworks.models import Item, Level
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.models import Round, RoundStatus


def _validated_answer(assessment: Assessment, level: str) -> None:
    framework = assessment.framework
    Answer.objects.create(
        assessment=assessment,
        item=Item.objects.get(section__framework=framework, key="communicate-commitment"),
        level=Level.objects.get(scale__framework=framework, key=level),
        evidence="e",
        is_answered=True,
        version=1,
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        state=AssessmentState.VALIDATED, scores={"recorded": True}
    )


def _publish(round_: Round) -> None:
    Round.objects.filter(pk=round_.pk).update(
        status=RoundStatus.PUBLISHED, published_at=timezone.now()
    )


def test_the_secretariat_corrects_published_results_with_a_reason(
    people: People, open_round: Round, ghent_assessment: Assessment
) -> None:
    _validated_answer(ghent_assessment, "fully")
    _publish(open_round)
    secretariat = client_for(people.secretariat)
    correct = reverse("rounds:correct", args=[open_round.pk])

    # No reason, no correction.
    secretariat.post(correct, {"reason": "  "})
    assert Round.objects.get(pk=open_round.pk).status == RoundStatus.PUBLISHED

    secretariat.post(correct, {"reason": "Ghent's answer was validated by mistake."})
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED
    entry = AuditEntry.objects.get(action=Action.ROUND_CORRECTED)
    assert (entry.actor, entry.from_state, entry.to_state) == (
        people.secretariat,
        RoundStatus.PUBLISHED,
        RoundStatus.CLOSED,
    )
    assert entry.reason == "Ghent's answer was validated by mistake."
    # Hidden from the public while it is corrected.
    results = reverse("rounds:results", args=[open_round.pk])
    assert client_for(None).get(results).status_code == 404

    # The validation is taken back, then the round published again, marked as revised.
    reopen = reverse("assessments:reopen", args=[ghent_assessment.pk])
    secretariat.post(reopen, {"reason": "Not validated by the reviewer."})
    ghent_assessment.refresh_from_db()
    assert ghent_assessment.state == AssessmentState.SUBMITTED
    assert ghent_assessment.scores is None
    secretariat.post(reverse("rounds:publish", args=[open_round.pk]))
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.PUBLISHED
    assert open_round.revised_at is not None
    page = client_for(None).get(results)
    assert page.context["results"].responding == 0
    assert "Revised results" in page.content.decode()


def test_a_validation_is_not_taken_back_behind_published_results(
    people: People, open_round: Round, ghent_assessment: Assessment
) -> None:
    _validated_answer(ghent_assessment, "fully")
    _publish(open_round)
    reopen = reverse("assessments:reopen", args=[ghent_assessment.pk])
    response = client_for(people.secretariat).post(reopen, {"reason": "Why not"}, follow=True)
    assert "correction of the round" in response.content.decode()
    ghent_assessment.refresh_from_db()
    assert ghent_assessment.state == AssessmentState.VALIDATED
    assert not AuditEntry.objects.filter(action=Action.ASSESSMENT_CORRECTED).exists()


def test_only_the_secretariat_takes_a_validation_back(
    people: People, open_round: Round, ghent_assessment: Assessment
) -> None:
    _validated_answer(ghent_assessment, "fully")
    reopen = reverse("assessments:reopen", args=[ghent_assessment.pk])
    for role in ("editor", "viewer", "reviewer"):
        response = client_for(people.all_roles()[role]).post(reopen, {"reason": "x"})
        assert response.status_code == 403
    assert client_for(people.outsider).post(reopen, {"reason": "x"}).status_code == 404
    ghent_assessment.refresh_from_db()
    assert ghent_assessment.state == AssessmentState.VALIDATED
    page = client_for(people.secretariat).get(ghent_assessment.get_absolute_url())
    assert "Take the validation back" in page.content.decode()


def test_the_history_tells_the_correction_in_words(
    people: People, open_round: Round, ghent_assessment: Assessment
) -> None:
    _validated_answer(ghent_assessment, "fully")
    client_for(people.secretariat).post(
        reverse("assessments:reopen", args=[ghent_assessment.pk]), {"reason": "Wrong city."}
    )
    page = client_for(people.viewer).get(reverse("assessments:history", args=[ghent_assessment.pk]))
    text = page.content.decode()
    assert "took the validation back" in text
    assert "Wrong city." in text
