"""The analysis rules (DESIGN section 4), pure and typed: no Django, no database.

Scores run from 0 to 100. An item's score is the score of the level given; a level without a
score ("not applicable", "don't know") and an unanswered item are left out of every mean and
reported as coverage instead, never counted as zero. A section's score is the weighted mean of
its scored items; a framework's is the weighted mean of its scored sections, each section
weighted by its own weight.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

Number = float | int | Decimal
K = TypeVar("K")


@dataclass(frozen=True)
class ItemAnswer:
    """One item of a framework and what a city answered (``score`` None: not scored)."""

    item: str
    section: str
    weight: Number
    score: Number | None
    answered: bool = True


@dataclass(frozen=True)
class SectionResult:
    section: str
    score: float | None  # None when no item of the section has a scored answer
    scored_items: int
    items: int

    @property
    def coverage(self) -> float:
        """Share of the section's items that carry a score (0 to 1)."""
        return self.scored_items / self.items if self.items else 0.0


@dataclass(frozen=True)
class Result:
    score: float | None
    sections: dict[str, SectionResult]
    scored_items: int
    items: int

    @property
    def coverage(self) -> float:
        return self.scored_items / self.items if self.items else 0.0


def weighted_mean(pairs: Iterable[tuple[Number, Number]]) -> float | None:
    """Mean of values weighted by weights; None when nothing is weighed."""
    total = weight_sum = 0.0
    lowest, highest = float("inf"), float("-inf")
    for value, weight in pairs:
        if weight <= 0:
            raise ValueError("weights must be positive")
        total += float(value) * float(weight)
        weight_sum += float(weight)
        lowest, highest = min(lowest, float(value)), max(highest, float(value))
    return mean_of_sums(total, weight_sum, lowest, highest)


def mean_of_sums(total: float, weight_sum: float, lowest: float, highest: float) -> float | None:
    """A weighted mean from its sums; None when nothing is weighed."""
    if weight_sum == 0:
        return None
    # Keep float rounding from stepping outside the range of the values.
    return min(max(total / weight_sum, lowest), highest)


def section_results(
    answers: Iterable[tuple[K, str, float, float | None]],
) -> dict[K, dict[str, SectionResult]]:
    """Section results of many assessments at once, by the rule of ``score``.

    ``answers`` are (assessment, section, weight, score) tuples, one per answer given; a score
    of None is an answer without a score. Summing plain tuples keeps a network's thousands of
    answers from each becoming an ``ItemAnswer``.
    """
    # Per (assessment, section): weighted total, scored weight, lowest, highest, scored, items.
    sums: dict[tuple[K, str], list[Any]] = {}
    for assessment, section, weight, value in answers:
        entry = sums.get((assessment, section))
        if entry is None:
            entry = sums[(assessment, section)] = [0.0, 0.0, float("inf"), float("-inf"), 0, 0]
        entry[5] += 1
        if value is not None:
            if weight <= 0:
                raise ValueError("weights must be positive")
            entry[0] += value * weight
            entry[1] += weight
            entry[2] = min(entry[2], value)
            entry[3] = max(entry[3], value)
            entry[4] += 1
    found: dict[K, dict[str, SectionResult]] = {}
    for (assessment, section), (total, weight_sum, low, high, scored, items) in sums.items():
        found.setdefault(assessment, {})[section] = SectionResult(
            section, mean_of_sums(total, weight_sum, low, high), scored, items
        )
    return found


def combine(
    sections: Mapping[str, SectionResult], section_weights: Mapping[str, Number] | None = None
) -> Result:
    """The overall result from the section results (see ``overall``)."""
    return Result(
        score=overall({name: result.score for name, result in sections.items()}, section_weights),
        sections=dict(sections),
        scored_items=sum(s.scored_items for s in sections.values()),
        items=sum(s.items for s in sections.values()),
    )


def overall(
    section_scores: Mapping[str, Number | None],
    section_weights: Mapping[str, Number] | None = None,
) -> float | None:
    """The weighted mean of the sections that carry a score (weight 1 where none is given)."""
    weights = section_weights or {}
    return weighted_mean(
        (value, weights.get(name, 1)) for name, value in section_scores.items() if value is not None
    )


def score(
    answers: Sequence[ItemAnswer], section_weights: Mapping[str, Number] | None = None
) -> Result:
    """Section and framework scores with coverage, by the rules above."""
    sections = section_results(
        (
            0,
            a.section,
            float(a.weight),
            float(a.score) if a.answered and a.score is not None else None,
        )
        for a in answers
    )
    return combine(sections.get(0, {}), section_weights)


@dataclass(frozen=True)
class Spread:
    """Median and quartiles of a set of scores (None when the set is empty)."""

    count: int
    median: float | None
    q1: float | None
    q3: float | None


def spread(values: Iterable[Number | None]) -> Spread:
    known = sorted(float(v) for v in values if v is not None)
    if not known:
        return Spread(0, None, None, None)
    if len(known) == 1:
        return Spread(1, known[0], known[0], known[0])
    q1, median, q3 = statistics.quantiles(known, n=4, method="inclusive")
    return Spread(len(known), median, q1, q3)


def level_counts(levels: Iterable[str | None]) -> dict[str, int]:
    """Per item in a network view: how many cities gave each level (unanswered not counted)."""
    counts: dict[str, int] = {}
    for level in levels:
        if level is not None:
            counts[level] = counts.get(level, 0) + 1
    return counts


@dataclass(frozen=True)
class Position:
    """A city's place among peers: rank 1 is the highest score."""

    rank: int | None
    peers: int
    peer_median: float | None
    distance_to_median: float | None


def position(own: Number | None, peer_scores: Iterable[Number | None]) -> Position:
    """Rank (ties share the best rank) and distance to the median of the peers' known scores."""
    known = [float(s) for s in peer_scores if s is not None]
    median = statistics.median(known) if known else None
    if own is None:
        return Position(None, len(known), median, None)
    rank = 1 + sum(1 for s in known if s > float(own))
    distance = None if median is None else float(own) - median
    return Position(rank, len(known), median, distance)


class Band(Enum):
    """Population bands for peer groups."""

    SMALL = "under 250,000"
    MEDIUM = "250,000 to 500,000"
    LARGE = "500,000 to 1 million"
    VERY_LARGE = "over 1 million"


BAND_BOUNDS: dict[Band, tuple[int, int | None]] = {
    Band.SMALL: (0, 250_000),
    Band.MEDIUM: (250_000, 500_000),
    Band.LARGE: (500_000, 1_000_000),
    Band.VERY_LARGE: (1_000_000, None),
}


def population_band(population: int | None) -> Band | None:
    if population is None:
        return None
    if population < 250_000:
        return Band.SMALL
    if population < 500_000:
        return Band.MEDIUM
    if population < 1_000_000:
        return Band.LARGE
    return Band.VERY_LARGE


def foreign_born_band(share: Number | None) -> str | None:
    """Bands of ten percentage points: "10-20%"; the top band holds 100."""
    if share is None:
        return None
    low = min(int(float(share) // 10) * 10, 90)
    return f"{low}-{low + 10}%"


def change(before: Number | None, after: Number | None) -> float | None:
    """Progress between two assessments: None unless both sides carry a score."""
    if before is None or after is None:
        return None
    return float(after) - float(before)


@dataclass(frozen=True)
class Gap:
    item: str
    weight: float
    peers_meeting: int


def gaps(
    answers: Sequence[ItemAnswer], top_score: Number, peers_meeting: Mapping[str, int]
) -> list[Gap]:
    """Scored items below the top level: heaviest first, then those most peers already meet.

    Items answered "not applicable" are not gaps; unanswered items are reported as coverage.
    """
    found = [
        Gap(a.item, float(a.weight), peers_meeting.get(a.item, 0))
        for a in answers
        if a.answered and a.score is not None and float(a.score) < float(top_score)
    ]
    return sorted(found, key=lambda g: (-g.weight, -g.peers_meeting, g.item))


# ---------------------------------------------------------------------------------------------
# Thematic benchmarks: how near the standard, what more to do, progress.

# A city "meets" a key factor (or a commitment) when its score there reaches this: most of what
# the benchmark asks is done, and the rest at least partly. It decides which cities' evidence
# is offered as inspiration and how many peers already meet a gap.
MEETS_THRESHOLD = 75.0


def meets(section_score: Number | None) -> bool:
    return section_score is not None and float(section_score) >= MEETS_THRESHOLD


@dataclass(frozen=True)
class SectionGaps:
    """What more a city needs to do under one key factor: its gaps and its gaps in knowledge."""

    section: str
    score: float | None
    gaps: list[Gap]
    unknown: list[str]  # items answered "don't know" or not answered: gaps in knowledge


def gaps_by_section(
    answers: Sequence[ItemAnswer],
    top_score: Number,
    peers_meeting: Mapping[str, int],
    section_weights: Mapping[str, Number] | None = None,
) -> list[SectionGaps]:
    """Gaps grouped by section, weakest section first.

    Sections are ordered by score, lowest first; a section with no scored answer (nothing is
    known) is not ranked as zero: it comes after the scored ones. Ties go to the heavier
    section, then by key. Within a section, gaps follow ``gaps``. Sections with neither gaps
    nor gaps in knowledge are left out.
    """
    result = score(answers, section_weights)
    weights = section_weights or {}
    grouped: dict[str, list[ItemAnswer]] = {}
    for answer in answers:
        grouped.setdefault(answer.section, []).append(answer)
    found = []
    for section, items in grouped.items():
        section_gaps = gaps(items, top_score, peers_meeting)
        unknown = [a.item for a in items if not a.answered or a.score is None]
        if section_gaps or unknown:
            found.append(
                SectionGaps(section, result.sections[section].score, section_gaps, unknown)
            )

    def order(entry: SectionGaps) -> tuple[int, float, float, str]:
        known = entry.score is not None
        return (
            0 if known else 1,
            entry.score or 0.0,
            -float(weights.get(entry.section, 1)),
            entry.section,
        )

    return sorted(found, key=order)


def item_changes(
    before: Mapping[str, Number | None], after: Mapping[str, Number | None]
) -> dict[str, float | None]:
    """Per item of the later assessment, the change in score since the earlier one.

    ``before`` is keyed by the later version's item keys (map renamed items first). An item
    missing or unscored on either side has no change (None), never a change from zero.
    """
    return {item: change(before.get(item), score_after) for item, score_after in after.items()}
