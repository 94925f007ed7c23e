"""Mentor matching: which willing mentor city helps which implementing city, by a solver.

Pure and typed: no Django, no database (``matching_inputs`` reads the inputs). The rules:

- **Benefit.** A mentor m helps an implementing city i on a key factor where i is below the top
  level and m meets it fully or nearly (its headline reaches ``scoring.MEETS_THRESHOLD``). The
  points of that key factor are ``weight * (score_m - score_i) * (top - score_i) / top``: how
  far the mentor is ahead, counted more the weaker the city is. A pair's benefit is the sum
  over key factors. Only headline scores count (enough answers to score): a key factor where
  either city's score is not known brings no points.
- **Similarity** (same population band, same foreign-born band, same country: the results
  module's peer groups) only breaks ties. Benefits are counted in hundredths of a point and
  weighed by more than the largest total similarity an assignment can have, so no amount of
  similarity outweighs a hundredth of a point of benefit.
- **Assignment.** Each mentor is a column repeated ``capacity`` times, each implementing city a
  row; ``scipy.optimize.linear_sum_assignment`` finds the assignment of greatest total value.
  Pairs without benefit have cost 0 (every real pair costs less), so the solver only takes one
  when nothing better is left, and it is dropped afterwards.
- **Schemes.** A mentor and its implementing cities form a proposed scheme of at most
  ``scheme_size`` cities; a mentor given more cities than fit in one is split into several
  schemes of even sizes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from integratingcities.lib.scoring import MEETS_THRESHOLD

TOP = 100.0  # the top score of the benchmark's scale
HUNDREDTHS = 100  # benefits are compared in hundredths of a point
CHOICES = 8  # alternatives and extras offered per proposed scheme
# The peer groups similarity counts, in the order of ``peers.GROUP_KINDS`` after "network".
SIMILARITY_KINDS = ("band", "foreign_born", "country")


@dataclass(frozen=True)
class Factor:
    """A key factor of the benchmark: its key, weight and number of scored guide questions."""

    key: str
    weight: float = 1.0
    questions: int = 0


@dataclass(frozen=True)
class Profile:
    """One candidate city as matching sees it, from its latest validated self-test."""

    city: int
    scores: Mapping[str, float]  # headline per key factor; absent: not known
    lowest: Mapping[str, int] = field(default_factory=dict)  # questions at the lowest level
    groups: Mapping[str, str] = field(default_factory=dict)  # SIMILARITY_KINDS: value, if known


@dataclass(frozen=True)
class Mentor:
    profile: Profile
    capacity: int  # how many implementing cities it takes on


@dataclass(frozen=True)
class FactorReason:
    """Why a pair scores on one key factor, with the points it brings."""

    factor: str
    mentor_score: float
    implementing_score: float
    lowest: int  # the implementing city's guide questions answered at the lowest level
    questions: int  # the key factor's scored guide questions
    weight: float
    points: float

    @property
    def mentor_fully(self) -> bool:
        return self.mentor_score >= TOP

    @property
    def gap(self) -> float:
        return self.mentor_score - self.implementing_score

    @property
    def weakness(self) -> float:
        """How far below the top the implementing city is, from 0 to 1."""
        return (TOP - self.implementing_score) / TOP


@dataclass(frozen=True)
class Pair:
    mentor: int
    implementing: int
    reasons: tuple[FactorReason, ...]  # the key factors that bring points, most first
    shared: tuple[tuple[str, str], ...]  # (kind, value) of the peer groups both cities are in

    @property
    def benefit(self) -> float:
        return round(sum(reason.points for reason in self.reasons), 2)

    @property
    def similarity(self) -> int:
        return len(self.shared)


class Why(StrEnum):
    """Why an implementing city with a validated self-test got no mentor."""

    NOTHING_SCORED = "nothing_scored"  # no key factor has enough answers to score
    MEETS_ALL = "meets_all"  # at the top of every key factor it has a score for
    NO_MENTOR = "no_mentor"  # no willing mentor meets a key factor where it is weak
    NO_ROOM = "no_room"  # the mentors who could help have no capacity left


@dataclass(frozen=True)
class Unmatched:
    city: int
    why: Why


@dataclass(frozen=True)
class ProposedScheme:
    mentor: int
    pairs: tuple[Pair, ...]
    # What the secretariat may change it to: other willing mentors that would help its cities
    # the most, and implementing cities left without a mentor that this mentor could help.
    alternatives: tuple[int, ...] = ()
    extras: tuple[int, ...] = ()

    @property
    def benefit(self) -> float:
        return round(sum(pair.benefit for pair in self.pairs), 2)


@dataclass(frozen=True)
class Proposal:
    schemes: tuple[ProposedScheme, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def pairs(self) -> list[Pair]:
        return [pair for scheme in self.schemes for pair in scheme.pairs]

    @property
    def benefit(self) -> float:
        return round(sum(pair.benefit for pair in self.pairs), 2)


# ---------------------------------------------------------------------------------------------
# Benefit and similarity


def points(mentor: float | None, implementing: float | None, weight: float = 1.0) -> float:
    """The points one key factor brings a pair (the rule in the module's docstring)."""
    if mentor is None or implementing is None:
        return 0.0
    if implementing >= TOP or mentor < MEETS_THRESHOLD or mentor <= implementing:
        return 0.0
    return weight * (mentor - implementing) * (TOP - implementing) / TOP


def reasons(
    mentor: Profile, implementing: Profile, factors: Sequence[Factor]
) -> list[FactorReason]:
    """The key factors on which ``mentor`` helps ``implementing``, most points first."""
    found = []
    for factor in factors:
        m, i = mentor.scores.get(factor.key), implementing.scores.get(factor.key)
        value = points(m, i, factor.weight)
        if value > 0 and m is not None and i is not None:
            found.append(
                FactorReason(
                    factor.key,
                    m,
                    i,
                    implementing.lowest.get(factor.key, 0),
                    factor.questions,
                    factor.weight,
                    round(value, 2),
                )
            )
    return sorted(found, key=lambda reason: -reason.points)


def shared_groups(a: Profile, b: Profile) -> tuple[tuple[str, str], ...]:
    """The peer groups two cities share (a figure not known is shared with nobody)."""
    return tuple(
        (kind, value)
        for kind in SIMILARITY_KINDS
        if (value := a.groups.get(kind)) is not None and value == b.groups.get(kind)
    )


def _scores(profiles: Sequence[Profile], factors: Sequence[Factor]) -> np.ndarray:
    """Scores as a (cities by key factors) array, NaN where not known."""
    table = np.full((len(profiles), len(factors)), np.nan)
    for row, profile in enumerate(profiles):
        for col, factor in enumerate(factors):
            value = profile.scores.get(factor.key)
            if value is not None:
                table[row, col] = value
    return table


def benefit_matrix(
    implementing: Sequence[Profile], mentors: Sequence[Profile], factors: Sequence[Factor]
) -> np.ndarray:
    """Benefits in hundredths of a point, (implementing by mentors), as ``points`` sums them.

    Computed one key factor at a time over whole arrays: a thousand by a thousand cities take
    milliseconds, where a loop over pairs takes seconds.
    """
    own, theirs = _scores(implementing, factors), _scores(mentors, factors)
    total = np.zeros((len(implementing), len(mentors)))
    for col, factor in enumerate(factors):
        mine = own[:, col]
        known = ~np.isnan(mine) & (mine < TOP)
        mine = np.where(known, mine, TOP)  # nothing to gain where unknown or at the top
        need = factor.weight * (TOP - mine) / TOP
        strong = theirs[:, col]
        strong = np.where(~np.isnan(strong) & (strong >= MEETS_THRESHOLD), strong, 0.0)
        ahead = np.clip(strong[np.newaxis, :] - mine[:, np.newaxis], 0.0, None)
        total += ahead * need[:, np.newaxis]
    return np.rint(total * HUNDREDTHS)


def similarity_matrix(implementing: Sequence[Profile], mentors: Sequence[Profile]) -> np.ndarray:
    """How many peer groups each pair shares (0 to 3), (implementing by mentors)."""
    total = np.zeros((len(implementing), len(mentors)))
    for kind in SIMILARITY_KINDS:
        codes: dict[str, int] = {}
        mine = np.array([_code(p, kind, codes, -1) for p in implementing], dtype=np.int64)
        theirs = np.array([_code(p, kind, codes, -2) for p in mentors], dtype=np.int64)
        total += mine[:, np.newaxis] == theirs[np.newaxis, :]
    return total


def _code(profile: Profile, kind: str, codes: dict[str, int], unknown: int) -> int:
    """A number per value of a figure; ``unknown`` differs by side, so it matches nothing."""
    value = profile.groups.get(kind)
    return unknown if value is None else codes.setdefault(value, len(codes))


# ---------------------------------------------------------------------------------------------
# The assignment


def assign(
    benefits: np.ndarray, capacities: Sequence[int], similarity: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """The (row, mentor column) pairs of greatest total benefit, then similarity.

    ``benefits`` are whole hundredths (implementing by mentors); a mentor takes at most its
    capacity of rows. Each mentor is repeated ``capacity`` times as columns (never more than it
    has rows it can help) and ``linear_sum_assignment`` solves the square-or-wide problem;
    pairs without benefit are dropped from its answer.
    """
    rows, cols = benefits.shape
    if rows == 0 or cols == 0:
        return []
    helpful = (benefits > 0).sum(axis=0)
    repeats = np.minimum(np.asarray(capacities, dtype=np.int64), helpful)
    repeats = np.maximum(repeats, 0)
    columns = np.repeat(np.arange(cols), repeats)
    if columns.size == 0:
        return []
    # Lexicographic in one number: a hundredth of benefit outweighs any total similarity.
    scale = 3 * min(rows, columns.size) + 1
    value = benefits * scale
    if similarity is not None:
        value = value + similarity
    # A pair without benefit costs what leaving the city alone costs (0): every real pair costs
    # less, so the solver takes one only where nothing is left, and it is dropped below. A
    # higher cost would make it pair more cities at the expense of the total benefit.
    value = np.where(benefits > 0, value, 0.0)
    # Imported here: SciPy takes some 2 s to load, which only matching should pay.
    from scipy.optimize import linear_sum_assignment

    chosen_rows, chosen_cols = linear_sum_assignment(-value[:, columns])
    return [
        (int(row), int(columns[col]))
        for row, col in zip(chosen_rows, chosen_cols, strict=True)
        if benefits[row, columns[col]] > 0
    ]


def match(
    implementing: Sequence[Profile],
    mentors: Sequence[Mentor],
    factors: Sequence[Factor],
    scheme_size: int,
) -> Proposal:
    """Propose schemes: each implementing city its mentor, within capacities and scheme size."""
    if scheme_size < 2:
        raise ValueError("a scheme holds a mentor and at least one implementing city")
    profiles = [mentor.profile for mentor in mentors]
    benefits = benefit_matrix(implementing, profiles, factors)
    similarity = similarity_matrix(implementing, profiles)
    chosen = assign(benefits, [mentor.capacity for mentor in mentors], similarity)

    matched = {row for row, _col in chosen}
    left = [row for row in range(len(implementing)) if row not in matched]
    by_mentor: dict[int, list[tuple[Pair, int]]] = {}
    for row, col in chosen:
        mentor, city = profiles[col], implementing[row]
        pair = Pair(
            mentor.city,
            city.city,
            tuple(reasons(mentor, city, factors)),
            shared_groups(city, mentor),
        )
        by_mentor.setdefault(col, []).append((pair, row))
    mentor_cities = [profile.city for profile in profiles]
    schemes: list[ProposedScheme] = []
    for col in sorted(by_mentor):
        found = sorted(by_mentor[col], key=lambda found: (-found[0].benefit, found[0].implementing))
        parts = math.ceil(len(found) / (scheme_size - 1))
        extras = _best(benefits[left, col], [implementing[row].city for row in left])
        for part in range(parts):
            mine = found[part::parts]
            helping = benefits[[row for _pair, row in mine]].sum(axis=0)
            helping[col] = 0
            schemes.append(
                ProposedScheme(
                    mentor_cities[col],
                    tuple(pair for pair, _row in mine),
                    _best(helping, mentor_cities),
                    extras,
                )
            )
    schemes.sort(key=lambda scheme: -scheme.benefit)

    unmatched = [
        Unmatched(implementing[row].city, _why(implementing[row], benefits[row])) for row in left
    ]
    return Proposal(tuple(schemes), tuple(unmatched))


def _best(values: np.ndarray, cities: Sequence[int]) -> tuple[int, ...]:
    """The cities of the ``CHOICES`` highest positive values, highest first."""
    order = np.argsort(-values, kind="stable")[:CHOICES]
    return tuple(cities[i] for i in order if values[i] > 0)


def _why(city: Profile, benefits: np.ndarray) -> Why:
    if not city.scores:
        return Why.NOTHING_SCORED
    if all(value >= TOP for value in city.scores.values()):
        return Why.MEETS_ALL
    if not (benefits > 0).any():
        return Why.NO_MENTOR
    return Why.NO_ROOM
