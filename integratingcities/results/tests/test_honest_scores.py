"""Honest scores (issue 11, point 4): a headline score needs enough of its weight answered.

Tried as a new user would: a self-test with 1 of 34 guide questions answered showed "Overall
score: 100 out of 100", "rank 1 of 9" among peers and "+17" progress.
"""

from django.urls import reverse

from integratingcities.assessments.models import AssessmentKind, AssessmentState
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import People, SignatoryFactory, client_for
from integratingcities.results.selftests import peer_set, selftest_results

from .conftest import Make, rating_keys


def _everything(framework: Framework, level: str) -> dict[str, str]:
    return dict.fromkeys(rating_keys(framework), level)


def test_one_answer_of_34_is_not_a_score_a_rank_or_progress(
    people: People, benchmark: Framework, make: Make
) -> None:
    assert len(rating_keys(benchmark)) == 34
    for city in SignatoryFactory.create_batch(8, country="BE"):
        make(benchmark, city, _everything(benchmark, "partly"))
    # Ghent's earlier self-test answers everything, half "partly"; the new one answers 1 of 34
    # questions, "yes".
    earlier = _everything(benchmark, "yes") | dict.fromkeys(rating_keys(benchmark)[:17], "partly")
    make(benchmark, people.ghent, earlier, days_ago=400)
    first = rating_keys(benchmark)[0]
    own = make(benchmark, people.ghent, {first: "yes"}, state=AssessmentState.IN_PROGRESS)

    response = client_for(people.editor).get(reverse("toolkits:results", args=[own.pk]))
    html = response.content.decode()
    r = response.context["r"]

    assert r.overall.score == 100  # computed, but not a headline:
    assert r.overall.headline is None
    assert "Overall score: 100 out of 100" not in html
    assert "Not enough answers to score." in html
    assert "1 of 34 guide questions carry a score." in html
    assert "at least 50% of its weight" in html  # the rule, stated near the score
    network = r.overall_comparisons[0]
    assert network.spread.count == 8 and network.spread.median == 50  # the peers still show
    assert network.position.rank is None
    assert "rank 1 of 9" not in html and "(rank " not in html
    assert r.previous is not None and r.overall_before is not None
    assert r.overall_change is None
    assert f"+{100 - r.overall_before:.0f}" not in html
    assert all(row.change is None for row in r.sections)
    assert all(row.result.headline is None for row in r.sections)
    # Each question still shows what it was and is.
    changed = next(item for row in r.sections for item in row.items if item.item.key == first)
    assert (changed.before, changed.score, changed.change) == (50, 100, 50)


def test_a_peer_with_too_few_answers_is_neither_counted_nor_ranked(
    people: People, benchmark: Framework, make: Make
) -> None:
    first = rating_keys(benchmark)[0]
    make(benchmark, people.riga, {first: "yes"})  # validated, 1 of 34
    complete = SignatoryFactory(name="Antwerp", country="BE")
    make(benchmark, complete, _everything(benchmark, "no"))
    own = make(benchmark, people.ghent, _everything(benchmark, "partly"))

    r = selftest_results(own)
    network, _band, _foreign_born, country = r.overall_comparisons
    assert network.group.size == 2  # both are in the network...
    assert network.spread.count == 1  # ...but only Antwerp has a score to compare
    assert (network.position.rank, network.total) == (1, 2)
    assert country.spread.count == 1 and country.group.name == "Same country"
    # Riga's 100 on one question meets nothing: its evidence is not offered as inspiration.
    assert all(
        shared["peer"].city_name != "Riga"
        for group in r.gap_groups
        for shared in group.peer_evidence
    )


def test_mentoring_baselines_and_follow_ups_never_join_the_peers(
    people: People, benchmark: Framework, make: Make
) -> None:
    make(benchmark, people.riga, _everything(benchmark, "yes"), kind=AssessmentKind.BASELINE)
    make(benchmark, people.riga, _everything(benchmark, "yes"), kind=AssessmentKind.FOLLOW_UP)
    assert peer_set(benchmark).by_assessment == {}
    self_test = make(benchmark, people.riga, _everything(benchmark, "yes"))
    assert list(peer_set(benchmark).by_assessment) == [self_test.pk]
