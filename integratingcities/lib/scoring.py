"""The analysis rules (DESIGN section 4), pure and typed: no Django, no database.

Scores run from 0 to 100. An item's score is the score of the level given; a level without a
score ("not applicable", "don't know") and an unanswered item are left out of every mean and
reported as coverage instead, never counted as zero. A section's score is the weighted mean of
its scored items; a framework's is the weighted mean of its scored sections, each section
weighted by its own weight.

A score is a *headline* (shown, ranked, compared, used for progress) only when enough of its
weight is answered: see ``MIN_ANSWERED_SHARE``. An answer meets its item when it is at the top
level of its scale (``at_top``); a city meets a section when the section's headline reaches
``MEETS_THRESHOLD`` (``meets``). docs/analysis.md states every rule and where it lives.
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

MIN_ANSWERED_SHARE = 0.5
"""The share of its weight that must carry a scored answer for a score to be a headline.

A section's (a key factor's, a role's) answered share is the weight of its items answered with
a scored level, over the weight of all its scored items; "not applicable", "don't know" and
unanswered items do not count as answered. The framework's answered share is the mean of its
sections' answered shares, each weighted by the section's weight, so that an item counts in it
as much as it counts in the overall score. Below the share the score is still computed (it
orders gaps) but it is not shown as a headline: the page says "not enough answers to score" and
shows what is known, the assessment gets no rank and is left out of its peers' statistics, and
no progress is reported for it. (A score of 100 from 1 of 34 answers misleads.)
"""


ENOUGH = MIN_ANSWERED_SHARE - 1e-9  # the float rounding of a share just at it is allowed for


def enough(answered_share: float) -> bool:
    """Whether a score with this answered share (0 to 1) is a headline."""
    return answered_share >= ENOUGH


@dataclass(frozen=True)
class ItemAnswer:
    """One item of a framework and what a city answered (``score`` None: not scored).

    ``top`` is the highest score of the item's scale (None: the ``top_score`` given to ``gaps``).
    """

    item: str
    section: str
    weight: Number
    score: Number | None
    answered: bool = True
    top: Number | None = None


@dataclass(frozen=True)
class SectionSize:
    """A section of a framework: how many scored items it has, and their total weight."""

    items: int
    weight: float


@dataclass(frozen=True)
class SectionResult:
    section: str
    score: float | None  # None when no item of the section has a scored answer
    scored_items: int
    items: int
    scored_weight: float = 0.0  # the weight of the items with a scored answer
    weight: float = 0.0  # the weight of all the section's items

    @property
    def coverage(self) -> float:
        """Share of the section's items that carry a score (0 to 1)."""
        return self.scored_items / self.items if self.items else 0.0

    @property
    def answered_share(self) -> float:
        """Share of the section's weight that carries a score (0 to 1)."""
        return min(self.scored_weight / self.weight, 1.0) if self.weight > 0 else 0.0

    @property
    def is_enough(self) -> bool:
        """Enough of the section is answered for its score to be a headline."""
        return self.score is not None and enough(self.answered_share)

    @property
    def headline(self) -> float | None:
        """The score, if it is a headline (see ``MIN_ANSWERED_SHARE``); None otherwise."""
        return self.score if self.is_enough else None


@dataclass(frozen=True)
class Result:
    score: float | None
    sections: dict[str, SectionResult]
    scored_items: int
    items: int
    answered_share: float = 0.0  # see ``answered_share``

    @property
    def coverage(self) -> float:
        return self.scored_items / self.items if self.items else 0.0

    @property
    def is_enough(self) -> bool:
        return self.score is not None and enough(self.answered_share)

    @property
    def headline(self) -> float | None:
        """The overall score, if it is a headline (see ``MIN_ANSWERED_SHARE``)."""
        return self.score if self.is_enough else None


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
    sizes: Mapping[str, SectionSize] | None = None,
) -> dict[K, dict[str, SectionResult]]:
    """Section results of many assessments at once, by the rule of ``score``.

    ``answers`` are (assessment, section, weight, score) tuples, one per answer given; a score
    of None is an answer without a score. Summing plain tuples keeps a network's thousands of
    answers from each becoming an ``ItemAnswer``. ``sizes`` gives each section's items and
    weight in the framework; every assessment that has an answer then has a result for each of
    these sections (answered or not). Without ``sizes`` they are counted from the answers given.
    """
    # Per (assessment, section): weighted total, scored weight, lowest, highest, scored, items.
    sums: dict[tuple[K, str], list[Any]] = {}
    for assessment, section, weight, value in answers:
        entry = sums.get((assessment, section))
        if entry is None:
            entry = sums[(assessment, section)] = [0.0, 0.0, float("inf"), float("-inf"), 0, 0, 0.0]
        entry[5] += 1
        if value is not None:
            if weight <= 0:
                raise ValueError("weights must be positive")
            entry[0] += value * weight
            entry[1] += weight
            entry[2] = min(entry[2], value)
            entry[3] = max(entry[3], value)
            entry[4] += 1
        entry[6] += weight
    found: dict[K, dict[str, SectionResult]] = {}
    for (assessment, section), (
        total,
        weight_sum,
        low,
        high,
        scored,
        items,
        all_weight,
    ) in sums.items():
        size = sizes.get(section) if sizes is not None else None
        found.setdefault(assessment, {})[section] = SectionResult(
            section,
            mean_of_sums(total, weight_sum, low, high),
            scored,
            size.items if size is not None else items,
            weight_sum,
            size.weight if size is not None else all_weight,
        )
    if sizes is None:
        return found
    # Every section of the framework, in its order; any other after them.
    return {
        assessment: {
            **{
                key: sections.get(key) or SectionResult(key, None, 0, size.items, 0.0, size.weight)
                for key, size in sizes.items()
            },
            **{key: result for key, result in sections.items() if key not in sizes},
        }
        for assessment, sections in found.items()
    }


def combine(
    sections: Mapping[str, SectionResult], section_weights: Mapping[str, Number] | None = None
) -> Result:
    """The overall result from the section results (see ``overall`` and ``answered_share``)."""
    return Result(
        score=overall({name: result.score for name, result in sections.items()}, section_weights),
        sections=dict(sections),
        scored_items=sum(s.scored_items for s in sections.values()),
        items=sum(s.items for s in sections.values()),
        answered_share=answered_share(sections, section_weights),
    )


def answered_share(
    sections: Mapping[str, SectionResult], section_weights: Mapping[str, Number] | None = None
) -> float:
    """The framework's answered share: its sections' answered shares, weighted as in ``overall``.

    Sections without items of any weight are left out; with none left, nothing is answered.
    """
    return share_of_sections(
        {name: r.answered_share for name, r in sections.items() if r.weight > 0}, section_weights
    )


def share_of_sections(
    shares: Mapping[str, float], section_weights: Mapping[str, Number] | None = None
) -> float:
    """The mean of sections' answered shares, each weighted by the section's weight."""
    weights = section_weights or {}
    mean = weighted_mean((share, weights.get(name, 1)) for name, share in shares.items())
    return 0.0 if mean is None else mean


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
    answers: Sequence[ItemAnswer],
    section_weights: Mapping[str, Number] | None = None,
    sizes: Mapping[str, SectionSize] | None = None,
) -> Result:
    """Section and framework scores with coverage, by the rules above.

    Without ``sizes``, ``answers`` should hold every item of the framework, unanswered ones
    included (``answered=False``): the answered shares are measured against them.
    """
    sections = section_results(
        (
            (
                0,
                a.section,
                float(a.weight),
                float(a.score) if a.answered and a.score is not None else None,
            )
            for a in answers
        ),
        sizes,
    )
    empty = {
        key: SectionResult(key, None, 0, size.items, 0.0, size.weight)
        for key, size in (sizes or {}).items()
    }
    return combine(sections.get(0, empty), section_weights)


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


FOREIGN_BORN_BANDS = tuple(f"{low}-{low + 10}%" for low in range(0, 100, 10))


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


def at_top(score: Number | None, top: Number | None) -> bool:
    """Whether a score is at the top level of its scale, whose highest score is ``top``: the
    answer meets its item in full. An answer without a score never is."""
    return score is not None and top is not None and float(score) >= float(top)


def top_levels(levels: Iterable[tuple[K, Any, Number | None]]) -> frozenset[K]:
    """Of (level, scale, score) triples, the levels at the top of their scale (``at_top``)."""
    given = list(levels)
    tops: dict[Any, float] = {}
    for _level, scale, value in given:
        if value is not None:
            tops[scale] = max(tops.get(scale, float("-inf")), float(value))
    return frozenset(level for level, scale, value in given if at_top(value, tops.get(scale)))


def gaps(
    answers: Sequence[ItemAnswer], top_score: Number, peers_meeting: Mapping[str, int]
) -> list[Gap]:
    """Scored items below the top level: heaviest first, then those most peers already meet.

    Items answered "not applicable" are not gaps; unanswered items are reported as coverage.
    An item's top is its scale's (``ItemAnswer.top``), or ``top_score`` where none is given.
    """
    found = [
        Gap(a.item, float(a.weight), peers_meeting.get(a.item, 0))
        for a in answers
        if a.answered
        and a.score is not None
        and not at_top(a.score, top_score if a.top is None else a.top)
    ]
    return sorted(found, key=lambda g: (-g.weight, -g.peers_meeting, g.item))


# ---------------------------------------------------------------------------------------------
# Thematic benchmarks: how near the standard, what more to do, progress.

# A city "meets" a key factor (or a role) when its headline score there reaches this: most of
# what the benchmark asks is done, and the rest at least partly. It decides which cities'
# evidence is offered as inspiration. (An item is met at the top level: see ``at_top``.)
MEETS_THRESHOLD = 75.0


def meets(section_score: Number | None) -> bool:
    """Pass a headline (``SectionResult.headline``): a score on too few answers meets nothing."""
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
