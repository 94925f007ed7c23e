"""Start from last time: a new survey or self-test starts from the city's previous answers, each
marked until an editor confirms it, and every question shows last time's answer beside it."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from integratingcities.accounts.models import User
from integratingcities.assessments import selectors
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import (
    AnswerInput,
    AssessmentError,
    answers_save,
    assessment_carry_over,
)
from integratingcities.audit.models import Action, AuditEntry
from integratingcities.audit.selectors import describe
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level
from integratingcities.frameworks.services import framework_import, framework_import_path
from integratingcities.lib.errors import NotAllowed
from integratingcities.lib.testing import People, client_for
from integratingcities.rounds.models import Round, RoundStatus

CHARTER = Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml"
BENCHMARK = Path(settings.BASE_DIR) / "content/frameworks/anti-discrimination-job-market.v1.yaml"


def _item(framework: Framework, key: str, section: str | None = None) -> Item:
    items = Item.objects.filter(section__framework=framework, key=key)
    return items.get(section__key=section) if section else items.get()


def _level(framework: Framework, key: str) -> Level:
    return Level.objects.get(scale__framework=framework, key=key)


def _past_survey(
    city: City,
    charter: Framework,
    *,
    title: str = "Survey 2024",
    state: str = "validated",
    year: int = 2024,
) -> Assessment:
    past = Round.objects.filter(title=title).first() or Round.objects.create(
        title=title,
        framework=charter,
        opens_on=date(year, 1, 1),
        closes_on=date(year, 6, 30),
        status=RoundStatus.PUBLISHED,
    )
    return Assessment.objects.create(
        city=city,
        framework=charter,
        round=past,
        state=state,
        submitted_at=timezone.now() - timedelta(days=700),
        validated_at=timezone.now() - timedelta(days=690) if state == "validated" else None,
    )


def _answer(assessment: Assessment, item: Item, **values: object) -> Answer:
    answer = Answer(assessment=assessment, item=item, version=3, **values)  # type: ignore[misc]
    answer.is_answered = answer.has_content()
    answer.save()
    return answer


def _ghent_2024(people: People, charter: Framework) -> Assessment:
    """Ghent's validated answers of 2024: two commitments, the organisation and the trends."""
    past = _past_survey(people.ghent, charter)
    _answer(
        past,
        _item(charter, "communicate-commitment"),
        level=_level(charter, "fully"),
        evidence="Integration plan 2020-2025.",
        links=["https://www.gent.be/plan"],
    )
    _answer(
        past,
        _item(charter, "equal-access-non-discrimination"),
        level=_level(charter, "partly"),
        evidence="A reporting point for discrimination.",
    )
    _answer(past, _item(charter, "arrangement"), choices=["mainstreamed"])
    _answer(
        past, _item(charter, "supporting-bodies"), choices=["migrant_council", "elected_official"]
    )
    _answer(past, _item(charter, "description", "organisation"), text="The integration service.")
    _answer(past, _item(charter, "description", "trends"), text="Arrivals from Syria.")
    _answer(past, _item(charter, "foreign-born-share"), number=Decimal("22.5"))
    return past


def _riga_2024(people: People, charter: Framework) -> Assessment:
    past = _past_survey(people.riga, charter)
    _answer(
        past,
        _item(charter, "communicate-commitment"),
        level=_level(charter, "not_at_all"),
        evidence="RIGA-SECRET evidence.",
    )
    return past


def _day(moment: datetime | None) -> str:
    assert moment is not None
    return str(formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT"))


def _detail(user: User, assessment: Assessment) -> str:
    response = client_for(user).get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(user: User, assessment: Assessment, key: str = "policymaker") -> str:
    response = client_for(user).get(reverse("assessments:section", args=[assessment.pk, key]))
    assert response.status_code == 200
    return response.content.decode()


def _nothing_changed(assessment: Assessment) -> None:
    assert not Answer.objects.filter(assessment=assessment).exists()
    assert not AuditEntry.objects.filter(action=Action.ASSESSMENT_CARRIED_OVER).exists()
    assessment.refresh_from_db()
    assert assessment.carried_over_from is None


class TestFindingLastTime:
    def test_a_survey_starts_from_the_citys_validated_survey_of_an_earlier_round(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        validated = _ghent_2024(people, charter)
        _riga_2024(people, charter)
        # A later survey that was never validated is passed over for the validated one.
        later = _past_survey(
            people.ghent, charter, title="Survey 2025", state="submitted", year=2025
        )
        _answer(later, _item(charter, "communicate-commitment"), level=_level(charter, "partly"))
        assert selectors.previous_assessment(ghent_assessment) == validated

    def test_without_a_validated_one_the_latest_earlier_survey_with_answers(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        older = _past_survey(
            people.ghent, charter, title="Survey 2023", state="submitted", year=2023
        )
        _answer(older, _item(charter, "communicate-commitment"), level=_level(charter, "partly"))
        newer = _past_survey(people.ghent, charter, state="changes_requested")
        _answer(newer, _item(charter, "communicate-commitment"), level=_level(charter, "fully"))
        _past_survey(people.ghent, charter, title="Survey 2025", state="invited")  # no answers
        assert selectors.previous_assessment(ghent_assessment) == newer

    def test_another_citys_answers_are_never_last_time(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _riga_2024(people, charter)
        assert selectors.previous_assessment(ghent_assessment) is None
        with pytest.raises(AssessmentError, match="no earlier answers"):
            assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        _nothing_changed(ghent_assessment)
        page = _detail(people.editor, ghent_assessment)
        assert "Start from last time" not in page
        assert "RIGA-SECRET" not in _section(people.editor, ghent_assessment)

    def test_a_later_round_is_not_last_time(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        later = _past_survey(people.ghent, charter, title="Survey 2030", year=2030)
        _answer(later, _item(charter, "communicate-commitment"), level=_level(charter, "fully"))
        assert selectors.previous_assessment(ghent_assessment) is None


class TestCarryingOver:
    def test_the_answers_are_copied_and_marked(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        past = _ghent_2024(people, charter)
        count = assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        assert count == 7
        copied = {
            (a.item.section.key, a.item.key): a
            for a in Answer.objects.filter(assessment=ghent_assessment).select_related(
                "item__section", "level"
            )
        }
        assert len(copied) == 7
        assert all(a.is_carried_over and a.version == 1 for a in copied.values())
        first = copied[("policymaker", "communicate-commitment")]
        assert first.level == _level(charter, "fully")
        assert (first.evidence, first.links) == (
            "Integration plan 2020-2025.",
            ["https://www.gent.be/plan"],
        )
        assert first.updated_by == people.editor
        # A key two sections share stays in its own section.
        assert copied[("organisation", "description")].text == "The integration service."
        assert copied[("trends", "description")].text == "Arrivals from Syria."
        assert copied[("organisation", "supporting-bodies")].choices == [
            "elected_official",
            "migrant_council",
        ]
        ghent_assessment.refresh_from_db()
        assert ghent_assessment.state == AssessmentState.IN_PROGRESS
        assert ghent_assessment.carried_over_from == past
        # The earlier answers are as they were.
        assert not Answer.objects.filter(assessment=past, is_carried_over=True).exists()
        assert Answer.objects.filter(assessment=past).count() == 7

    def test_each_copy_has_its_first_history_row_by_the_editor(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        history = Answer.history.filter(assessment_id=ghent_assessment.pk)
        assert history.count() == 7
        assert {row.history_user_id for row in history} == {people.editor.pk}
        assert all(row.is_carried_over and row.version == 1 for row in history)

    def test_one_audit_entry_says_it_in_words(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        entry = AuditEntry.objects.get(action=Action.ASSESSMENT_CARRIED_OVER)
        assert entry.target == ghent_assessment
        assert entry.city == people.ghent
        assert (entry.from_state, entry.to_state) == ("invited", "in_progress")
        assert entry.data["count"] == 7
        assert describe(entry) == (
            f"{people.editor} started from the answers of “Survey 2024” (7 answers carried over)."
        )
        assert AuditEntry.objects.count() == 1  # no separate "started" entry

    def test_across_framework_versions_by_key(
        self, people: People, charter: Framework, open_round: Round
    ) -> None:
        """Version 2 renames a commitment (saying which it follows), drops one, moves the
        buyer's commitments to a renamed section, renames the scale and the level "partly",
        drops an option and narrows a number's range."""
        _ghent_2024(people, charter)
        _answer(
            Assessment.objects.get(city=people.ghent, round__title="Survey 2024"),
            _item(charter, "migrant-engagement"),
            level=_level(charter, "fully"),
            evidence="A council of foreign residents.",
        )
        _answer(
            Assessment.objects.get(city=people.ghent, round__title="Survey 2024"),
            _item(charter, "equality-in-procurement"),
            level=_level(charter, "not_at_all"),
        )
        text = CHARTER.read_text(encoding="utf-8")
        for old, new in [
            ("version: 1\n", "version: 2\nprevious_version: 1\n"),
            ("  - key: commitment\n", "  - key: commitment-2030\n"),
            ("scale: commitment\n", "scale: commitment-2030\n"),
            ("      - key: partly\n", "      - key: partially\n"),
            (
                "      - key: communicate-commitment\n",
                "      - key: publicise-commitment\n        follows: communicate-commitment\n",
            ),
            ("      - key: migrant-engagement\n", "      - key: migrant-participation\n"),
            ("  - key: buyer\n", "  - key: purchaser\n"),
            ("          - key: elected_official\n", "          - key: elected_officials\n"),
            ("        max: 100\n", "        max: 20\n"),
        ]:
            assert old in text, old
            text = text.replace(old, new)
        v2 = framework_import(text=text, source="charter.v2.yaml", publish=True).framework
        Round.objects.filter(pk=open_round.pk).update(framework=v2)
        survey = Assessment.objects.create(city=people.ghent, framework=v2, round=open_round)

        count = assessment_carry_over(assessment=survey, user=people.editor)

        copied = {
            a.item.key: a
            for a in Answer.objects.filter(assessment=survey).select_related("item", "level")
        }
        renamed = copied["publicise-commitment"]
        assert renamed.level == _level(v2, "fully")
        assert renamed.evidence == "Integration plan 2020-2025."
        partly = copied["equal-access-non-discrimination"]
        assert partly.level is None  # "partly" is no level of the new scale
        assert partly.evidence == "A reporting point for discrimination."
        assert not partly.is_answered
        assert copied["equality-in-procurement"].level == _level(v2, "not_at_all")
        assert "migrant-participation" not in copied  # no question of v2 follows it
        assert copied["supporting-bodies"].choices == ["migrant_council"]
        assert "foreign-born-share" not in copied  # 22.5 is out of the new range
        assert copied["arrangement"].choices == ["mainstreamed"]
        assert count == Answer.objects.filter(assessment=survey).count() == 7
        assert {a.item.section.framework_id for a in copied.values()} == {v2.pk}


class TestRefusals:
    def test_not_when_answers_are_started(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        item = _item(charter, "workforce-diversity")
        answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={item: AnswerInput(evidence="Mine")},
            base_versions={},
        )
        with pytest.raises(AssessmentError, match="already started"):
            assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        assert list(Answer.objects.filter(assessment=ghent_assessment)) == [
            Answer.objects.get(assessment=ghent_assessment, item=item)
        ]
        assert not AuditEntry.objects.filter(action=Action.ASSESSMENT_CARRIED_OVER).exists()

    @pytest.mark.parametrize("state", ["submitted", "validated"])
    def test_not_into_answers_that_cannot_change(
        self, people: People, charter: Framework, ghent_assessment: Assessment, state: str
    ) -> None:
        _ghent_2024(people, charter)
        Assessment.objects.filter(pk=ghent_assessment.pk).update(state=state)
        ghent_assessment.refresh_from_db()
        with pytest.raises(AssessmentError, match="submitted"):
            assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        _nothing_changed(ghent_assessment)

    def test_not_once_the_round_is_closed(
        self,
        people: People,
        charter: Framework,
        open_round: Round,
        ghent_assessment: Assessment,
    ) -> None:
        _ghent_2024(people, charter)
        Round.objects.filter(pk=open_round.pk).update(status=RoundStatus.CLOSED)
        ghent_assessment.refresh_from_db()
        with pytest.raises(AssessmentError, match="closed"):
            assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        _nothing_changed(ghent_assessment)

    @pytest.mark.parametrize("role", ["viewer", "reviewer", "secretariat", "outsider"])
    def test_only_the_citys_editors(
        self, people: People, charter: Framework, ghent_assessment: Assessment, role: str
    ) -> None:
        _ghent_2024(people, charter)
        with pytest.raises(NotAllowed):
            assessment_carry_over(assessment=ghent_assessment, user=getattr(people, role))
        _nothing_changed(ghent_assessment)


class TestConfirming:
    @pytest.fixture
    def carried(self, people: People, charter: Framework, ghent_assessment: Assessment) -> Item:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        return _item(charter, "communicate-commitment")

    def _input(self, confirmed: bool = False, level: str = "fully") -> AnswerInput:
        charter = Framework.objects.get(lineage="charter")
        return AnswerInput(
            level=_level(charter, level),
            evidence="Integration plan 2020-2025.",
            links=("https://www.gent.be/plan",),
            confirmed=confirmed,
        )

    def test_saving_it_unchanged_keeps_the_mark(
        self, people: People, ghent_assessment: Assessment, carried: Item
    ) -> None:
        answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={carried: self._input()},
            base_versions={carried.pk: 1},
        )
        assert Answer.objects.get(assessment=ghent_assessment, item=carried).is_carried_over

    def test_confirming_it_unchanged_clears_the_mark_and_keeps_the_version(
        self, people: People, ghent_assessment: Assessment, carried: Item
    ) -> None:
        result = answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={carried: self._input(confirmed=True)},
            base_versions={carried.pk: 1},
        )
        answer = Answer.objects.get(assessment=ghent_assessment, item=carried)
        assert not answer.is_carried_over
        assert answer.version == 1 == result.versions[carried.pk]
        assert answer.history.count() == 2
        # The history says it in words.
        event = next(e for e in selectors.history(ghent_assessment) if e.kind == "answer")
        assert [(c.label, c.old, c.new) for c in event.changes] == [
            ("Earlier answer", "carried over, to be confirmed", "confirmed")
        ]

    def test_changing_it_clears_the_mark(
        self, people: People, ghent_assessment: Assessment, carried: Item
    ) -> None:
        answers_save(
            assessment=ghent_assessment,
            user=people.editor,
            inputs={carried: self._input(level="partly")},
            base_versions={carried.pk: 1},
        )
        answer = Answer.objects.get(assessment=ghent_assessment, item=carried)
        assert not answer.is_carried_over
        assert answer.version == 2

    def test_the_section_form_confirms_only_what_is_ticked(
        self, people: People, charter: Framework, ghent_assessment: Assessment, carried: Item
    ) -> None:
        other = _item(charter, "equal-access-non-discrimination")
        third = _item(charter, "migrant-engagement")
        data = {
            f"i{carried.pk}-version": "1",
            f"i{carried.pk}-level": "fully",
            f"i{carried.pk}-evidence": "Integration plan 2020-2025.",
            f"i{carried.pk}-links": "https://www.gent.be/plan",
            f"i{carried.pk}-confirm": "on",
            f"i{other.pk}-version": "1",
            f"i{other.pk}-level": "partly",
            f"i{other.pk}-evidence": "A reporting point for discrimination.",
            f"i{third.pk}-version": "0",
            "save": "",
        }
        url = reverse("assessments:section", args=[ghent_assessment.pk, "policymaker"])
        response = client_for(people.editor).post(url, data)
        assert response.status_code == 302
        marked = dict(
            Answer.objects.filter(assessment=ghent_assessment).values_list(
                "item__key", "is_carried_over"
            )
        )
        assert marked["communicate-commitment"] is False
        assert marked["equal-access-non-discrimination"] is True
        page = _section(people.editor, ghent_assessment)
        assert f'name="i{carried.pk}-confirm"' not in page
        assert f'name="i{other.pk}-confirm"' in page

    def test_the_check_page_warns_about_unconfirmed_answers_but_allows_submitting(
        self, people: People, ghent_assessment: Assessment, carried: Item
    ) -> None:
        response = client_for(people.editor).get(
            reverse("assessments:review", args=[ghent_assessment.pk])
        )
        page = response.content.decode()
        assert "not confirmed yet" in page
        assert "2 answers to confirm" in page  # the two commitments of the policymaker
        assert "Cities as policymakers" in page
        detail = _detail(people.editor, ghent_assessment)
        assert "7 answers carried over from earlier answers are not confirmed yet" in detail


class TestPages:
    def test_editors_are_offered_to_start_from_last_time(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        past = _ghent_2024(people, charter)
        page = _detail(people.editor, ghent_assessment)
        assert "Start from last time's answers" in page
        assert "Survey 2024" in page
        assert f"(validated on {_day(past.validated_at)})" in page
        assert reverse("assessments:carry_over", args=[ghent_assessment.pk]) in page
        assert "csrfmiddlewaretoken" in page

    @pytest.mark.parametrize("role", ["viewer", "reviewer", "secretariat"])
    def test_others_are_not_offered(
        self, people: People, charter: Framework, ghent_assessment: Assessment, role: str
    ) -> None:
        _ghent_2024(people, charter)
        page = _detail(getattr(people, role), ghent_assessment)
        assert reverse("assessments:carry_over", args=[ghent_assessment.pk]) not in page

    def test_no_offer_once_answers_are_started(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        page = _detail(people.editor, ghent_assessment)
        assert reverse("assessments:carry_over", args=[ghent_assessment.pk]) not in page

    def test_pressing_the_button_copies_and_says_how_many(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        response = client_for(people.editor).post(
            reverse("assessments:carry_over", args=[ghent_assessment.pk])
        )
        assert response.status_code == 302
        assert response["Location"] == ghent_assessment.get_absolute_url()
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert said == ["7 answers were carried over from Survey 2024; please confirm each one."]
        assert Answer.objects.filter(assessment=ghent_assessment, is_carried_over=True).count() == 7

    def test_a_refusal_becomes_a_message(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        response = client_for(people.editor).post(
            reverse("assessments:carry_over", args=[ghent_assessment.pk])
        )
        assert response.status_code == 302
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert said == ["The city has no earlier answers to start from."]
        _nothing_changed(ghent_assessment)

    def test_only_by_post(self, people: People, ghent_assessment: Assessment) -> None:
        url = reverse("assessments:carry_over", args=[ghent_assessment.pk])
        assert client_for(people.editor).get(url).status_code == 405

    def test_the_section_shows_last_times_answer_and_the_badge(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        _riga_2024(people, charter)
        before = _section(people.editor, ghent_assessment)
        assert "Last time (Survey 2024):" in before
        assert '<span class="pill level level-yes">Fully</span>' in before
        assert "Integration plan 2020-2025." in before
        assert "Carried over, please confirm" not in before
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        page = _section(people.editor, ghent_assessment)
        assert page.count("Carried over, please confirm") >= 2
        assert "I have checked this answer: keep it as it is" in page
        assert "RIGA-SECRET" not in page
        organisation = _section(people.editor, ghent_assessment, "organisation")
        assert "The integration service." in organisation
        assert "Arrivals from Syria." not in organisation  # the other section's "description"

    def test_readers_see_the_badge_and_last_time_too(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        page = _section(people.viewer, ghent_assessment)
        assert "Carried over, please confirm" in page
        assert "Last time (Survey 2024):" in page
        assert "I have checked this answer" not in page

    def test_the_history_tells_it(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        response = client_for(people.editor).get(
            reverse("assessments:history", args=[ghent_assessment.pk])
        )
        page = response.content.decode()
        assert "started from the answers of “Survey 2024” (7 answers carried over)." in page
        assert "Earlier answer: — → carried over, to be confirmed" in page

    def test_the_api_says_which_answers_are_carried_over(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        body = client_for(people.editor).get(f"/api/v1/assessments/{ghent_assessment.pk}").json()
        assert len(body["answers"]) == 7
        assert all(answer["carried_over"] is True for answer in body["answers"])


class TestSelfTests:
    def test_a_self_test_starts_from_the_citys_previous_one(self, people: People) -> None:
        benchmark = framework_import_path(path=BENCHMARK, publish=True).framework
        rating = Item.objects.filter(section__framework=benchmark, kind=ItemKind.RATING).first()
        assert rating is not None and rating.scale_id is not None
        level = Level.objects.filter(scale_id=rating.scale_id).order_by("position").first()
        earlier = Assessment.objects.create(
            city=people.ghent,
            framework=benchmark,
            state=AssessmentState.VALIDATED,
            validated_at=timezone.now() - timedelta(days=300),
        )
        Assessment.objects.filter(pk=earlier.pk).update(
            created_at=timezone.now() - timedelta(days=365)
        )
        _answer(earlier, rating, level=level, evidence="A diversity plan.")
        riga = Assessment.objects.create(city=people.riga, framework=benchmark)
        _answer(riga, rating, level=level, evidence="RIGA-SECRET")
        current = Assessment.objects.create(city=people.ghent, framework=benchmark)
        earlier.refresh_from_db()

        assert selectors.previous_assessment(current) == earlier
        page = _detail(people.editor, current)
        started = _day(earlier.created_at)
        assert f"the self-test of {started}" in page
        assert assessment_carry_over(assessment=current, user=people.editor) == 1
        copied = Answer.objects.get(assessment=current)
        assert (copied.item, copied.level, copied.evidence) == (rating, level, "A diversity plan.")
        assert copied.is_carried_over
        entry = AuditEntry.objects.get(action=Action.ASSESSMENT_CARRIED_OVER)
        assert f"the self-test of {started}" in describe(entry)


class TestQueries:
    def _count(self, user: User, assessment: Assessment) -> int:
        client = client_for(user)
        url = reverse("assessments:section", args=[assessment.pk, "policymaker"])
        client.get(url)  # warm the caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_the_section_page_does_not_grow_with_its_questions(
        self, people: People, charter: Framework, ghent_assessment: Assessment
    ) -> None:
        past = _ghent_2024(people, charter)
        assessment_carry_over(assessment=ghent_assessment, user=people.editor)
        few = self._count(people.editor, ghent_assessment)
        section = _item(charter, "communicate-commitment").section
        scale = _item(charter, "communicate-commitment").scale
        fully = _level(charter, "fully")
        for n in range(20):
            item = Item.objects.create(
                section=section,
                key=f"extra-{n}",
                position=100 + n,
                kind=ItemKind.RATING,
                text={"en": f"Extra question {n}"},
                scale=scale,
            )
            _answer(past, item, level=fully, evidence=f"Extra evidence {n}.")
            _answer(ghent_assessment, item, level=fully, is_carried_over=True)
        many = self._count(people.editor, ghent_assessment)
        assert "Extra evidence 19." in _section(people.editor, ghent_assessment)
        assert many == few


def test_last_time_follows_the_earlier_survey_reopened_corrected_and_validated_again(
    people: People, charter: Framework, ghent_assessment: Assessment
) -> None:
    """Last time is kept while the earlier survey is validated, and never shown stale."""
    past = _ghent_2024(people, charter)
    assert "Integration plan 2020-2025." in _section(people.editor, ghent_assessment)
    past.state = AssessmentState.IN_PROGRESS  # reopened: no longer kept
    past.save()
    answer = Answer.objects.get(assessment=past, item=_item(charter, "communicate-commitment"))
    answer.evidence = "Integration plan 2021-2026."
    answer.save()
    assert "Integration plan 2021-2026." in _section(people.editor, ghent_assessment)
    past.state = AssessmentState.VALIDATED
    past.save()
    for _ in range(2):  # made, then read from the cache
        page = _section(people.editor, ghent_assessment)
        assert "Integration plan 2021-2026." in page
        assert "Integration plan 2020-2025." not in page
