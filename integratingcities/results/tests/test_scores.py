"""Scores come from one place: recorded where they exist, section weights counting everywhere."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.assessments.models import Assessment
from integratingcities.assessments.services import scores_record
from integratingcities.frameworks.models import Framework, Section
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.results import peers as peer_rules
from integratingcities.results.rounds import city_results, round_peers
from integratingcities.results.scores import RECORD_VERSION, read_record, scheme, scores_of, tally
from integratingcities.rounds.models import Round

from .conftest import Make, rating_keys

ROLES = {
    "policymaker": [
        "communicate-commitment",
        "equal-access-non-discrimination",
        "migrant-engagement",
    ],
    "employer": ["workforce-diversity", "fair-treatment-of-staff", "staff-understand-diversity"],
}


def test_a_record_reads_back_as_the_answers_score(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    levels = {
        "communicate-commitment": "fully",
        "equal-access-non-discrimination": "partly",
        "migrant-engagement": "not_applicable",
        "workforce-diversity": "not_at_all",
    }
    assessment = make(charter, people.ghent, levels, round_=published_round)
    of = scheme(charter.pk)
    tallied = tally([assessment.pk], of)[assessment.pk]
    scores_record(assessments=[assessment])
    assessment.refresh_from_db()
    assert assessment.scores is not None and assessment.scores["version"] == RECORD_VERSION
    assert read_record(assessment.scores, of) == tallied
    policymaker = tallied.result.sections["policymaker"]
    assert (policymaker.score, policymaker.scored_items, policymaker.items) == (75, 2, 3)
    assert policymaker.answered_share == pytest.approx(2 / 3)
    assert tallied.top_items == {"communicate-commitment"}
    # A record of an earlier shape is not read: the answers are tallied instead.
    old = {"sections": {"policymaker": [75.0, 2, 3]}, "top_items": []}
    assert read_record(old, of) is None
    Assessment.objects.filter(pk=assessment.pk).update(scores=old)
    with CaptureQueriesContext(connection) as queries:
        assert scores_of([(assessment.pk, charter.pk, old)], of)[assessment.pk] == tallied
    assert len(queries) == 1


def test_section_weights_count_in_a_citys_round_results(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    """A fix: round results used to weigh every role alike, whatever the framework said."""
    everything = dict.fromkeys(rating_keys(charter), "not_at_all")
    ghent = make(
        charter,
        people.ghent,
        everything | dict.fromkeys(ROLES["policymaker"], "fully"),
        round_=published_round,
    )
    Section.objects.filter(framework=charter, key="policymaker").update(weight=Decimal(3))
    found = city_results(published_round, ghent)
    # Policymaker 100 (weight 3), the three other roles 0 (weight 1 each).
    assert found.own.score == pytest.approx(50)
    assert found.own.headline == pytest.approx(50)
    page = client_for(None).get(reverse("rounds:city_results", args=[published_round.pk, "ghent"]))
    assert "<strong>50</strong>" in page.content.decode()


def test_round_peers_are_read_from_records_and_cached(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    everything = dict.fromkeys(rating_keys(charter), "partly")
    assessments = [
        make(charter, city, everything, round_=published_round)
        for city in SignatoryFactory.create_batch(5)
    ]
    scores_record(assessments=assessments)
    with CaptureQueriesContext(connection) as queries:
        first = round_peers(published_round)
    assert len(queries) == 5  # the stamp, the records, the scheme (3): no answer is read
    with CaptureQueriesContext(connection) as queries:
        assert round_peers(published_round) == first
    assert len(queries) == 1  # the stamp
    assert {peer.overall_headline for peer in first.by_assessment.values()} == {50}


def test_peer_groups_are_drawn_from_the_city_figures(people: People) -> None:
    Ghent = people.ghent
    Ghent.population, Ghent.foreign_born_share = 263_000, Decimal("22.5")
    Ghent.save()
    antwerp = SignatoryFactory.create(name="Antwerp", country="BE", population=530_000)
    leuven = SignatoryFactory.create(name="Leuven", country="BE", population=300_000)
    figures = peer_rules.city_figures(
        type(Ghent).objects.filter(pk__in=[Ghent.pk, antwerp.pk, leuven.pk, people.riga.pk])
    )
    band_of_ghent = figures[Ghent.pk].band
    assert band_of_ghent is not None and band_of_ghent.name == "MEDIUM"
    network, band, foreign_born, country = peer_rules.peer_groups(Ghent.pk, figures)
    assert network.members == {antwerp.pk, leuven.pk, people.riga.pk}
    assert band.members == {leuven.pk} and band.value == "MEDIUM"
    assert foreign_born.value == "20-30%" and foreign_born.size == 0  # no other city's share
    assert country.members == {antwerp.pk, leuven.pk}
    assert [g.name for g in (network, band, foreign_born, country)] == [
        "Network",
        "Same size band",
        "Similar foreign-born share",
        "Same country",
    ]
    riga_groups = peer_rules.peer_groups(people.riga.pk, figures)
    assert not riga_groups[1].is_known and riga_groups[1].size == 0  # Riga's size not known
