import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.downloads.urls import link
from integratingcities.frameworks.selectors import outline
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.practices.models import Practice
from integratingcities.reports.models import Edition, Highlight, Report
from integratingcities.reports.services import (
    ReportError,
    edition_publish,
    highlight_add,
    highlight_move,
    highlight_remove,
    report_cover_save,
    report_text_save,
)
from integratingcities.rounds.models import Round, RoundStatus

from .conftest import GHENT_EVIDENCE, UNVALIDATED, UNVALIDATED_TEXT, answer


def _url(name: str, round_: Round, **kwargs: object) -> str:
    return reverse(f"reports:{name}", kwargs={"pk": round_.pk, **kwargs})


def _write(round_: Round, people: People, key: str, text: str) -> None:
    report_text_save(round_=round_, actor=people.secretariat, key=key, text=text)


def _published(round_: Round, people: People, summary: str = "The network grows.") -> Edition:
    _write(round_, people, "section.summary", summary)
    return edition_publish(
        report=Report.objects.get(round=round_), actor=people.secretariat, note=""
    )


class TestWorkflow:
    def test_the_secretariat_writes_picks_previews_and_publishes(
        self, people: People, published_round: Round, ghent_answer: Answer, ghent_practice: Practice
    ) -> None:
        client = client_for(people.secretariat)
        assert client.get(_url("workspace", published_round)).status_code == 200
        response = client.post(
            _url("cover", published_round),
            {"title": "Cities and Migrants", "subtitle": "The 2026 report", "network": "Net"},
        )
        assert response.status_code == 302
        client.post(
            _url("write", published_round, key="section.summary"),
            {"text": "Twenty cities **answered**."},
        )
        client.post(
            _url("write", published_round, key="commitment.equal-access-non-discrimination"),
            {"text": "Action plans spread."},
        )
        page = client.get(
            _url("commitment", published_round, key="equal-access-non-discrimination")
        ).content.decode()
        assert GHENT_EVIDENCE in page  # validated evidence is offered
        assert UNVALIDATED not in page  # Riga's submitted answer is not
        added = client.post(
            _url("highlight_add", published_round),
            {
                "answer": ghent_answer.pk,
                "text": "Ghent's plan is monitored every year.",
                "practice": ghent_practice.key,
            },
        )
        assert added.status_code == 302
        preview = client.get(_url("preview", published_round)).content.decode()
        assert "Preview of the draft" in preview
        assert "plan is monitored every year." in preview
        assert "<strong>answered</strong>" in preview
        assert "Action plans spread." in preview

        confirm = client.get(_url("publish", published_round))
        assert confirm.status_code == 200
        published = client.post(_url("publish", published_round), {"note": ""})
        edition = Edition.objects.get()
        assert published["Location"] == edition.get_absolute_url()
        assert edition.get_absolute_url() == f"/reports/{published_round.pk}/editions/1/"

        public = client_for(None).get(edition.get_absolute_url()).content.decode()
        assert "Edition 1, published on" in public
        assert "How to cite this report" in public
        assert "Ghent&#x27;s action plan against discrimination" in public
        assert "Cities and Migrants" in public
        assert "Download PDF" in public
        assert {e.action for e in AuditEntry.objects.all()} >= {
            Action.REPORT_TEXT_SAVED,
            Action.REPORT_HIGHLIGHT_ADDED,
            Action.REPORT_EDITION_PUBLISHED,
        }
        # The round's pages lead to it.
        for page_url in (
            reverse("rounds:list"),
            reverse("rounds:results", args=[published_round.pk]),
        ):
            assert edition.get_absolute_url() in client_for(None).get(page_url).content.decode()
        assert (
            edition.get_absolute_url()
            in client_for(None).get(reverse("reports:list")).content.decode()
        )

    def test_highlights_are_ordered_moved_and_removed(
        self, people: People, published_round: Round
    ) -> None:
        city = SignatoryFactory.create(name="Oslo", slug="oslo", country="NO")
        oslo = Assessment.objects.create(
            city=city,
            framework=published_round.framework,
            round=published_round,
            state=AssessmentState.VALIDATED,
        )
        oslo_answer = answer(
            oslo, "equal-access-non-discrimination", level="partly", evidence="Oslo acts."
        )
        ghent_answer = Answer.objects.get(
            assessment__city=people.ghent, item__key="equal-access-non-discrimination"
        )
        first = highlight_add(
            round_=published_round, actor=people.secretariat, answer=ghent_answer, text="G"
        )
        second = highlight_add(
            round_=published_round, actor=people.secretariat, answer=oslo_answer, text="O"
        )
        assert list(Highlight.objects.order_by("position").values_list("text", flat=True)) == [
            "G",
            "O",
        ]
        client = client_for(people.secretariat)
        client.post(_url("highlight_move", published_round, hid=second.pk), {"direction": "up"})
        assert list(Highlight.objects.order_by("position").values_list("text", flat=True)) == [
            "O",
            "G",
        ]
        second.refresh_from_db()
        assert not highlight_move(highlight=second, actor=people.secretariat, up=True)  # first
        client.post(_url("highlight_remove", published_round, hid=first.pk))
        assert list(Highlight.objects.values_list("text", flat=True)) == ["O"]


class TestRules:
    def test_only_the_secretariat_writes(
        self, people: People, published_round: Round, ghent_answer: Answer
    ) -> None:
        for person in (people.editor, people.reviewer, people.outsider):
            with pytest.raises(NotAllowed):
                report_text_save(
                    round_=published_round, actor=person, key="section.summary", text="x"
                )
            with pytest.raises(NotAllowed):
                highlight_add(round_=published_round, actor=person, answer=ghent_answer, text="x")
        report = Report.objects.create(round=published_round, title="T")
        with pytest.raises(NotAllowed):
            edition_publish(report=report, actor=people.editor, note="")
        assert not Edition.objects.exists()

    def test_a_report_is_published_only_after_its_round(
        self, people: People, published_round: Round
    ) -> None:
        published_round.status = RoundStatus.CLOSED
        published_round.save()
        _write(published_round, people, "section.summary", "S")
        with pytest.raises(ReportError, match="Publish the round's results first"):
            edition_publish(
                report=Report.objects.get(round=published_round), actor=people.secretariat
            )
        response = client_for(people.secretariat).post(
            _url("publish", published_round), {"note": ""}, follow=True
        )
        assert "Publish the round&#x27;s results first" in response.content.decode()
        assert not Edition.objects.exists()

    def test_an_edition_needs_a_summary_and_a_correction_says_what_changed(
        self, people: People, published_round: Round
    ) -> None:
        report_cover_save(round_=published_round, actor=people.secretariat, title="R")
        report = Report.objects.get(round=published_round)
        with pytest.raises(ReportError, match="summary"):
            edition_publish(report=report, actor=people.secretariat)
        _published(published_round, people)
        with pytest.raises(ReportError, match="Nothing has changed"):
            edition_publish(report=report, actor=people.secretariat, note="Nothing really.")
        _write(published_round, people, "section.next_steps", "Meet in 2027.")
        with pytest.raises(ReportError, match="Say what changed since edition 1"):
            edition_publish(report=report, actor=people.secretariat, note=" ")
        second = edition_publish(report=report, actor=people.secretariat, note="Next steps added.")
        assert second.number == 2

    def test_only_validated_evidence_of_the_round_is_highlighted(
        self, people: People, published_round: Round, riga_answer: Answer
    ) -> None:
        with pytest.raises(ReportError, match="validated answer with evidence"):
            highlight_add(
                round_=published_round, actor=people.secretariat, answer=riga_answer, text="x"
            )
        response = client_for(people.secretariat).post(
            _url("highlight_add", published_round), {"answer": riga_answer.pk, "text": "x"}
        )
        assert response.status_code == 302
        assert not Highlight.objects.exists()
        huge = client_for(people.secretariat).post(
            _url("highlight_add", published_round), {"answer": "9" * 30, "text": "x"}
        )
        assert huge.status_code == 302

    def test_forms_name_the_field_they_refuse(
        self, people: People, published_round: Round, ghent_answer: Answer
    ) -> None:
        client = client_for(people.secretariat)
        page = client.post(
            _url("highlight_add", published_round),
            {"answer": ghent_answer.pk, "text": " ", "practice": "no-such-practice"},
        )
        assert page.status_code == 400
        body = page.content.decode()
        assert "Write the highlight&#x27;s text." in body
        assert "Choose a published practice of the library." in body
        cover = client.post(_url("cover", published_round), {"title": ""}, follow=True)
        assert "Title: Give the report a title." in cover.content.decode()
        unknown = client.get(_url("write", published_round, key="section.gossip"))
        assert unknown.status_code == 404
        with pytest.raises(ReportError, match="no part called"):
            _write(published_round, people, "section.gossip", "x")


class TestWhatAReportShows:
    def test_narrative_is_sanitised(self, people: People, published_round: Round) -> None:
        edition = _published(
            published_round,
            people,
            "Safe **text**<script>alert('x')</script><img src=x onerror=alert(1)>",
        )
        page = client_for(None).get(edition.get_absolute_url()).content.decode()
        assert "<strong>text</strong>" in page
        assert "<script>alert" not in page
        assert "onerror" not in page

    def test_unvalidated_answers_never_appear(
        self, people: People, published_round: Round, riga_answer: Answer
    ) -> None:
        edition = _published(published_round, people)
        client = client_for(people.secretariat)
        for url in (edition.get_absolute_url(), _url("preview", published_round)):
            page = client.get(url).content.decode()
            assert UNVALIDATED not in page
            assert UNVALIDATED_TEXT not in page
            assert "Ghent cannot reach newcomers by post." in page  # a validated challenge
            assert "Ghent has a department for integration." in page  # chapter 1
        assert UNVALIDATED not in str(edition.snapshot)
        assert [c["slug"] for c in edition.snapshot["cities"]] == ["ghent"]
        assert edition.snapshot["invited"] == 2
        assert edition.snapshot["responding"] == 1

    def test_summary_figures_are_the_results_modules(
        self, people: People, published_round: Round
    ) -> None:
        edition = _published(published_round, people)
        roles = {role["key"]: role for role in edition.snapshot["roles"]}
        # Ghent: fully and partly as policymaker, not at all as employer.
        assert roles["policymaker"]["shares"] == {"fully": 50, "partly": 50, "not_at_all": 0}
        assert roles["employer"]["shares"] == {"fully": 0, "partly": 0, "not_at_all": 100}

    def test_illustrative_levels_are_said_beside_every_chart(
        self, people: People, published_round: Round
    ) -> None:
        published_round.is_illustrative = True
        published_round.save()
        report_cover_save(
            round_=published_round,
            actor=people.secretariat,
            title="R",
            illustrative_note="These levels are made up for the demo.",
        )
        edition = _published(published_round, people)
        page = client_for(None).get(edition.get_absolute_url()).content.decode()
        charts = page.count('<img src="data:image/svg+xml')
        assert charts == 4
        assert page.count("These levels are made up for the demo.") >= charts

    def test_an_edition_is_frozen_and_a_correction_is_a_new_edition(
        self, people: People, published_round: Round, ghent_answer: Answer
    ) -> None:
        first = _published(published_round, people, "First summary.")
        # Later: the summary is rewritten, Ghent's evidence changes, Oslo is validated.
        _write(published_round, people, "section.summary", "Second summary.")
        Answer.objects.filter(pk=ghent_answer.pk).update(evidence="Changed evidence.")
        city = SignatoryFactory.create(name="Oslo", slug="oslo", country="NO")
        oslo = Assessment.objects.create(
            city=city,
            framework=published_round.framework,
            round=published_round,
            state=AssessmentState.VALIDATED,
        )
        answer(oslo, "communicate-commitment", level="fully", evidence="Oslo says so.")
        page = client_for(None).get(first.get_absolute_url()).content.decode()
        assert "First summary." in page and "Second summary." not in page
        assert "Oslo" not in page
        second = edition_publish(
            report=first.report, actor=people.secretariat, note="Oslo's answers were validated."
        )
        old = client_for(None).get(first.get_absolute_url()).content.decode()
        assert "A newer edition of this report exists" in old
        assert second.get_absolute_url() in old
        new = client_for(None).get(second.get_absolute_url()).content.decode()
        assert "Second summary." in new and "Oslo" in new
        assert "What changed in edition 2" in new
        assert "A newer edition" not in new

    def test_the_edition_page_and_preview_do_not_grow_with_the_cities(
        self, people: People, published_round: Round
    ) -> None:
        client = client_for(people.secretariat)

        def count(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        preview = _url("preview", published_round)
        outline(published_round.framework_id)  # kept from the start: writes elsewhere leave it
        few = count(preview)
        for index in range(6):
            city = SignatoryFactory.create(name=f"Town {index}", slug=f"town-{index}")
            assessment = Assessment.objects.create(
                city=city,
                framework=published_round.framework,
                round=published_round,
                state=AssessmentState.VALIDATED,
            )
            answer(assessment, "communicate-commitment", level="fully", evidence="e")
            answer(assessment, "organisation/description", text=f"Town {index} organises.")
        assert count(preview) == few
        edition = _published(published_round, people)
        assert count(edition.get_absolute_url()) <= few

    def test_unknown_editions_and_drafts_are_not_public(
        self, people: People, published_round: Round
    ) -> None:
        anonymous = client_for(None)
        assert anonymous.get(_url("edition", published_round, number=1)).status_code == 404
        assert anonymous.get(_url("preview", published_round)).status_code == 302
        assert client_for(people.editor).get(_url("preview", published_round)).status_code == 403


def test_the_pdf_of_an_edition(
    people: People, published_round: Round, ghent_answer: Answer
) -> None:
    report_cover_save(
        round_=published_round,
        actor=people.secretariat,
        title="Cities and Migrants",
        subtitle="Implementing the Charter",
    )
    highlight_add(
        round_=published_round,
        actor=people.secretariat,
        answer=ghent_answer,
        text="Ghent monitors its plan every year.",
    )
    edition = _published(published_round, people)
    client = client_for(None)
    url = link("reports.edition_pdf", round=published_round.pk, edition=edition.number)
    finished = client.get(url, follow=True)
    assert finished.status_code == 200
    served = client.get(url)  # made once, kept: served at once
    assert served["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(served.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 2
    assert "Cities and Migrants" in text
    assert "Ghent monitors its plan every year." in text
    assert "Method" in text
    assert "platform's scoring convention" in text
    assert UNVALIDATED not in text and UNVALIDATED_TEXT not in text
    missing = link("reports.edition_pdf", round=published_round.pk, edition=9)
    assert client.get(missing).status_code == 302  # anonymous: asked to log in, as for any file
    assert client_for(people.editor).get(missing).status_code == 404


def test_removing_a_highlight_is_audited(
    people: People, published_round: Round, ghent_answer: Answer
) -> None:
    highlight = highlight_add(
        round_=published_round, actor=people.secretariat, answer=ghent_answer, text="x"
    )
    highlight_remove(highlight=highlight, actor=people.secretariat)
    assert AuditEntry.objects.filter(action=Action.REPORT_HIGHLIGHT_REMOVED).count() == 1
