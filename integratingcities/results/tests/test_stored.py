"""Peer statistics stored once per validation: the same figures as comparing with every peer,
recomputed after a new validation, written once, and read in a fixed number of queries."""

import random
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from integratingcities.assessments.models import Assessment
from integratingcities.assessments.services import assessment_validate, scores_record
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Level
from integratingcities.lib import scoring
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.results import rounds as results_rounds
from integratingcities.results import stored
from integratingcities.results.models import PeerHeadline, PeerStatistics
from integratingcities.results.peers import city_figures, compare, peer_groups, peers_stamp
from integratingcities.results.rounds import (
    ResultFilters,
    counted_assessments,
    round_peers,
    round_standing,
)
from integratingcities.results.scores import scheme
from integratingcities.results.selftests import (
    INSPIRING_CITIES,
    peer_set,
    peer_standing,
    peers_of,
    selftest_results,
    shared_standing,
)
from integratingcities.rounds.models import Round
from integratingcities.rounds.selectors import city_results_key
from integratingcities.rounds.services import round_publish

from .conftest import Make, rating_keys

COUNTRIES = ["BE", "DE", "NL"]


@pytest.mark.parametrize("seed", range(40))
def test_a_histogram_gives_the_median_quartiles_and_rank_of_its_values(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.choice([0.0, 25.0, 50.0, 62.5, 75.0, 100.0 / 3, 100.0]) for _ in range(seed)]
    counts: dict[float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    histogram = stored.Histogram(counts.items())
    assert [histogram.nth(i) for i in range(len(values))] == sorted(values)
    assert histogram.values() == tuple(sorted(values))
    with pytest.raises(IndexError):
        histogram.nth(len(values))
    for value in (-1.0, 0.0, 30.0, 50.0, 100.0, 101.0):
        assert histogram.above(value) == sum(1 for v in values if v > value)
    assert histogram.spread() == scoring.spread(values)
    for own in (None, 0.0, 50.0, 62.5, 100.0):
        assert histogram.position(own) == scoring.position(own, values)
    # Each value taken out once (a city out of its own group), and one that is not there.
    for taken in [*dict.fromkeys(values), 12.5]:
        rest = sorted(values)
        if taken in rest:
            rest.remove(taken)
        fewer = histogram.without(taken)
        assert fewer.total == len(rest)
        assert [fewer.nth(i) for i in range(len(rest))] == rest
        assert fewer.values() == tuple(rest)
        with pytest.raises(IndexError):
            fewer.nth(len(rest))
        for value in (-1.0, 0.0, 30.0, 50.0, 62.5, 100.0, 101.0):
            assert fewer.above(value) == sum(1 for v in rest if v > value)
        assert fewer.spread() == scoring.spread(rest)
        for own in (None, taken, 0.0, 100.0):
            assert fewer.position(own) == scoring.position(own, rest)
        assert fewer.without(None) is fewer


def _network(framework: Framework, make: Make, n: int, seed: int, **kwargs: Any) -> list[City]:
    """n cities of mixed figures (some without a population or a foreign-born share), each
    with a validated assessment of random answers, some with too few answers to score, some
    recorded and some to be tallied."""
    rng = random.Random(seed)
    keys = rating_keys(framework)
    levels = sorted(
        set(Level.objects.filter(scale__framework=framework).values_list("key", flat=True))
    )
    cities = []
    for number in range(n):
        city = SignatoryFactory.create(
            name=f"Peer {seed}-{number:02d}",
            country=COUNTRIES[number % len(COUNTRIES)],
            population=None if number % 7 == 3 else rng.choice([90_000, 300_000, 700_000]),
            foreign_born_share=None if number % 5 == 4 else Decimal(rng.choice([8, 15, 35])),
        )
        answered = keys if number % 6 else keys[: len(keys) // 4]  # too few answers
        tendency = rng.random()
        chosen = {
            key: levels[min(int(rng.random() * tendency * len(levels) * 1.5), len(levels) - 1)]
            for key in answered
        }
        assessment = make(framework, city, chosen, **kwargs)
        if number % 3:
            scores_record(assessments=[assessment])
        cities.append(city)
    return cities


def _same(old: list[Any], new: list[Any]) -> None:
    def shown(comparisons: list[Any]) -> list[Any]:
        return [
            (c.group.kind, c.group.value, c.group.size, c.spread, c.position, c.total)
            for c in comparisons
        ]

    assert shown(new) == shown(old)


def test_self_test_statistics_are_those_of_every_peer_for_every_city(
    people: People, benchmark: Framework, make: Make
) -> None:
    cities = _network(benchmark, make, 30, seed=7)
    # A city's later self-test replaces its earlier one among the peers.
    make(benchmark, cities[1], dict.fromkeys(rating_keys(benchmark), "yes"), days_ago=1)
    Assessment.objects.filter(city__in=cities[:12]).update(share_evidence=True)
    peers = peer_set(benchmark)
    sections = [*scheme(benchmark.pk).sizes, stored.OVERALL]
    checked = 0
    for city in [*cities, people.ghent]:  # Ghent has no self-test: it is no peer
        figures = city_figures(
            City.objects.filter(
                Q(pk=city.pk) | Q(pk__in=peers_of(benchmark.lineage).values("city_id"))
            )
        )
        groups = peer_groups(city.pk, figures)
        others = peers.others(city.pk)
        own = peers.city(city.pk)
        standing = peer_standing(benchmark, city.pk)
        for section in sections:
            values = {
                c: p.overall_headline if section == stored.OVERALL else p.headlines.get(section)
                for c, p in others.items()
            }
            for score in {None, 50.0, (own.headlines.get(section) if own else None)}:
                _same(compare(score, groups, values), standing.compare(section, score))
                checked += 1
        assert standing.meeting_without() == peers.meeting_without(city.pk)
        assert standing.peer_count == len(others)
        everyone = stored.in_memory(peers, city.pk, groups)
        wanted = list(scheme(benchmark.pk).sizes)
        assert standing.meeting(wanted, INSPIRING_CITIES) == everyone.meeting(
            wanted, INSPIRING_CITIES
        )
    assert checked > 31 * len(sections) * 2
    # One row per known group value, and per key factor the first sharing cities that meet
    # it (one more than a page offers): nothing per visit, nothing per city.
    assert PeerStatistics.objects.filter(kind="network").count() == 1
    per_section = Counter(PeerHeadline.objects.values_list("section", flat=True))
    assert per_section and max(per_section.values()) <= INSPIRING_CITIES + 1


def test_round_statistics_are_those_of_every_peer_for_every_city(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    cities = _network(charter, make, 30, seed=11, round_=published_round)
    peers = round_peers(published_round)
    counted = counted_assessments(published_round, ResultFilters())
    figures = city_figures(City.objects.filter(pk__in=counted.values("city_id")))
    sections = [*scheme(charter.pk).sizes, stored.OVERALL]
    for city in cities:
        groups = peer_groups(city.pk, figures)
        others = peers.others(city.pk)
        own = peers.city(city.pk)
        assert own is not None
        standing = round_standing(published_round, city.pk)
        for section in sections:
            values = {
                c: p.overall_headline if section == stored.OVERALL else p.headlines.get(section)
                for c, p in others.items()
            }
            score = (
                own.overall_headline if section == stored.OVERALL else own.headlines.get(section)
            )
            _same(compare(score, groups, values), standing.compare(section, score))


def test_a_new_validation_moves_the_median_and_the_rank(
    people: People, benchmark: Framework, make: Make
) -> None:
    keys = rating_keys(benchmark)
    make(benchmark, people.riga, dict.fromkeys(keys, "no"))
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"))
    network = selftest_results(own).overall_comparisons[0]
    assert (network.spread.median, network.position.rank, network.total) == (0, 1, 2)
    stale = PeerStatistics.objects.get(kind="network").stamp

    make(benchmark, SignatoryFactory(name="Antwerp", country="BE"), dict.fromkeys(keys, "yes"))
    response = client_for(people.editor).get(reverse("toolkits:results", args=[own.pk]))
    network = response.context["r"].overall_comparisons[0]
    assert (network.spread.median, network.position.rank, network.total) == (50, 2, 3)
    # The statistics of the earlier validation are gone with it.
    assert not PeerStatistics.objects.filter(stamp=stale).exists()
    assert not PeerHeadline.objects.filter(stamp=stale).exists()


def test_statistics_are_written_once_per_stamp(
    people: People, benchmark: Framework, make: Make
) -> None:
    keys = rating_keys(benchmark)
    make(benchmark, people.riga, dict.fromkeys(keys, "yes"))
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"))
    selftest_results(own)
    network = PeerStatistics.objects.get(kind="network")
    rows = PeerStatistics.objects.count(), PeerHeadline.objects.count()

    def computed_again() -> Any:
        raise AssertionError("a second process computes the statistics again")

    # A process that found them stale at the same time: the unique constraint stops it before
    # it computes anything, and the rows are the first one's.
    stored.ensure(network.scope, network.stamp, computed_again, computed_again)
    assert (PeerStatistics.objects.count(), PeerHeadline.objects.count()) == rows
    assert PeerStatistics.objects.get(kind="network").pk == network.pk
    network_comparison = selftest_results(own).overall_comparisons[0]
    assert network_comparison.position.rank == 2


def _selftest_queries(people: People, own: Assessment) -> int:
    url = reverse("toolkits:results", args=[own.pk])
    client = client_for(people.editor)
    assert client.get(url).status_code == 200  # the first visit computes the statistics
    # Writing them made the kept results stale: the second visit makes them again, with the
    # framework's outline, the stamp, the evidence and the practices' links kept.
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_self_test_results_page_reads_as_many_rows_at_5_and_50_cities(
    people: People, benchmark: Framework, make: Make
) -> None:
    keys = rating_keys(benchmark)
    own = make(benchmark, people.ghent, dict.fromkeys(keys[:20], "partly"))
    _network(benchmark, make, 5, seed=3)
    Assessment.objects.update(share_evidence=True)
    five = _selftest_queries(people, own)
    _network(benchmark, make, 45, seed=4)
    Assessment.objects.update(share_evidence=True)
    fifty = _selftest_queries(people, own)
    # The inspiring cities' evidence kept as HTML, the practices' links and the stamp kept
    # (not SQL here).
    assert five == fifty == 12


def _round_queries(round_: Round) -> int:
    url = reverse("rounds:city_results", args=[round_.pk, "ghent"])
    client = client_for(None)
    assert client.get(url).status_code == 200  # the first visit computes the statistics
    # Writing them started a new data generation: the second reads the round's facts again.
    assert client.get(url).status_code == 200
    # The page below its title is kept: made again here, with everything else it reads kept.
    ghent = Assessment.objects.get(round=round_, city__slug="ghent")
    cache.delete(city_results_key(round_.pk, ghent.pk))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_round_city_results_page_reads_as_many_rows_at_5_and_50_cities(
    people: People, charter: Framework, published_round: Round, make: Make
) -> None:
    keys = rating_keys(charter)
    make(charter, people.ghent, dict.fromkeys(keys, "partly"), round_=published_round)
    _network(charter, make, 5, seed=5, round_=published_round)
    five = _round_queries(published_round)
    _network(charter, make, 45, seed=6, round_=published_round)
    fifty = _round_queries(published_round)
    assert five == fifty == 6


def test_a_validation_computes_the_statistics_once_it_commits(
    people: People,
    benchmark: Framework,
    make: Make,
    django_capture_on_commit_callbacks: Any,
) -> None:
    keys = rating_keys(benchmark)
    make(benchmark, people.riga, dict.fromkeys(keys, "no"))
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"), state="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assessment_validate(assessment=own, user=people.secretariat)
    network = PeerStatistics.objects.get(kind="network")
    assert network.stamp == peers_stamp(peers_of(benchmark.lineage))
    assert network.cities == 2
    # The results page reads them: nothing is computed on the visit.
    with CaptureQueriesContext(connection) as captured:
        selftest_results(own)
    assert not any("INSERT" in query["sql"] for query in captured)


def test_the_validating_request_leaves_the_statistics_to_the_background_worker(
    people: People,
    benchmark: Framework,
    make: Make,
    django_capture_on_commit_callbacks: Any,
) -> None:
    keys = rating_keys(benchmark)
    make(benchmark, people.riga, dict.fromkeys(keys, "no"))
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"), state="submitted")
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        with django_capture_on_commit_callbacks(execute=True):
            assessment_validate(assessment=own, user=people.secretariat)
        backend = task_backends["default"]
        assert isinstance(backend, DummyBackend)
        queued = [
            result for result in backend.results if result.task.name == "refresh_peer_statistics"
        ]
    assert [result.args for result in queued] == [[own.pk]]
    assert not PeerStatistics.objects.exists()  # the worker computes them, not the request


def test_a_validation_recomputes_the_profiles_statistics_where_profiles_were_read(
    people: People,
    benchmark: Framework,
    make: Make,
    django_capture_on_commit_callbacks: Any,
) -> None:
    keys = rating_keys(benchmark)
    riga = make(benchmark, people.riga, dict.fromkeys(keys, "no"))
    Assessment.objects.filter(pk=riga.pk).update(share_evidence=True)
    shared_standing(benchmark, people.riga.pk)  # a profile was read: its statistics are kept
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"), state="submitted")
    Assessment.objects.filter(pk=own.pk).update(share_evidence=True)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_validate(assessment=own, user=people.secretariat)
    network = PeerStatistics.objects.get(scope=f"selftest-shared:{benchmark.pk}", kind="network")
    assert network.stamp == peers_stamp(peers_of(benchmark.lineage))
    assert network.cities == 2
    with CaptureQueriesContext(connection) as captured:
        standing = shared_standing(benchmark, people.riga.pk)
    assert not any("INSERT" in query["sql"] for query in captured)
    assert standing.compare("", 0.0)[0].spread.count == 1  # Ghent, beside Riga


def test_a_citys_new_population_moves_it_to_another_group_without_a_validation(
    people: People, benchmark: Framework, make: Make
) -> None:
    keys = rating_keys(benchmark)
    City.objects.filter(pk=people.ghent.pk).update(population=300_000)
    City.objects.filter(pk=people.riga.pk).update(population=900_000)
    make(benchmark, people.riga, dict.fromkeys(keys, "yes"))
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"))
    band = selftest_results(own).overall_comparisons[1]
    assert (band.group.size, band.spread.count) == (0, 0)
    # Riga's population as the city indicators now give it (indicators.city_figures_sync).
    City.objects.filter(pk=people.riga.pk).update(population=400_000)
    band = selftest_results(own).overall_comparisons[1]
    assert (band.group.size, band.spread.median, band.position.rank) == (1, 100, 2)


def test_a_citys_new_country_moves_it_to_another_group_without_a_validation(
    people: People, benchmark: Framework, make: Make
) -> None:
    keys = rating_keys(benchmark)
    make(benchmark, people.riga, dict.fromkeys(keys, "yes"))
    own = make(benchmark, people.ghent, dict.fromkeys(keys, "partly"))
    country = selftest_results(own).overall_comparisons[3]
    assert (country.group.kind, country.group.size) == ("country", 0)
    # Riga's country corrected to Ghent's (BE): the same-country group has it at once.
    City.objects.filter(pk=people.riga.pk).update(country=people.ghent.country)
    country = selftest_results(own).overall_comparisons[3]
    assert (country.group.size, country.spread.median, country.position.rank) == (1, 100, 2)


def test_publishing_a_round_has_its_results_computed_before_the_first_visit(
    people: People,
    charter: Framework,
    make: Make,
    published_round: Round,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Round.objects.filter(pk=published_round.pk).update(status="closed")
    _network(charter, make, 6, seed=8, round_=published_round)
    with django_capture_on_commit_callbacks(execute=True):
        round_publish(round_=Round.objects.get(pk=published_round.pk), user=people.secretariat)
    assert PeerStatistics.objects.filter(scope=f"round:{published_round.pk}").exists()

    def counted_on_the_visit(*args: Any) -> Any:
        raise AssertionError("the first visitor counted the levels")

    monkeypatch.setattr(results_rounds, "_level_counts", counted_on_the_visit)
    url = reverse("rounds:results", kwargs={"pk": published_round.pk})
    assert client_for(people.secretariat).get(url).status_code == 200
