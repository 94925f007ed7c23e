from decimal import Decimal

import pytest
from django.urls import reverse

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import (
    AnswerInput,
    AssessmentError,
    answers_save,
    assessment_missing,
    assessment_request_changes,
    assessment_submit,
    assessment_validate,
    comment_add,
)
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.lib.testing import People, another_editor, client_for


def _item(charter: Framework, key: str) -> Item:
    return Item.objects.get(section__framework=charter, key=key)


def _level(charter: Framework, key: str) -> Level:
    return Level.objects.get(scale__framework=charter, key=key)


def _answer_everything(assessment: Assessment, user: User) -> None:
    charter = assessment.framework
    fully = _level(charter, "fully")
    inputs = {}
    for item in Item.objects.filter(section__framework=charter):
        if item.kind == "rating":
            inputs[item] = AnswerInput(level=fully, evidence="We do it.")
        elif item.kind in ("single_choice", "multiple_choice"):
            inputs[item] = AnswerInput(choices=(item.options[0]["key"],))
        elif item.kind == "number":
            inputs[item] = AnswerInput(number=Decimal(3))
        else:
            inputs[item] = AnswerInput(text="Text.")
    answers_save(assessment=assessment, user=user, inputs=inputs, base_versions={})


def section_url(assessment: Assessment, key: str) -> str:
    return reverse("assessments:section", args=[assessment.pk, key])


class TestSaving:
    def test_a_draft_saves_whatever_is_missing(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        charter = ghent_assessment.framework
        item = _item(charter, "communicate-commitment")
        result = answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={item: AnswerInput(level=_level(charter, "fully"))},
            base_versions={},
        )
        assert len(result.saved) == 1
        ghent_assessment.refresh_from_db()
        assert ghent_assessment.state == AssessmentState.IN_PROGRESS
        answer = Answer.objects.get()
        assert answer.level is not None
        assert (answer.level.key, answer.evidence, answer.version) == ("fully", "", 1)
        assert answer.history.get().history_user == people.editor

    def test_the_second_editor_sees_a_conflict_and_both_versions(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        colleague = another_editor(people.ghent)
        # Both editors opened the page at version 0.
        answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={item: AnswerInput(evidence="Mine")},
            base_versions={item.pk: 0},
        )
        second = answers_save(
            assessment=ghent_assessment,
            user=colleague,
            inputs={item: AnswerInput(evidence="Theirs")},
            base_versions={item.pk: 0},
        )
        assert second.saved == []
        [conflict] = second.conflicts
        assert conflict.theirs.evidence == "Mine"
        assert conflict.yours.evidence == "Theirs"
        assert Answer.objects.get().evidence == "Mine"
        # Saving again on top of the version now shown goes through.
        third = answers_save(
            assessment=ghent_assessment,
            user=colleague,
            inputs={item: AnswerInput(evidence="Both")},
            base_versions={item.pk: 1},
        )
        assert third.conflicts == []
        assert Answer.objects.get().evidence == "Both"
        assert Answer.history.count() == 2

    def test_an_unchanged_answer_is_no_conflict(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={item: AnswerInput(evidence="Same")},
            base_versions={},
        )
        again = answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={item: AnswerInput(evidence="Same")},
            base_versions={},
        )
        assert again.conflicts == []
        assert again.saved == []

    def test_submitted_answers_are_locked(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        _answer_everything(ghent_assessment, people.editor)
        assessment_submit(assessment=ghent_assessment, user=people.editor)
        item = _item(ghent_assessment.framework, "communicate-commitment")
        with pytest.raises(AssessmentError):
            answers_save(
                assessment=ghent_assessment,
                user=people.editor,
                inputs={item: AnswerInput(evidence="late")},
                base_versions={item.pk: 1},
            )


class TestSubmitAndReview:
    def test_submit_needs_answers_and_evidence_for_fully_and_partly(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        charter = ghent_assessment.framework
        item = _item(charter, "communicate-commitment")
        answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={item: AnswerInput(level=_level(charter, "partly"))},
            base_versions={},
        )
        missing = assessment_missing(ghent_assessment)
        reasons = {entry.item.key: entry.reason for entry in missing}
        assert "evidence is required" in reasons["communicate-commitment"]
        assert reasons["equal-access-non-discrimination"] == "not answered yet"
        assert "staff-fte" not in reasons  # optional
        with pytest.raises(AssessmentError, match="still need attention"):
            assessment_submit(assessment=ghent_assessment, user=people.editor)

    def test_the_whole_review_cycle(self, people: People, ghent_assessment: Assessment) -> None:
        _answer_everything(ghent_assessment, people.editor)
        assessment_submit(assessment=ghent_assessment, user=people.editor)
        item = _item(ghent_assessment.framework, "workforce-diversity")
        with pytest.raises(AssessmentError, match="at least one comment"):
            assessment_request_changes(assessment=ghent_assessment, user=people.reviewer)
        comment_add(
            assessment=ghent_assessment, item=item, author=people.reviewer, text="Which figures?"
        )
        changed = assessment_request_changes(assessment=ghent_assessment, user=people.reviewer)
        assert changed.state == AssessmentState.CHANGES_REQUESTED
        answers_save(
            assessment=changed,
            user=people.editor,
            inputs={
                item: AnswerInput(
                    level=_level(changed.framework, "fully"), evidence="9% of staff in 2024."
                )
            },
            base_versions={item.pk: 1},
        )
        resubmitted = assessment_submit(assessment=changed, user=people.editor)
        validated = assessment_validate(assessment=resubmitted, user=people.secretariat)
        assert validated.state == AssessmentState.VALIDATED
        assert validated.validated_at is not None


class TestPages:
    def test_the_editor_saves_a_section_without_javascript(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        client = client_for(people.editor)
        url = section_url(ghent_assessment, "policymaker")
        response = client.post(
            url,
            {
                f"i{item.pk}-level": "fully",
                f"i{item.pk}-evidence": "Integration plan 2020-2025",
                f"i{item.pk}-links": "https://stad.gent/plan",
                f"i{item.pk}-version": "0",
            },
        )
        assert response.status_code == 302
        answer = Answer.objects.get()
        assert answer.links == ["https://stad.gent/plan"]
        page = client.get(reverse("assessments:detail", args=[ghent_assessment.pk]))
        assert "1 of " in page.content.decode()

    def test_a_bad_link_is_refused_naming_the_field(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        response = client_for(people.editor).post(
            section_url(ghent_assessment, "policymaker"),
            {f"i{item.pk}-links": "javascript:alert(1)", f"i{item.pk}-version": "0"},
        )
        assert response.status_code == 200
        assert "is not a web address" in response.content.decode()
        assert not Answer.objects.exists()

    def test_a_conflict_shows_both_versions(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        url = section_url(ghent_assessment, "policymaker")
        form = {f"i{item.pk}-evidence": "First editor", f"i{item.pk}-version": "0"}
        client_for(people.editor).post(url, form)
        second = client_for(people.editor).post(
            url, {**form, f"i{item.pk}-evidence": "Second editor"}
        )
        assert second.status_code == 409
        html = second.content.decode()
        assert "First editor" in html
        assert "Second editor" in html
        assert Answer.objects.get().evidence == "First editor"

    def test_autosave_answers_json(self, people: People, ghent_assessment: Assessment) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        response = client_for(people.editor).post(
            section_url(ghent_assessment, "policymaker"),
            {f"i{item.pk}-evidence": "typing…", f"i{item.pk}-version": "0"},
            headers={"X-Autosave": "1"},
        )
        assert response.json()["versions"][f"i{item.pk}-version"] == 1

    @pytest.mark.parametrize("role", ["viewer", "reviewer", "secretariat"])
    def test_only_editors_change_answers(
        self, people: People, ghent_assessment: Assessment, role: str
    ) -> None:
        item = _item(ghent_assessment.framework, "communicate-commitment")
        client = client_for(people.all_roles()[role])
        url = section_url(ghent_assessment, "policymaker")
        assert client.get(url).status_code == 200
        client.post(url, {f"i{item.pk}-evidence": "x", f"i{item.pk}-version": "0"})
        assert not Answer.objects.exists()

    def test_another_citys_answers_are_not_found(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        client = client_for(people.outsider)
        for url in (
            reverse("assessments:detail", args=[ghent_assessment.pk]),
            section_url(ghent_assessment, "policymaker"),
            reverse("assessments:history", args=[ghent_assessment.pk]),
        ):
            assert client.get(url).status_code == 404

    def test_submit_and_review_through_the_pages(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        _answer_everything(ghent_assessment, people.editor)
        editor = client_for(people.editor)
        editor.post(reverse("assessments:submit", args=[ghent_assessment.pk]))
        ghent_assessment.refresh_from_db()
        assert ghent_assessment.state == AssessmentState.SUBMITTED
        item = _item(ghent_assessment.framework, "workforce-diversity")
        reviewer = client_for(people.reviewer)
        reviewer.post(
            reverse("assessments:comment", args=[ghent_assessment.pk]),
            {"item": item.pk, "text": "Please add figures."},
        )
        reviewer.post(reverse("assessments:request_changes", args=[ghent_assessment.pk]))
        ghent_assessment.refresh_from_db()
        assert ghent_assessment.state == AssessmentState.CHANGES_REQUESTED
        page = editor.get(section_url(ghent_assessment, "employer")).content.decode()
        assert "Please add figures." in page
        # The viewer may see the answers but not review them.
        viewer = client_for(people.viewer)
        assert (
            viewer.post(reverse("assessments:validate", args=[ghent_assessment.pk])).status_code
            == 403
        )
