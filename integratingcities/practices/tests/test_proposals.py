"""From a city's evidence to a published practice: propose, send, send back, edit, publish."""

from typing import Any

import pytest
from django.urls import reverse

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.lib.testing import People, client_for
from integratingcities.practices.models import Practice, PracticeSource, PracticeStatus

LIBRARY = reverse("practices:library")


def evidence_answer(assessment: Assessment) -> Answer:
    return Answer.objects.get(assessment=assessment, item__key="workforce-diversity")


def propose_url(answer: Answer) -> str:
    return reverse("practices:propose", kwargs={"answer_id": answer.pk})


def url(name: str, practice: Practice) -> str:
    return reverse(f"practices:{name}", kwargs={"key": practice.key})


def edit_data(practice: Practice, **changes: Any) -> dict[str, Any]:
    data = {
        "title": practice.title,
        "year": practice.year or "",
        "summary": practice.summary,
        "what": practice.what,
        "for_whom": practice.for_whom,
        "partners": practice.partners,
        "results": practice.results,
        "responsible_body": practice.responsible_body,
        "transfer": practice.transfer,
        "contact": practice.contact,
        "source_section": practice.source_section,
        "links_text": "\n".join(practice.links),
        "commitments": [t.item_key for t in practice.themes.all() if t.is_commitment],
    }
    data.update(changes)
    return data


@pytest.fixture
def proposed(people: People, ghent_assessment: Assessment) -> Practice:
    response = client_for(people.editor).post(propose_url(evidence_answer(ghent_assessment)))
    assert response.status_code == 302
    return Practice.objects.get()


class TestProposing:
    def test_one_post_makes_a_draft_from_the_evidence(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        answer = evidence_answer(ghent_assessment)
        response = client_for(people.editor).post(propose_url(answer))
        practice = Practice.objects.get()
        assert response["Location"] == practice.get_absolute_url()
        assert practice.status == PracticeStatus.DRAFT
        assert practice.city == people.ghent
        assert practice.title == "Ghent sets a target of 10% staff of foreign origin by 2030"
        assert practice.summary == answer.evidence
        assert practice.source == PracticeSource.SUBMITTED
        assert practice.source_section.startswith("Survey 2026: Cities as employers")
        assert practice.links == ["https://example.org/ghent-targets"]
        assert practice.from_answer == answer
        assert practice.created_by == people.editor
        assert practice.year is None  # not guessed
        [theme] = practice.themes.all()
        assert (theme.lineage, theme.section_key, theme.item_key) == (
            "charter",
            "employer",
            "workforce-diversity",
        )
        page = client_for(people.editor).get(practice.get_absolute_url())
        html = page.content.decode()
        assert "Send to the secretariat" in html
        assert f'href="{ghent_assessment.get_absolute_url()}"' in html  # back to the survey

    def test_the_section_page_offers_the_button_beside_saved_evidence(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        section = reverse("assessments:section", args=[ghent_assessment.pk, "employer"])
        answer = evidence_answer(ghent_assessment)
        html = client_for(people.editor).get(section).content.decode()
        assert html.count("Propose as a practice") == 1  # the answer without evidence has none
        assert f'form="propose-{answer.pk}"' in html
        assert f'action="{propose_url(answer)}"' in html
        for user in (people.viewer, people.reviewer, people.secretariat):
            assert "Propose as a practice" not in client_for(user).get(section).content.decode()
        client_for(people.editor).post(propose_url(answer))
        html = client_for(people.editor).get(section).content.decode()
        assert "Proposed as a practice (Draft)" in html
        made = Practice.objects.get(from_answer=answer)
        assert f'<a href="{made.get_absolute_url()}">Proposed as a practice' in html

    def test_proposing_twice_leads_to_the_same_practice(
        self, people: People, proposed: Practice
    ) -> None:
        client = client_for(people.editor)
        assert proposed.from_answer is not None
        response = client.post(propose_url(proposed.from_answer))
        assert response["Location"] == proposed.get_absolute_url()
        assert Practice.objects.count() == 1

    def test_an_answer_without_evidence_cannot_be_proposed(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        answer = Answer.objects.get(
            assessment=ghent_assessment, item__key="fair-treatment-of-staff"
        )
        response = client_for(people.editor).post(propose_url(answer), follow=True)
        assert "no evidence to propose" in response.content.decode()
        assert not Practice.objects.exists()

    def test_only_the_city_editors_propose(
        self, people: People, ghent_assessment: Assessment
    ) -> None:
        target = propose_url(evidence_answer(ghent_assessment))
        assert client_for(people.viewer).post(target).status_code == 403
        assert client_for(people.reviewer).post(target).status_code == 403
        assert client_for(people.secretariat).post(target).status_code == 403
        assert client_for(people.outsider).post(target).status_code == 404
        assert client_for(None).post(target).status_code == 302  # to the login page
        assert client_for(people.editor).get(target).status_code == 405
        missing = reverse("practices:propose", kwargs={"answer_id": 10**18})
        assert client_for(people.editor).post(missing).status_code == 404
        assert not Practice.objects.exists()


class TestReview:
    def test_the_whole_journey(self, people: People, proposed: Practice) -> None:
        editor, secretariat = client_for(people.editor), client_for(people.secretariat)
        # The editor completes the draft and sends it.
        response = editor.post(
            url("edit", proposed),
            edit_data(proposed, for_whom="Job seekers of foreign origin", send="1"),
        )
        assert response.status_code == 302
        proposed.refresh_from_db()
        assert proposed.status == PracticeStatus.PROPOSED
        assert proposed.for_whom == "Job seekers of foreign origin"
        # While it is reviewed, the city cannot change it.
        assert editor.get(url("edit", proposed)).status_code == 403
        # The secretariat finds it and sends it back with a comment.
        assert proposed.title in secretariat.get(reverse("practices:proposals")).content.decode()
        response = secretariat.post(url("send_back", proposed), {"comment": "Add the results."})
        assert response.status_code == 302
        proposed.refresh_from_db()
        assert proposed.status == PracticeStatus.RETURNED
        # The editor reads the comment, edits and sends again.
        html = editor.get(proposed.get_absolute_url()).content.decode()
        assert "Add the results." in html
        assert "Add the results." in editor.get(url("edit", proposed)).content.decode()
        editor.post(
            url("edit", proposed),
            edit_data(proposed, results="**12%** of new staff in 2026", send="1"),
        )
        proposed.refresh_from_db()
        assert proposed.status == PracticeStatus.PROPOSED
        # The secretariat edits and publishes: everyone finds it, credited to Ghent.
        assert client_for(None).get(proposed.get_absolute_url()).status_code == 404
        secretariat.post(url("edit", proposed), edit_data(proposed, title="Ghent's staff target"))
        secretariat.post(url("publish", proposed))
        proposed.refresh_from_db()
        assert proposed.status == PracticeStatus.PUBLISHED
        assert proposed.title == "Ghent's staff target"
        assert proposed.review_comment == ""
        visitor = client_for(None)
        page = visitor.get(proposed.get_absolute_url()).content.decode()
        assert "<strong>12%</strong> of new staff in 2026" in page
        found = visitor.get(LIBRARY, {"q": "staff target", "city": "ghent"})
        assert [row["key"] for row in found.context["rows"]] == [proposed.key]
        city_page = visitor.get(reverse("cities:detail", args=["ghent"])).content.decode()
        assert "Ghent&#x27;s staff target" in city_page
        assert proposed.history.count() >= 5

    def test_sending_back_needs_a_comment(self, people: People, proposed: Practice) -> None:
        client_for(people.editor).post(url("submit", proposed))
        response = client_for(people.secretariat).post(url("send_back", proposed), {"comment": " "})
        assert response.status_code == 200
        assert "Say what the city should change" in response.content.decode()
        proposed.refresh_from_db()
        assert proposed.status == PracticeStatus.PROPOSED

    def test_steps_out_of_order_are_explained(self, people: People, proposed: Practice) -> None:
        secretariat = client_for(people.secretariat)
        response = secretariat.post(url("send_back", proposed), {"comment": "Why?"}, follow=True)
        assert "Only a proposed practice can be sent back" in response.content.decode()
        secretariat.post(url("publish", proposed))
        response = secretariat.post(url("publish", proposed), follow=True)
        assert "already published" in response.content.decode()
        response = client_for(people.editor).post(url("submit", proposed), follow=True)
        assert "Only a draft or a practice sent back" in response.content.decode()

    def test_who_may_do_what(self, people: People, proposed: Practice) -> None:
        for user, may_edit in [
            (people.editor, 200),
            (people.viewer, 403),
            (people.reviewer, 403),
            (people.outsider, 404),
            (people.secretariat, 200),
        ]:
            assert client_for(user).get(url("edit", proposed)).status_code == may_edit
        for user in (people.viewer, people.reviewer):
            assert client_for(user).post(url("submit", proposed)).status_code == 403
            assert client_for(user).post(url("publish", proposed)).status_code == 403
        assert client_for(people.outsider).post(url("submit", proposed)).status_code == 404
        assert client_for(people.editor).post(url("publish", proposed)).status_code == 403
        proposed.refresh_from_db()
        assert proposed.status == PracticeStatus.DRAFT

    def test_the_proposals_page_shows_each_their_own(
        self, people: People, proposed: Practice
    ) -> None:
        page = reverse("practices:proposals")
        for user, sees in [
            (people.editor, True),
            (people.viewer, True),
            (people.secretariat, True),
            (people.outsider, False),
        ]:
            html = client_for(user).get(page).content.decode()
            assert (proposed.title in html) is sees
        assert client_for(None).get(page).status_code == 302

    def test_edit_errors_name_the_field(self, people: People, proposed: Practice) -> None:
        response = client_for(people.editor).post(
            url("edit", proposed),
            edit_data(
                proposed,
                title="",
                year="1492",
                links_text="not a link",
                commitments=["not-a-commitment"],
            ),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"title", "year", "links_text", "commitments"}
        assert "1900" in str(errors["year"])
        proposed.refresh_from_db()
        assert proposed.title != ""
