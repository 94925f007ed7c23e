"""Mentor matching, the pure part: cases whose best answer is known, and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integratingcities.mentoring.matching import (
    Factor,
    Mentor,
    Profile,
    Why,
    assign,
    benefit_matrix,
    match,
    points,
    reasons,
)

F1, F2 = Factor("data", 1.0, 5), Factor("leading", 1.0, 6)
FACTORS = [F1, F2]


def city(pk: int, lowest: dict[str, int] | None = None, **scores: float) -> Profile:
    return Profile(pk, scores, lowest or {})


def greedy(benefits: np.ndarray, capacities: list[int]) -> list[tuple[int, int]]:
    """The first-come answer the solver must never lose to: best pair first, until full."""
    left = list(capacities)
    taken: set[int] = set()
    pairs = []
    order = sorted(np.ndindex(benefits.shape), key=lambda rc: -benefits[rc])
    for row, col in order:
        if benefits[row, col] > 0 and row not in taken and left[col] > 0:
            pairs.append((row, col))
            taken.add(row)
            left[col] -= 1
    return pairs


def total(benefits: np.ndarray, pairs: list[tuple[int, int]]) -> float:
    return float(sum(benefits[row, col] for row, col in pairs))


def test_points_count_the_gap_more_the_weaker_the_city_is() -> None:
    assert points(100, 0) == 100
    assert points(100, 50) == 25  # 50 ahead, half-way to the top
    assert points(80, 20) == pytest.approx(48)  # a mentor that nearly meets it
    assert points(70, 0) == 0  # a mentor below the threshold does not meet it
    assert points(100, 100) == 0  # nothing to gain at the top
    assert points(None, 0) == points(100, None) == 0  # not known: no points
    assert points(100, 0, weight=2) == 200


def test_reasons_break_the_benefit_down_by_key_factor() -> None:
    ghent = city(1, data=100, leading=80)
    riga = city(2, {"data": 4}, data=20, leading=90)
    found = reasons(ghent, riga, FACTORS)
    assert [(r.factor, r.mentor_score, r.implementing_score, r.points) for r in found] == [
        ("data", 100, 20, 64.0)
    ]
    assert found[0].mentor_fully and found[0].lowest == 4 and found[0].questions == 5


def test_the_solver_finds_the_optimum_where_greedy_does_not() -> None:
    # A takes X first for 10 under greedy and B is left out; A-Y and B-X give 16, C-Z 5.
    benefits = np.array([[1000, 800, 0], [800, 0, 0], [0, 0, 500]], dtype=float)
    assert sorted(assign(benefits, [1, 1, 1])) == [(0, 1), (1, 0), (2, 2)]
    assert total(benefits, greedy(benefits, [1, 1, 1])) == 1500
    assert total(benefits, assign(benefits, [1, 1, 1])) == 2100


def test_matching_cities_finds_the_optimum_where_greedy_does_not() -> None:
    a = city(1, data=0, leading=20)
    b = city(2, data=0, leading=100)
    x = Mentor(city(10, data=100, leading=80), 1)  # strong in both: A's best mentor
    y = Mentor(city(11, data=0, leading=100), 1)  # strong only where B is strong already
    proposal = match([a, b], [x, y], FACTORS, 5)
    chosen = {(p.implementing, p.mentor): p.benefit for p in proposal.pairs}
    # Greedy gives X to A (148) and leaves B alone; the optimum is X-B (100) and Y-A (64).
    assert chosen == {(2, 10): 100, (1, 11): 64}
    assert proposal.benefit == 164 and proposal.unmatched == ()


def test_a_mentor_takes_no_more_cities_than_its_capacity() -> None:
    weak = [city(pk, data=0, leading=0) for pk in (1, 2, 3, 4)]
    strong = Mentor(city(10, data=100, leading=100), 3)
    middling = Mentor(city(11, data=80, leading=0), 1)
    proposal = match(weak, [strong, middling], FACTORS, 5)
    per_mentor = {s.mentor: len(s.pairs) for s in proposal.schemes}
    assert per_mentor == {10: 3, 11: 1}
    assert proposal.unmatched == ()


def test_a_city_left_over_when_mentors_are_full_is_told_so() -> None:
    weak = [city(1, data=0), city(2, data=10)]
    proposal = match(weak, [Mentor(city(10, data=100), 1)], FACTORS, 5)
    assert [p.implementing for p in proposal.pairs] == [1]  # the weaker gains more
    assert [(u.city, u.why) for u in proposal.unmatched] == [(2, Why.NO_ROOM)]


def test_similarity_decides_between_equal_scores() -> None:
    riga = Profile(1, {"data": 20}, {}, {"band": "MEDIUM", "country": "LV"})
    like = Profile(10, {"data": 100}, {}, {"band": "MEDIUM", "country": "LV"})
    unlike = Profile(11, {"data": 100}, {}, {"band": "SMALL", "country": "BE"})
    for mentors in ([like, unlike], [unlike, like]):
        proposal = match([riga], [Mentor(m, 1) for m in mentors], FACTORS, 5)
        assert [(p.mentor, p.shared) for p in proposal.pairs] == [
            (10, (("band", "MEDIUM"), ("country", "LV")))
        ]


def test_similarity_never_outweighs_a_better_score() -> None:
    # Two cities and two mentors; the similar pairing loses a hundredth of a point in all.
    a = Profile(1, {"data": 0}, {}, {"band": "S", "foreign_born": "10-20%", "country": "BE"})
    b = Profile(2, {"data": 50}, {}, {"band": "L", "foreign_born": "30-40%", "country": "LV"})
    x = Profile(10, {"data": 100}, {}, {"band": "L", "foreign_born": "30-40%", "country": "LV"})
    y = Profile(11, {"data": 99.98}, {}, {"band": "S", "foreign_born": "10-20%", "country": "BE"})
    proposal = match([a, b], [Mentor(x, 1), Mentor(y, 1)], [F1], 5)
    # A-X + B-Y = 100 + 24.99; A-Y + B-X (each pair similar in all three) = 99.98 + 25.
    assert {(p.implementing, p.mentor) for p in proposal.pairs} == {(1, 10), (2, 11)}


def test_pairs_without_benefit_are_not_proposed() -> None:
    strong = city(1, data=100, leading=100)
    unknown = city(2)
    weak = city(3, data=0)
    proposal = match(
        [strong, unknown, weak], [Mentor(city(10, data=60, leading=100), 2)], FACTORS, 5
    )
    assert proposal.pairs == []
    assert {(u.city, u.why) for u in proposal.unmatched} == {
        (1, Why.MEETS_ALL),
        (2, Why.NOTHING_SCORED),
        (3, Why.NO_MENTOR),
    }


def test_a_mentor_with_more_cities_than_a_scheme_holds_leads_several() -> None:
    weak = [city(pk, data=pk) for pk in range(1, 6)]
    proposal = match(weak, [Mentor(city(10, data=100), 5)], FACTORS, 4)
    sizes = sorted(len(s.pairs) for s in proposal.schemes)
    assert sizes == [2, 3]  # five cities, at most three beside the mentor: two even schemes
    assert {s.mentor for s in proposal.schemes} == {10}


def test_a_scheme_needs_room_for_an_implementing_city() -> None:
    with pytest.raises(ValueError, match="at least one implementing city"):
        match([], [], FACTORS, 1)


def test_the_benefit_matrix_agrees_with_the_rule_pair_by_pair() -> None:
    implementing = [city(1, data=20, leading=90), city(2, data=100), city(3)]
    mentors = [city(10, data=100, leading=100), city(11, data=75, leading=80)]
    found = benefit_matrix(implementing, mentors, FACTORS)
    for row, i in enumerate(implementing):
        for col, m in enumerate(mentors):
            expected = sum(
                points(m.scores.get(f.key), i.scores.get(f.key), f.weight) for f in FACTORS
            )
            assert found[row, col] == round(expected * 100)


SCORES = st.one_of(st.none(), st.sampled_from([0, 10, 25, 50, 60, 75, 80, 90, 100]))


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Profile], list[Mentor]]:
    def profile(pk: int) -> Profile:
        scores = {f.key: draw(SCORES) for f in FACTORS}
        band = draw(st.sampled_from(["S", "M", None]))
        return Profile(
            pk,
            {key: value for key, value in scores.items() if value is not None},
            {},
            {"band": band} if band else {},
        )

    n_implementing = draw(st.integers(0, 7))
    n_mentors = draw(st.integers(0, 5))
    implementing = [profile(pk) for pk in range(n_implementing)]
    mentors = [Mentor(profile(100 + pk), draw(st.integers(0, 3))) for pk in range(n_mentors)]
    return implementing, mentors


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(2, 5))
def test_the_solver_beats_greedy_and_keeps_every_capacity(
    case: tuple[list[Profile], list[Mentor]], size: int
) -> None:
    implementing, mentors = case
    benefits = benefit_matrix(implementing, [m.profile for m in mentors], FACTORS)
    capacities = [m.capacity for m in mentors]
    solved = assign(benefits, capacities)
    assert total(benefits, solved) >= total(benefits, greedy(benefits, capacities))

    proposal = match(implementing, mentors, FACTORS, size)
    per_mentor: dict[int, int] = {}
    for pair in proposal.pairs:
        per_mentor[pair.mentor] = per_mentor.get(pair.mentor, 0) + 1
        assert pair.benefit > 0
    assert all(per_mentor.get(m.profile.city, 0) <= m.capacity for m in mentors)
    assert all(len(s.pairs) <= size - 1 for s in proposal.schemes)
    matched = [pair.implementing for pair in proposal.pairs]
    assert len(matched) == len(set(matched))
    assert sorted(matched + [u.city for u in proposal.unmatched]) == sorted(
        c.city for c in implementing
    )


def test_a_proposal_offers_other_mentors_and_cities_left_over() -> None:
    weak = [city(1, data=0), city(2, data=10), city(3, data=90)]
    x = Mentor(city(10, data=100), 1)
    y = Mentor(city(11, data=80), 1)
    z = Mentor(city(12, leading=100), 1)  # helps nobody here
    proposal = match(weak, [x, y, z], FACTORS, 5)
    by_mentor = {s.mentor: s for s in proposal.schemes}
    assert [p.implementing for p in by_mentor[10].pairs] == [1]
    assert by_mentor[10].alternatives == (11,)  # Y could mentor city 1 instead; Z could not
    assert by_mentor[10].extras == (3,)  # city 3 is left over, and X could help it
    assert [(u.city, u.why) for u in proposal.unmatched] == [(3, Why.NO_ROOM)]
