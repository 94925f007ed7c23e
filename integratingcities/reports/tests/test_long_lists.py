"""A report's page cuts the lists that grow with the network; its PDF and snapshot do not."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.assessments.services import assessment_reopen, assessment_validate
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.reports import display, selectors
from integratingcities.reports.models import Report
from integratingcities.reports.services import edition_publish, report_text_save
from integratingcities.rounds.models import Round, RoundStatus

from .conftest import answer, survey_2026

# Six cities, named so that their order by name is plain: Alba first, Faro last.
NAMES = ["Faro", "Alba", "Evora", "Braga", "Durres", "Cork"]


@pytest.fixture
def busy_round(people: People, charter: Framework) -> Round:
    """A published round in which six cities wrote a description and a challenge, validated;
    a seventh, Gdansk, wrote both but is only submitted."""
    round_ = survey_2026(charter)
    for name in [*NAMES, "Gdansk"]:
        city = SignatoryFactory.create(name=name, slug=name.lower(), country="PT")
        assessment = Assessment.objects.create(
            city=city,
            framework=charter,
            round=round_,
            state=AssessmentState.SUBMITTED if name == "Gdansk" else AssessmentState.VALIDATED,
        )
        answer(assessment, "organisation/description", text=f"{name} describes its office.")
        answer(assessment, "challenge-policymaker", text=f"{name} lacks housing.")
    report_text_save(
        round_=round_, actor=people.secretariat, key="section.summary", text="Six cities."
    )
    return round_


def _shown(page: str) -> list[str]:
    return [name for name in [*NAMES, "Gdansk"] if f"{name} describes its office." in page]


def test_the_preview_shows_the_first_by_name_and_says_how_many_more(
    people: People, busy_round: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display, "SHOWN_ON_PAGE", 2)
    client = client_for(people.secretariat)
    url = reverse("reports:preview", kwargs={"pk": busy_round.pk})
    page = client.get(url).content.decode()
    assert _shown(page) == ["Alba", "Braga"]
    assert page.count("lacks housing.") == 2
    assert page.count("And 4 more answers.") == 2  # the description, the challenge
    assert "And 4 more cities." in page
    # The round is published: its answers file has every answer already.
    answers_file = reverse("opendata:round_answers", kwargs={"pk": busy_round.pk})
    assert f'<a href="{answers_file}" download>answers file (CSV)</a> has every one' in page
    rows = b"".join(client.get(answers_file).streaming_content).decode()  # type: ignore[attr-defined]
    assert all(f"{name} describes its office." in rows for name in NAMES)

    # A seventh city validated: the kept first rows and totals are made again.
    Assessment.objects.filter(city__slug="gdansk").update(state=AssessmentState.VALIDATED)
    page = client.get(url).content.decode()
    assert _shown(page) == ["Alba", "Braga"]
    assert page.count("And 5 more answers.") == 2
    assert "And 5 more cities." in page


def test_an_edition_is_frozen_whole_and_its_page_cut(
    people: People, busy_round: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display, "SHOWN_ON_PAGE", 3)
    edition = edition_publish(
        report=Report.objects.get(round=busy_round), actor=people.secretariat, note=""
    )
    chapter = next(c for c in edition.snapshot["chapters"] if c["key"] == "organisation")
    assert [a["city"] for a in chapter["answers"]] == sorted(NAMES)
    assert "answers_total" not in chapter  # an edition's lists are whole
    assert len(edition.snapshot["cities"]) == 6

    page = client_for(None).get(edition.get_absolute_url()).content.decode()
    assert _shown(page) == ["Alba", "Braga", "Cork"]
    assert page.count("And 3 more answers.") == 2
    assert "And 3 more cities." in page
    assert ">The report's PDF has every one.</a>" in page

    # What the PDF prints: every answer, no note.
    printed = display.context(edition.snapshot, edition=edition)
    chapter = next(c for c in printed["r"]["chapters"] if c["key"] == "organisation")
    assert len(chapter["answers"]) == 6
    assert len(printed["cities"]) == 6


def test_the_cut_snapshot_agrees_with_the_whole_one(busy_round: Round) -> None:
    report = selectors.report_of(busy_round)
    whole = selectors.snapshot(report)
    cut = display.cut(selectors.snapshot(report, shown=2), 2)
    assert _without_totals(cut) == display.cut(whole, 2)
    assert cut["cities_more"] == 4
    assert [c["name"] for c in cut["cities"]] == ["Alba", "Braga"]


def _without_totals(value: object) -> object:
    """The snapshot without the totals that only a cut snapshot holds."""
    if isinstance(value, dict):
        return {k: _without_totals(v) for k, v in value.items() if not k.endswith("_total")}
    if isinstance(value, list):
        return [_without_totals(v) for v in value]
    return value


def test_the_preview_of_an_unpublished_round_points_to_the_pdf_to_come(
    people: People, busy_round: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display, "SHOWN_ON_PAGE", 2)
    Round.objects.filter(pk=busy_round.pk).update(status=RoundStatus.CLOSED)
    page = client_for(people.secretariat).get(
        reverse("reports:preview", kwargs={"pk": busy_round.pk})
    )
    assert "And 4 more answers." in page.content.decode()
    assert "the PDF of each edition will have every one" in page.content.decode()
    assert "answers file" not in page.content.decode()


def _ranked(queries: CaptureQueriesContext) -> bool:
    """Whether the preview's lists were ranked (the window query) during ``queries``."""
    return any("ROW_NUMBER" in query["sql"].upper() for query in queries.captured_queries)


def test_a_validation_or_its_reopening_ranks_the_previews_lists_in_the_worker(
    people: People,
    busy_round: Round,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(display, "SHOWN_ON_PAGE", 2)
    Round.objects.filter(pk=busy_round.pk).update(status=RoundStatus.CLOSED)
    gdansk = Assessment.objects.get(city__slug="gdansk")
    client = client_for(people.secretariat)
    url = reverse("reports:preview", kwargs={"pk": busy_round.pk})

    with django_capture_on_commit_callbacks(execute=True):
        assessment_validate(assessment=gdansk, user=people.secretariat, reason="Enough.")
    with CaptureQueriesContext(connection) as visit:
        page = client.get(url).content.decode()
    assert not _ranked(visit)  # the worker (here, at once) ranked them after the commit
    assert page.count("And 5 more answers.") == 2

    with django_capture_on_commit_callbacks(execute=True):
        assessment_reopen(assessment=gdansk, user=people.secretariat, reason="Sent in error.")
    with CaptureQueriesContext(connection) as visit:
        page = client.get(url).content.decode()
    assert not _ranked(visit)
    assert page.count("And 4 more answers.") == 2


def test_a_round_whose_report_is_not_started_is_not_ranked(
    people: People, charter: Framework, django_capture_on_commit_callbacks: Any
) -> None:
    round_ = survey_2026(charter)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    survey = Assessment.objects.create(
        city=people.ghent, framework=charter, round=round_, state=AssessmentState.SUBMITTED
    )
    answer(survey, "organisation/description", text="Ghent describes its office.")
    with (
        CaptureQueriesContext(connection) as validation,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assessment_validate(assessment=survey, user=people.secretariat, reason="Enough.")
    assert callbacks  # the worker was asked, and found no report to prepare
    assert not _ranked(validation)
