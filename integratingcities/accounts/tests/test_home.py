"""The home page's to-do list: each role sees its own steps, and nothing of another city."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import Answer, Assessment, AssessmentState, Comment
from integratingcities.frameworks.models import Framework, Item
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.practices.models import Practice, PracticeSource, PracticeStatus
from integratingcities.rounds.models import Round


@pytest.fixture
def charter(db: None) -> Framework:
    return framework_import_path(
        path=Path(settings.BASE_DIR) / "content/frameworks/charter.v1.yaml", publish=True
    ).framework


@pytest.fixture
def open_round(people: People, charter: Framework) -> Round:
    today = timezone.localdate()
    return Round.objects.create(
        title="Survey 2026",
        framework=charter,
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=10),
    )


def _survey(city, round_: Round, state: str = AssessmentState.IN_PROGRESS) -> Assessment:  # type: ignore[no-untyped-def]
    return Assessment.objects.create(
        city=city, framework=round_.framework, round=round_, state=state
    )


def _home(user) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("accounts:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_editor_sees_open_surveys_with_deadline_progress_and_comments(
    people: People, open_round: Round
) -> None:
    ghent = _survey(people.ghent, open_round, AssessmentState.CHANGES_REQUESTED)
    item = Item.objects.filter(section__framework=open_round.framework).first()
    assert item is not None
    Answer.objects.create(assessment=ghent, item=item, text="yes", is_answered=True)
    Comment.objects.create(assessment=ghent, item=item, author=people.reviewer, text="Source?")
    Comment.objects.create(assessment=ghent, item=item, author=people.reviewer, text="Year?")
    _survey(people.riga, open_round)
    total = Item.objects.filter(section__framework=open_round.framework).count()
    page = _home(people.editor)
    assert "Waiting for your answers" in page
    assert ghent.get_absolute_url() in page
    assert f"1 of {total} answered" in page
    assert "The reviewers asked for changes, with 2 comments." in page
    assert "Riga" not in page


def test_the_editor_sees_their_self_tests_in_progress(people: People, charter: Framework) -> None:
    mine = Assessment.objects.create(city=people.ghent, framework=charter)
    Assessment.objects.create(city=people.riga, framework=charter)
    page = _home(people.editor)
    assert "Your self-tests in progress" in page
    assert mine.get_absolute_url() in page
    assert "Riga" not in page


def test_the_reviewer_sees_submissions_to_review(people: People, open_round: Round) -> None:
    ghent = _survey(people.ghent, open_round, AssessmentState.SUBMITTED)
    riga = _survey(people.riga, open_round, AssessmentState.SUBMITTED)
    page = _home(people.reviewer)
    assert "Submissions to review" in page
    assert ghent.get_absolute_url() in page
    assert riga.get_absolute_url() not in page
    assert "Waiting for your answers" not in page


def test_the_secretariat_sees_what_awaits_it_and_answers_for_no_city(
    people: People, open_round: Round
) -> None:
    submitted = _survey(people.ghent, open_round, AssessmentState.SUBMITTED)
    in_progress = _survey(people.riga, open_round)
    no_editor = SignatoryFactory.create(name="Genoa", slug="genoa", country="IT")
    _survey(no_editor, open_round, AssessmentState.INVITED)
    practice = Practice.objects.create(
        key="welcome-desk",
        title="A welcome desk",
        city=people.ghent,
        summary="A desk.",
        source=PracticeSource.REPORT_2015,
        status=PracticeStatus.PROPOSED,
    )
    far = Round.objects.create(
        title="Far away",
        framework=open_round.framework,
        opens_on=date(2020, 1, 1),
        closes_on=timezone.localdate() + timedelta(days=60),
    )
    page = _home(people.secretariat)
    assert "Waiting for your answers" not in page
    assert in_progress.get_absolute_url() not in page
    assert "Submissions to validate" in page
    assert submitted.get_absolute_url() in page
    assert practice.get_absolute_url() in page
    assert open_round.get_absolute_url() in page
    assert far.get_absolute_url() not in page
    invite = reverse("accounts:invitations") + f"?city={no_editor.pk}&amp;role=editor"
    assert invite in page
    # Ghent and Riga have editors.
    assert f"?city={people.ghent.pk}&amp;" not in page
    assert f"?city={people.riga.pk}&amp;" not in page


def test_the_invitation_form_starts_with_the_city_and_role(people: People) -> None:
    url = reverse("accounts:invitations") + f"?city={people.riga.pk}&role=editor"
    page = client_for(people.secretariat).get(url).content.decode()
    assert 'name="city" value="Riga"' in page  # typed for the secretariat, as by hand
    assert "<option" not in page.split('name="city"')[1].split("</div>")[0]
    assert '<option value="editor" selected>' in page


def test_the_outsider_sees_nothing_of_ghent(people: People, open_round: Round) -> None:
    _survey(people.ghent, open_round, AssessmentState.SUBMITTED)
    _survey(people.riga, open_round)
    Assessment.objects.create(city=people.ghent, framework=open_round.framework)
    page = _home(people.outsider)
    assert "Ghent" not in page
    assert "Riga" in page


def test_a_viewer_has_nothing_to_do(people: People, open_round: Round) -> None:
    _survey(people.ghent, open_round, AssessmentState.SUBMITTED)
    assert "Your to-do list" not in _home(people.viewer)


@pytest.mark.parametrize("role", ["secretariat", "editor", "reviewer"])
def test_the_query_count_does_not_grow_with_the_cities(
    people: People, open_round: Round, role: str, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    user = getattr(people, role)

    def grow(n: int) -> None:
        for i in range(n):
            city = SignatoryFactory.create()
            Membership.objects.create(user=people.editor, city=city, role=Role.EDITOR)
            Membership.objects.create(user=people.reviewer, city=city, role=Role.REVIEWER)
            _survey(city, open_round, AssessmentState.SUBMITTED if i % 2 else "in_progress")
            Assessment.objects.create(city=city, framework=open_round.framework)
            orphan = SignatoryFactory.create()
            _survey(orphan, open_round, AssessmentState.INVITED)
            Practice.objects.create(
                key=f"practice-{city.slug}",
                title=f"Practice of {city.name}",
                city=city,
                summary="-",
                source=PracticeSource.REPORT_2015,
                status=PracticeStatus.PROPOSED,
            )

    grow(2)
    client = client_for(user)
    url = reverse("accounts:home")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(8)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
