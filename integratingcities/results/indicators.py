"""City indicators read: medians across cities and peer groups, ranks, the gap to a reference,
and series split where their definition changes.

Pure: the selectors (``indicators.selectors``) read the database and hand over plain ``Value``
rows; nothing here queries. The rules:

- **Comparable values.** Definitions of a migrant differ between countries (born abroad, foreign
  nationality, migrant background). Each indicator says which it follows (its ``basis``); a
  value says which *it* follows. Medians and ranks count only the values on the indicator's own
  definition; a value on another one is shown, marked, and left out of them.
- **Medians** are per year, of the cities' values for that year: the network's and each peer
  group's (``results.peers``: the other cities of the same size band, foreign-born band and
  country, drawn from each city's latest population and foreign-born share). A median that
  counts an illustrative value is illustrative itself.
- **Ranks** only where a direction is better (higher or lower); 1 is the best, ties share the
  best rank. An indicator that is a fact about the city ("neither") is never ranked.
- **Gap to the reference** (staff share against population share): value - reference value in
  points, and value / reference, for the same city and the same year, or else the reference's
  nearest earlier year, which is then named. A count read against a count (residents born
  abroad against the population) is given as a percentage of the reference instead.
- **Breaks.** A city's series is split into segments where its definition changes: two
  definitions are never joined as one line.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .peers import PeerGroup

HIGHER, LOWER, NEITHER = "higher", "lower", "neither"


@dataclass(frozen=True)
class Value:
    """One city's figure for one year, as read from the database."""

    city_id: int
    year: int
    value: float
    basis: str
    source: str = ""
    note: str = ""
    illustrative: bool = False


@dataclass(frozen=True)
class Median:
    """The median of some cities' values (None when no city has one)."""

    value: float | None
    count: int
    illustrative: bool = False  # at least one of the values counted is illustrative

    @property
    def is_known(self) -> bool:
        return self.value is not None


NO_MEDIAN = Median(None, 0)


def median_of(values: Iterable[Value]) -> Median:
    counted = list(values)
    if not counted:
        return NO_MEDIAN
    return Median(
        statistics.median(v.value for v in counted),
        len(counted),
        any(v.illustrative for v in counted),
    )


@dataclass(frozen=True)
class MedianWindow:
    """One group's comparable values of one year, as far as their median needs them with any
    one value taken out (a city beside the *other* cities): how many, how many illustrative,
    and the few sorted values around the middle. The same few numbers at 20 or 20,000 cities,
    so they can be kept for every group and read for one city."""

    count: int
    illustrative: int
    start: int  # the index of window[0] among all the values, sorted
    window: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[Value]) -> MedianWindow:
        return cls.of_numbers([v.value for v in values], sum(v.illustrative for v in values))

    @classmethod
    def of_numbers(cls, numbers: list[float], illustrative: int) -> MedianWindow:
        """``of`` values given as their numbers and how many of them are illustrative (a
        network's values, read without a ``Value`` each)."""
        numbers.sort()
        start = max(0, (len(numbers) - 1) // 2 - 1)
        return cls(len(numbers), illustrative, start, tuple(numbers[start : start + 4]))

    def without(self, value: Value | None) -> Median:
        """``median_of`` the values, ``value`` (one of them, or None) taken out."""
        count = self.count - (value is not None)
        if count <= 0:
            return NO_MEDIAN

        def nth(index: int) -> float:
            """The value at ``index`` of what is left, sorted: taking out a value shifts
            those at and above it down by one (the last of equal values is taken out)."""
            here = self.window[index - self.start]
            if value is None or value.value > here:
                return here
            return self.window[index + 1 - self.start]

        middle = count // 2
        median = nth(middle) if count % 2 else (nth(middle - 1) + nth(middle)) / 2
        illustrative = self.illustrative - (value is not None and value.illustrative)
        return Median(median, count, illustrative > 0)


def comparable(values: Iterable[Value], basis: str) -> list[Value]:
    """The values that follow the indicator's own definition."""
    return [v for v in values if v.basis == basis]


def latest(values: Iterable[Value]) -> dict[int, Value]:
    """Each city's latest value, by city id."""
    found: dict[int, Value] = {}
    for value in values:
        current = found.get(value.city_id)
        if current is None or value.year > current.year:
            found[value.city_id] = value
    return found


def medians_by_year(
    values: Iterable[Value], basis: str, members: Collection[int] | None = None
) -> dict[int, Median]:
    """Per year, the median of the comparable values of ``members`` (None: every city)."""
    by_year: dict[int, list[Value]] = defaultdict(list)
    for value in comparable(values, basis):
        if members is None or value.city_id in members:
            by_year[value.year].append(value)
    return {year: median_of(found) for year, found in sorted(by_year.items())}


@dataclass(frozen=True)
class Segment:
    """A stretch of a city's series on one definition."""

    basis: str
    values: tuple[Value, ...]

    @property
    def first_year(self) -> int:
        return self.values[0].year

    @property
    def last_year(self) -> int:
        return self.values[-1].year


def segments(series: Iterable[Value]) -> list[Segment]:
    """One city's values by year, split wherever the definition changes."""
    found: list[Segment] = []
    current: list[Value] = []
    for value in sorted(series, key=lambda v: v.year):
        if current and value.basis != current[-1].basis:
            found.append(Segment(current[-1].basis, tuple(current)))
            current = []
        current.append(value)
    if current:
        found.append(Segment(current[-1].basis, tuple(current)))
    return found


@dataclass(frozen=True)
class Gap:
    """A value beside its reference (staff share against population share)."""

    year: int
    value: float
    reference_year: int
    reference_value: float
    illustrative: bool
    same_basis: bool  # both follow the same definition of a migrant

    @property
    def points(self) -> float:
        """value - reference, in percentage points."""
        return self.value - self.reference_value

    @property
    def ratio(self) -> float | None:
        """value / reference (1 is parity); None when the reference is zero."""
        return self.value / self.reference_value if self.reference_value else None

    @property
    def percent_of(self) -> float | None:
        """value as a percentage of the reference: a count read against a count (residents
        born abroad against the population) has no gap in points."""
        ratio = self.ratio
        return None if ratio is None else ratio * 100

    @property
    def same_year(self) -> bool:
        return self.reference_year == self.year


def gap(value: Value, reference: Iterable[Value]) -> Gap | None:
    """``value`` beside the same city's reference value of the same year, or of the nearest
    earlier year; None when the reference has no value that early."""
    earlier = [r for r in reference if r.city_id == value.city_id and r.year <= value.year]
    if not earlier:
        return None
    found = max(earlier, key=lambda r: r.year)
    return Gap(
        value.year,
        value.value,
        found.year,
        found.value,
        value.illustrative or found.illustrative,
        value.basis == found.basis,
    )


@dataclass(frozen=True)
class Ranked:
    """A city's latest value in the distribution, with its rank where one is given."""

    value: Value
    rank: int | None  # None: the indicator has no better direction, or another definition
    comparable: bool


def ranked(values: Iterable[Value], *, better: str, basis: str) -> list[Ranked]:
    """The values sorted best first (largest first where neither direction is better), each
    with its rank among the comparable values: 1 is the best, ties share the best rank."""
    given = list(values)
    # Sorted once, each rank is a binary search: counting the values ahead of each value was
    # quadratic (23 s for 20,000 cities).
    counted = sorted(v.value for v in comparable(given, basis))
    lower = better == LOWER
    found = []
    for value in sorted(given, key=lambda v: (v.value if lower else -v.value, v.city_id)):
        is_comparable = value.basis == basis
        rank = None
        if better in (HIGHER, LOWER) and is_comparable:
            if lower:
                ahead = bisect_left(counted, value.value)  # the values below it
            else:
                ahead = len(counted) - bisect_right(counted, value.value)  # those above it
            rank = 1 + ahead
        found.append(Ranked(value, rank, is_comparable))
    return found


@dataclass(frozen=True)
class YearRow:
    """One year of a city's indicator: its value, the medians, and the gap to the reference."""

    value: Value
    comparable: bool
    network: Median
    groups: dict[str, Median]  # per peer-group kind
    gap: Gap | None

    @property
    def year(self) -> int:
        return self.value.year


@dataclass(frozen=True)
class CitySeries:
    """One indicator for one city: its values over time beside the network and peer groups."""

    rows: list[YearRow]
    segments: list[Segment]
    reference: list[Value] = field(default_factory=list)  # the city's own reference values

    @property
    def has_break(self) -> bool:
        return len(self.segments) > 1

    @property
    def illustrative(self) -> bool:
        """Whether any figure shown (the city's, a median, the reference) is illustrative."""
        return any(
            row.value.illustrative
            or row.network.illustrative
            or any(m.illustrative for m in row.groups.values())
            or (row.gap is not None and row.gap.illustrative)
            for row in self.rows
        ) or any(v.illustrative for v in self.reference)


def city_series(
    own: Sequence[Value],
    others: Iterable[Value],
    *,
    basis: str,
    groups: Sequence[PeerGroup],
    reference: Sequence[Value] = (),
) -> CitySeries:
    """A city's values (``own``) beside, per year, the median of the other cities' comparable
    values (``others``) in each of ``groups`` (``results.peers.peer_groups``), and beside its
    own ``reference`` values."""
    by_year: dict[int, list[Value]] = defaultdict(list)
    for value in comparable(others, basis):
        by_year[value.year].append(value)
    return _series(
        own,
        lambda value: {
            group.kind: median_of(
                v for v in by_year.get(value.year, []) if v.city_id in group.members
            )
            for group in groups
        },
        basis,
        reference,
    )


def city_series_from_windows(
    own: Sequence[Value],
    windows: Mapping[tuple[int, str, str], MedianWindow],
    *,
    basis: str,
    groups: Sequence[PeerGroup],
    reference: Sequence[Value] = (),
) -> CitySeries:
    """``city_series`` from each group's ``MedianWindow`` per (year, group kind, group value),
    which count the city itself: its own comparable value is taken out of each median."""

    def medians(value: Value) -> dict[str, Median]:
        mine = value if value.basis == basis else None
        found = {}
        for group in groups:
            window = windows.get((value.year, group.kind, group.value or ""))
            known = group.is_known and window is not None
            found[group.kind] = window.without(mine) if known and window else NO_MEDIAN
        return found

    return _series(own, medians, basis, reference)


def _series(
    own: Sequence[Value],
    medians: Callable[[Value], dict[str, Median]],
    basis: str,
    reference: Sequence[Value],
) -> CitySeries:
    rows = []
    for value in sorted(own, key=lambda v: v.year):
        found = medians(value)
        rows.append(
            YearRow(
                value,
                value.basis == basis,
                found.get("network", NO_MEDIAN),
                found,
                gap(value, reference) if reference else None,
            )
        )
    return CitySeries(rows, segments(own), sorted(reference, key=lambda v: v.year))
