from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.accounts.models import User
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.services import AssessmentError, assessment_validate
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.frameworks.selectors import outline
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.rounds.models import Round, RoundStatus
from integratingcities.rounds.services import (
    RoundError,
    round_close,
    round_correct,
    round_publish,
)


@pytest.fixture(autouse=True)
def real_commits(transactional_db: None) -> None:
    """Invitation and reminder mail leaves on commit."""


def _secretariat() -> User:
    return User.objects.get(is_staff=True)


def _validated(round_: Round, city, levels: dict[str, str]) -> Assessment:  # type: ignore[no-untyped-def]
    assessment = Assessment.objects.create(
        city=city, framework=round_.framework, round=round_, state=AssessmentState.VALIDATED
    )
    for key, level in levels.items():
        Answer.objects.create(
            assessment=assessment,
            item=Item.objects.get(section__framework=round_.framework, key=key),
            level=Level.objects.get(scale__framework=round_.framework, key=level),
            evidence="e",
            is_answered=True,
            version=1,
        )
    return assessment


class TestOpening:
    def test_the_secretariat_opens_a_round_and_editors_are_invited(
        self, people: People, charter: Framework
    ) -> None:
        response = client_for(people.secretariat).post(
            reverse("rounds:create"),
            {
                "title": "Survey 2026",
                "framework": charter.pk,
                "opens_on": "2026-01-10",
                "closes_on": "2026-03-31",
                "cities": [people.ghent.pk, people.riga.pk],
            },
        )
        round_ = Round.objects.get()
        assert response["Location"] == round_.get_absolute_url()
        assert set(round_.assessments.values_list("city__slug", "state")) == {
            ("ghent", "invited"),
            ("riga", "invited"),
        }
        assert sorted(m.to[0] for m in mail.outbox) == [
            "editor.ghent@example.org",
            "editor.riga@example.org",
            "viewer.ghent@example.org",
        ]
        assert "/assessments/" in mail.outbox[0].body

    def test_dates_in_the_wrong_order_are_refused(self, people: People, charter: Framework) -> None:
        response = client_for(people.secretariat).post(
            reverse("rounds:create"),
            {
                "title": "X",
                "framework": charter.pk,
                "opens_on": "2026-03-31",
                "closes_on": "2026-01-10",
                "cities": [people.ghent.pk],
            },
        )
        assert "closes_on" in response.context["form"].errors
        assert not Round.objects.exists()

    def test_the_board_shows_state_and_progress_and_reminds(
        self, people: People, ghent_assessment: Assessment, riga_assessment: Assessment
    ) -> None:
        item = Item.objects.get(
            section__framework=ghent_assessment.framework, key="communicate-commitment"
        )
        Answer.objects.create(assessment=ghent_assessment, item=item, text="x", is_answered=True)
        Assessment.objects.filter(pk=ghent_assessment.pk).update(state="in_progress")
        client = client_for(people.secretariat)
        board = client.get(reverse("rounds:board", args=[ghent_assessment.round_id]))
        html = board.content.decode()
        assert "In progress" in html
        assert "Invited" in html
        client.post(reverse("rounds:remind", args=[ghent_assessment.round_id]))
        assert {m.to[0] for m in mail.outbox} == {
            "editor.ghent@example.org",
            "editor.riga@example.org",
        }

    def test_the_board_query_count_does_not_grow_with_cities(
        self, people: People, open_round: Round
    ) -> None:
        url = reverse("rounds:board", args=[open_round.pk])
        client = client_for(people.secretariat)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            return len(queries)

        Assessment.objects.create(
            city=people.ghent, framework=open_round.framework, round=open_round
        )
        few = count()
        for city in SignatoryFactory.create_batch(15):
            Assessment.objects.create(city=city, framework=open_round.framework, round=open_round)
        assert count() == few

    def test_publishing_needs_a_closed_round(self, open_round: Round) -> None:
        with pytest.raises(RoundError):
            round_publish(round_=open_round, user=_secretariat())
        round_publish(
            round_=round_close(round_=open_round, user=_secretariat()), user=_secretariat()
        )
        assert Round.objects.get().status == RoundStatus.PUBLISHED


class TestResults:
    def test_only_validated_answers_count_and_anonymous_sees_published_only(
        self, people: People, open_round: Round
    ) -> None:
        _validated(open_round, people.ghent, {"communicate-commitment": "fully"})
        submitted = _validated(open_round, people.riga, {"communicate-commitment": "partly"})
        Assessment.objects.filter(pk=submitted.pk).update(state="submitted")
        url = reverse("rounds:results", args=[open_round.pk])
        assert client_for(None).get(url).status_code == 404
        round_publish(
            round_=round_close(round_=open_round, user=_secretariat()), user=_secretariat()
        )
        response = client_for(None).get(url)
        assert response.context["results"].responding == 1
        policymaker = response.context["results"].sections[0]
        assert policymaker.items[0].counts == {"fully": 1}
        chart = client_for(None).get(reverse("rounds:chart", args=[open_round.pk, "policymaker"]))
        assert chart["Content-Type"] == "image/svg+xml"
        assert b"<svg" in chart.content

    def test_filters_by_country_and_size(self, people: People, open_round: Round) -> None:
        people.ghent.population = 263_000
        people.ghent.save()
        _validated(open_round, people.ghent, {"communicate-commitment": "fully"})
        _validated(open_round, people.riga, {"communicate-commitment": "partly"})
        client = client_for(people.secretariat)
        url = reverse("rounds:results", args=[open_round.pk])
        assert client.get(url, {"country": "LV"}).context["results"].responding == 1
        assert client.get(url, {"band": "MEDIUM"}).context["results"].responding == 1
        assert client.get(url, {"band": "LARGE"}).context["results"].responding == 0
        assert client.get(url, {"band": "nonsense"}).status_code == 200

    def test_a_city_sees_its_score_against_the_network(
        self, people: People, open_round: Round
    ) -> None:
        _validated(
            open_round,
            people.ghent,
            {
                "communicate-commitment": "fully",
                "equal-access-non-discrimination": "partly",
                "migrant-engagement": "not_applicable",
            },
        )
        not_at_all = {
            "communicate-commitment": "not_at_all",
            "equal-access-non-discrimination": "not_at_all",
        }
        _validated(open_round, people.riga, not_at_all)
        round_publish(
            round_=round_close(round_=open_round, user=_secretariat()), user=_secretariat()
        )
        response = client_for(None).get(
            reverse("rounds:city_results", args=[open_round.pk, "ghent"])
        )
        r = response.context["r"]
        policymaker, *others = r.rows
        assert policymaker.own.score == 75
        assert (policymaker.own.scored_items, policymaker.own.items) == (2, 3)
        # Medians and ranks are among the other cities: Riga's 0 (Ghent's rank 1 of 2).
        assert policymaker.network.spread.median == 0
        assert (policymaker.network.position.rank, policymaker.network.total) == (1, 2)
        # Roles without answers are shown, not scored; 2 of 11 commitments score nothing overall.
        assert [row.own.headline for row in others] == [None, None, None]
        assert r.own.headline is None and r.overall[0].position.rank is None
        assert "Not enough answers to score: 2 of 11 commitments" in response.content.decode()

    def test_cached_scores_and_charts_follow_a_new_validation(
        self, people: People, open_round: Round
    ) -> None:
        fully = {"communicate-commitment": "fully", "equal-access-non-discrimination": "fully"}
        _validated(open_round, people.ghent, fully)
        round_publish(
            round_=round_close(round_=open_round, user=_secretariat()), user=_secretariat()
        )
        city_url = reverse("rounds:city_results", args=[open_round.pk, "ghent"])
        chart_url = reverse("rounds:chart", args=[open_round.pk, "policymaker"])
        visitor = client_for(None)
        before = visitor.get(city_url).context["r"].rows[0]
        chart_before = visitor.get(chart_url).content
        assert before.network.spread.median is None  # no other city yet

        riga = _validated(
            open_round,
            people.riga,
            {
                "communicate-commitment": "not_at_all",
                "equal-access-non-discrimination": "partly",
            },
        )
        Assessment.objects.filter(pk=riga.pk).update(state="submitted")
        # Published results change only through a correction, published again as revised.
        with pytest.raises(AssessmentError):
            assessment_validate(assessment=riga, user=people.secretariat)
        corrected = round_correct(round_=open_round, user=people.secretariat, reason="Riga late")
        assessment_validate(assessment=riga, user=people.secretariat, reason="One answer only")
        republished = round_publish(round_=corrected, user=people.secretariat)
        assert republished.revised_at is not None

        after = visitor.get(city_url).context["r"].rows[0]
        assert after.network.spread.median == 25
        assert visitor.get(chart_url).content != chart_before

    def test_the_results_query_count_does_not_grow_with_cities(
        self, people: People, open_round: Round
    ) -> None:
        url = reverse("rounds:results", args=[open_round.pk])
        client = client_for(people.secretariat)
        _validated(open_round, people.ghent, {"communicate-commitment": "fully"})

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            return len(queries)

        outline(open_round.framework_id)  # kept from the start: the cities' writes leave it
        few = count()
        for city in SignatoryFactory.create_batch(10):
            _validated(open_round, city, {"communicate-commitment": "partly"})
        assert count() == few


def test_round_dates_must_be_ordered(people: People, charter: Framework) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Round(
            title="x", framework=charter, opens_on=date(2026, 2, 1), closes_on=date(2026, 1, 1)
        ).full_clean()
