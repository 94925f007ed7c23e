"""Results of a Charter monitoring round: the network view, and one city's results in it.

Only validated answers count. Each city's scores come from the record its validation wrote
(``scores``); the round's scores are cached under a stamp of its validated assessments. What
every city's page of a round reads alike (the framework, that stamp, the practices offered for
each commitment) is kept under the page cache's data generation (``round_facts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet, Value

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Item, ItemKind, Level, Section
from integratingcities.frameworks.selectors import outline as framework_outline
from integratingcities.lib import page_cache, scoring
from integratingcities.lib.prepared import prepared
from integratingcities.practices.selectors import PracticeLink, round_practice_links
from integratingcities.rounds.models import Round

from . import stored
from .peers import (
    UNKNOWN,
    CityFigures,
    Comparison,
    Peer,
    PeerGroup,
    PeerSet,
    city_figures,
    figures_of,
    in_peer_group,
    peers_from,
    peers_stamp,
)
from .scores import Scheme, build_scheme, scheme_for, scores_of, validated_stamp

CACHE_SECONDS = 3600


@dataclass(frozen=True)
class ResultFilters:
    country: str = ""
    band: scoring.Band | None = None
    foreign_born: str = ""  # one of scoring.FOREIGN_BORN_BANDS

    @property
    def is_filtered(self) -> bool:
        return bool(self.country or self.band or self.foreign_born)

    def apply(self, assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
        return in_peer_group(
            assessments, country=self.country, band=self.band, foreign_born=self.foreign_born
        )


def counted_assessments(round_: Round, filters: ResultFilters) -> QuerySet[Assessment]:
    """Only validated answers count in results."""
    return filters.apply(round_.assessments.filter(state=AssessmentState.VALIDATED))


@prepared
def _counted_of_city(round_id: int, slug: str) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        round_id=round_id, state=AssessmentState.VALIDATED, city__slug=slug
    ).select_related("city")


def counted_assessment(round_: Round, slug: str) -> Assessment | None:
    """The city's answers to the round, by its short name, if they count (validated)."""
    found = _counted_of_city(round_.pk, slug)
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# The network view: per rating item, how many cities gave each level.


@dataclass
class ItemCounts:
    item: Item
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class SectionCounts:
    section: Section
    items: list[ItemCounts]


@dataclass
class RoundResults:
    responding: int
    levels: list[Level]
    sections: list[SectionCounts]


def round_results(round_: Round, filters: ResultFilters) -> RoundResults:
    """Per rating item, how many responding cities gave each level. The counts (840 ms of SQL
    at 20,000 cities) are computed once per validation stamp and filters, and kept in the
    shared cache; the framework's sections, questions and levels come from its kept outline."""
    assessments = counted_assessments(round_, filters)
    band = filters.band.name if filters.band else ""
    # A size or foreign-born band's members change with the cities' figures too.
    by_figures = bool(band or filters.foreign_born)
    stamp = peers_stamp(assessments) if by_figures else validated_stamp(assessments)
    key = (
        f"results:round-counts:{round_.pk}:{filters.country}:{band}:{filters.foreign_born}:{stamp}"
    )
    found: tuple[dict[int, dict[str, int]], int] | None = cache.get(key)
    if found is None:
        found = (_level_counts(assessments), assessments.count())
        cache.set(key, found, CACHE_SECONDS)
    counts, responding = found
    outline = framework_outline(round_.framework_id)
    sections = []
    for section in outline.sections:
        items = outline.items.get(section.pk, [])
        rated = [item for item in items if item.kind == ItemKind.RATING]
        if rated:
            sections.append(
                SectionCounts(
                    section, [ItemCounts(item, dict(counts.get(item.pk, {}))) for item in rated]
                )
            )
    # By scale id, then position: the order the page's columns have always had.
    levels = [level for scale_id in sorted(outline.levels) for level in outline.levels[scale_id]]
    return RoundResults(responding=responding, levels=levels, sections=sections)


def _level_counts(assessments: QuerySet[Assessment]) -> dict[int, dict[str, int]]:
    """Per item, how many of these assessments gave each level (one query)."""
    rows = (
        Answer.objects.filter(assessment__in=assessments, item__kind=ItemKind.RATING)
        .exclude(level=None)
        .order_by()  # Answer's default ordering would add a join to the GROUP BY
        .values("item_id", "level__key")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["item_id"]][row["level__key"]] = row["n"]
    return dict(counts)


# ---------------------------------------------------------------------------------------------
# One city's results in a round, beside its peers.


def round_peers(round_: Round, of: Scheme | None = None) -> PeerSet:
    """Every responding city's scores in the round, computed once per validation (cached)."""
    counted = counted_assessments(round_, ResultFilters())
    key = f"results:round-peers:{round_.pk}:{validated_stamp(counted)}"
    found: PeerSet | None = cache.get(key)
    if found is None:
        found = PeerSet.of(_peers(round_, of))
        cache.set(key, found, CACHE_SECONDS)
    return found


def _peers(round_: Round, of: Scheme | None) -> list[Peer]:
    rows = (
        counted_assessments(round_, ResultFilters())
        .order_by()
        .values_list("pk", "framework_id", "scores", "city_id")
    )
    return peers_from(rows, of or scheme_for(round_.framework))


def round_standing(round_: Round, city_id: int, of: Scheme | None = None) -> stored.Standing:
    """A city's place among the round's responding cities, read from the statistics stored
    for the current validation stamp (computed first if there are none: ``results.stored``)."""
    counted = counted_assessments(round_, ResultFilters())

    def own_peer() -> Peer | None:
        """The city's validated answers to the round (one query)."""
        own = counted.filter(city_id=city_id).order_by("pk")
        found = peers_from(
            own.values_list("pk", "framework_id", "scores", "city_id"),
            of or scheme_for(round_.framework),
        )
        return found[-1] if found else None  # as PeerSet.others keeps the last

    return _standing(
        round_,
        round_facts(round_).stamp,  # kept: the aggregate reads every responding city
        city_id,
        city_figures(City.objects.filter(pk=city_id)).get(city_id, UNKNOWN),
        own_peer,
        of,
    )


def _standing(
    round_: Round,
    stamp: str,
    city_id: int,
    figures: CityFigures,
    own_peer: Callable[[], Peer | None],
    of: Scheme | None,
) -> stored.Standing:
    """``stored.standing`` of a city in the round, for the stamp given."""

    def all_figures() -> dict[int, CityFigures]:
        """Only when the statistics are computed (a query built for nothing costs too)."""
        counted = counted_assessments(round_, ResultFilters())
        return city_figures(City.objects.filter(pk__in=counted.values("city_id")))

    return stored.standing(
        f"round:{round_.pk}",
        stamp,
        city_id,
        figures,
        own_peer,
        lambda: _peers(round_, of),
        all_figures,
    )


@dataclass(frozen=True)
class SectionRow:
    section: SectionText
    own: scoring.SectionResult
    comparisons: list[Comparison]  # one per peer group, network first

    @property
    def network(self) -> Comparison:
        return self.comparisons[0]

    @property
    def band(self) -> Comparison:
        return self.comparisons[1]


@dataclass(frozen=True)
class SectionText:
    """What a city's results page shows of a section (kept in the cache: no model)."""

    key: str
    title: Any  # a translatable text (``|tr``)


@dataclass(frozen=True)
class ItemText:
    pk: int
    key: str
    text: Any  # a translatable text
    section: SectionText


@dataclass(frozen=True)
class LevelText:
    pk: int
    label: Any  # a translatable text
    score: float | None


@dataclass(frozen=True)
class Gap:
    """A commitment a city answered below the top level of its scale, with practices of
    cities that meet it in the round."""

    item: ItemText
    level: LevelText
    practices: list[PracticeLink]


@dataclass(frozen=True)
class OwnAnswer:
    """A city's answer to a commitment, with its evidence (the page of an illustrative round
    shows them: its levels rank no real city)."""

    item: ItemText
    level: LevelText | None
    evidence: str


@dataclass(frozen=True)
class CityResults:
    assessment: Assessment
    own: scoring.Result
    rows: list[SectionRow]
    overall: list[Comparison]  # one per peer group, network first
    groups: list[PeerGroup]
    gaps: list[Gap]  # commitments answered below the top level, in the framework's order
    top_levels: frozenset[int]
    answers: list[OwnAnswer] | None  # every answer to a commitment, if the round is illustrative

    @property
    def band(self) -> scoring.Band | None:
        value = self.groups[1].value
        return scoring.Band[value] if value else None

    @property
    def min_answered_percent(self) -> int:
        return round(100 * scoring.MIN_ANSWERED_SHARE)


@dataclass(frozen=True)
class RoundFacts:
    """What every responding city's results page of a round reads alike: the framework's
    scheme, sections, commitments (in the framework's order) and levels, the stamp of the
    stored peer statistics, and per commitment the practices of cities that meet it. Plain
    values: read from the cache without making a model."""

    scheme: Scheme
    sections: list[SectionText]
    items: dict[int, ItemText]  # every commitment (rating item), in the framework's order
    levels: dict[int, LevelText]
    stamp: str
    practices: dict[str, list[PracticeLink]]  # per commitment key


def round_facts(round_: Round) -> RoundFacts:
    """The round's ``RoundFacts``, kept in the shared cache until one of the tables they are
    read from changes (``lib.page_cache``): the framework, the round, the validations, the
    cities' figures and the practices are public data, each followed by its app's token, so
    what is kept is never stale; not after the peer statistics are written under its stamp,
    which the worker does after each validation. A city's page then reads one cache entry
    instead of five queries: the framework's (three), the stamp's aggregate over every
    responding city (7 ms on PostgreSQL at 2,000 cities) and the practices' window over the
    themes (23 ms)."""
    key = f"results:round-facts:v3:{round_.pk}"  # v3: its shape
    return page_cache.kept(
        key,
        lambda: _round_facts(round_),
        CACHE_SECONDS,
        apps=("assessments", "rounds", "frameworks", "cities", "practices"),
    )


def _round_facts(round_: Round) -> RoundFacts:
    """Five queries: sections, rating items, levels, the stamp, the practices."""
    framework_id = round_.framework_id
    sections: dict[str, SectionText] = {}
    scored: dict[str, Any] = {}  # the weights of the sections that are not context, in order
    for key, title, weight, is_context in (
        Section.objects.filter(framework_id=framework_id)
        .order_by("position")
        .values_list("key", "title", "weight", "is_context")
    ):
        sections[key] = SectionText(key, title)
        if not is_context:
            scored[key] = weight
    items: dict[int, ItemText] = {}
    weights: dict[int, tuple[str, str, float]] = {}
    for pk, key, text, weight, section in (
        Item.objects.filter(section__framework_id=framework_id, kind=ItemKind.RATING)
        .order_by("section__position", "position")
        .values_list("pk", "key", "text", "weight", "section__key")
    ):
        items[pk] = ItemText(pk, key, text, sections[section])
        if section in scored:
            weights[pk] = (key, section, float(weight))
    levels: dict[int, LevelText] = {}
    triples = []
    for pk, scale, score, label in Level.objects.filter(
        scale__framework_id=framework_id
    ).values_list("pk", "scale_id", "score", "label"):
        value = None if score is None else float(score)
        levels[pk] = LevelText(pk, label, value)
        triples.append((pk, scale, value))
    scheme = build_scheme(framework_id, weights, scored, triples)
    return RoundFacts(
        scheme=scheme,
        sections=list(sections.values()),
        items=items,
        levels=levels,
        stamp=peers_stamp(counted_assessments(round_, ResultFilters())),
        practices=round_practice_links(
            round_,
            commitments=[key for key, _section, _weight in scheme.items.values()],
            top_levels=scheme.top_levels,
        ),
    )


def city_results(round_: Round, assessment: Assessment) -> CityResults:
    """A responding city's scores per role and overall, beside its peers, and its gaps. The
    peers are read from the statistics stored for the current validation."""
    facts = round_facts(round_)
    of = facts.scheme
    row = (assessment.pk, assessment.framework_id, assessment.scores)
    own = scores_of([row], of)[assessment.pk].result

    def own_peer() -> Peer | None:
        """The assessment itself, when it counts in the round, scored as its peers were (from
        its record: no query)."""
        if assessment.round_id != round_.pk or assessment.state != AssessmentState.VALIDATED:
            return None
        found = peers_from([(*row, assessment.city_id)], of)
        return found[0] if found else None

    standing = _standing(
        round_, facts.stamp, assessment.city_id, figures_of(assessment.city), own_peer, of
    )
    rows = [
        SectionRow(
            section,
            own.sections[section.key],
            standing.compare(section.key, own.sections[section.key].headline),
        )
        for section in facts.sections
        if section.key in of.sizes
    ]
    overall = standing.compare(stored.OVERALL, own.headline)
    answers = answers_of(assessment, facts, evidence=round_.is_illustrative)
    return CityResults(
        assessment,
        own,
        rows,
        overall,
        standing.groups,
        gaps_of(answers, facts),
        of.top_levels,
        answers if round_.is_illustrative else None,
    )


@prepared
def _levels(assessment_id: int) -> QuerySet[Any]:
    return (
        Answer.objects.filter(assessment_id=assessment_id)
        .order_by()
        .values_list("item_id", "level_id", Value(""))
    )


@prepared
def _levels_and_evidence(assessment_id: int) -> QuerySet[Any]:
    return (
        Answer.objects.filter(assessment_id=assessment_id)
        .order_by()
        .values_list("item_id", "level_id", "evidence")
    )


def answers_of(assessment: Assessment, facts: RoundFacts, *, evidence: bool) -> list[OwnAnswer]:
    """The assessment's answers to the commitments, in the framework's order, with their
    evidence if asked: one prepared query of the assessment's answers (a few dozen rows)."""
    answered = {
        item_id: (level_id, text)
        for item_id, level_id, text in (_levels_and_evidence if evidence else _levels)(
            assessment.pk
        )
        if item_id in facts.items
    }
    return [
        OwnAnswer(item, None if level_id is None else facts.levels[level_id], text)
        for pk, item in facts.items.items()
        if pk in answered
        for level_id, text in [answered[pk]]
    ]


def gaps_of(answers: list[OwnAnswer], facts: RoundFacts) -> list[Gap]:
    """The commitments answered below the top level of their scale (not "not applicable", not
    unanswered, not outside the scored sections), in the framework's order, with their level
    and practices of cities that meet them."""
    of = facts.scheme
    return [
        Gap(answer.item, answer.level, facts.practices.get(answer.item.key, []))
        for answer in answers
        if answer.item.pk in of.items
        and answer.level is not None
        and answer.level.score is not None
        and answer.level.pk not in of.top_levels
    ]
