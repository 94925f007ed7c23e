"""Results of a benchmark self-test: how near the standard, what more to do, peers, progress.

A fixed number of queries, whatever the number of cities: the peers (every other city's latest
validated self-test of the benchmark's lineage) are scored once per validation and cached.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Framework, Item, ItemKind, Level, Section
from integratingcities.frameworks.selectors import outline as framework_outline
from integratingcities.lib import page_cache, scoring
from integratingcities.lib.prepared import prepared

from . import stored
from .peers import (
    Comparison,
    Peer,
    PeerSet,
    city_figures,
    peers_from,
    peers_stamp,
    stored_figures,
)
from .scores import (
    Scheme,
    lineage_scheme,
    scheme_for,
    scheme_of,
    validated_stamp,
)

if TYPE_CHECKING:
    from integratingcities.practices.selectors import PracticeLink

INSPIRING_CITIES = stored.INSPIRING  # per weak key factor
CACHE_SECONDS = 3600


def peers_of(lineage: str) -> QuerySet[Assessment]:
    """The self-tests that may be peers: validated, of any version of the lineage. Mentoring
    baselines and follow-ups never are."""
    return Assessment.objects.self_tests().filter(
        framework__lineage=lineage, state=AssessmentState.VALIDATED
    )


def peer_set(framework: Framework, of: Scheme | None = None) -> PeerSet:
    """Each city's latest validated self-test of the lineage, scored on this version's items.

    Self-tests of this version carry the scores recorded at their validation. Others (of an
    earlier version, or validated before scores were recorded) are tallied from their answers,
    on this version's items (``lineage_scheme``). Cached per version and validation stamp.
    """
    candidates = peers_of(framework.lineage)
    key = f"results:selftest-peers:{framework.pk}:{validated_stamp(candidates)}"
    found: PeerSet | None = cache.get(key)
    if found is not None:
        return found
    found = PeerSet.of(_latest_peers(framework, of))
    cache.set(key, found, CACHE_SECONDS)
    return found


def _latest_peers(framework: Framework, of: Scheme | None) -> list[Peer]:
    latest = (
        peers_of(framework.lineage)
        .order_by("city_id", "validated_at", "pk")
        .values_list("pk", "framework_id", "scores", "city_id")
    )
    rows = list({row[3]: row for row in latest}.values())  # the last one per city wins
    return peers_from(rows, of or scheme_for(framework), lambda: lineage_scheme(framework))


def selftest_stamp(lineage: str) -> str:
    """``peers_stamp`` of the lineage's peers, kept until a validation, a sharing choice, a
    framework or a city's figures change (the tables it reads), so it is never stale; not
    after the statistics are written under it, which the worker does after each validation,
    or the first visitor would make it again. The aggregate reads every validated self-test
    (30 ms at 20,000 cities on SQLite); a page needs it for each of its statistics."""
    return page_cache.kept(
        f"results:selftest-stamp:{lineage}",
        lambda: peers_stamp(peers_of(lineage)),
        CACHE_SECONDS,
        apps=("assessments", "frameworks", "cities"),
    )


@prepared
def _validated_of(city_id: int, lineage: str) -> QuerySet[Any]:
    """A city's validated self-tests of a lineage as peers' rows, the latest first (a
    handful: the first is taken in Python, so that the query is compiled once)."""
    return (
        peers_of(lineage)
        .filter(city_id=city_id)
        .order_by("-validated_at", "-pk")
        .values_list("pk", "framework_id", "scores", "city_id")
    )


def peer_standing(framework: Framework, city_id: int, of: Scheme | None = None) -> stored.Standing:
    """A city's place among the peers of ``peer_set``, read from the statistics stored for the
    current validation stamp (computed first if there are none: ``results.stored``)."""
    candidates = peers_of(framework.lineage)

    def own_peer() -> Peer | None:
        """The city's latest validated self-test, as ``_latest_peers`` picks it (one query)."""
        latest = _validated_of(city_id, framework.lineage)[:1]
        found = peers_from(latest, of or scheme_for(framework), lambda: lineage_scheme(framework))
        return found[0] if found else None

    return stored.standing(
        f"selftest:{framework.pk}",
        selftest_stamp(framework.lineage),
        city_id,
        stored_figures(city_id),
        own_peer,
        lambda: _latest_peers(framework, of),
        lambda: city_figures(City.objects.filter(pk__in=candidates.values("city_id"))),
        sharing=lambda: dict(
            candidates.filter(share_evidence=True).values_list("pk", "city__name")
        ),
    )


def shared_standing(
    framework: Framework, city_id: int, of: Scheme | None = None
) -> stored.Standing:
    """``peer_standing`` among the cities whose latest validated self-test shares its evidence:
    public pages (the city profile) show only those cities' scores. Stored per stamp as the
    statistics of every peer are (the stamp covers which self-tests share), so the page reads a
    few rows whatever the number of cities."""
    candidates = peers_of(framework.lineage)

    def own_peer() -> Peer | None:
        """The city's latest validated self-test, if it shares (then it is one of them)."""
        latest = (
            candidates.filter(city_id=city_id)
            .order_by("-validated_at", "-pk")
            .values_list("pk", "framework_id", "scores", "city_id", "share_evidence")[:1]
        )
        rows = [row[:4] for row in latest if row[4]]
        found = peers_from(rows, of or scheme_for(framework), lambda: lineage_scheme(framework))
        return found[0] if found else None

    def shared_peers() -> list[Peer]:
        sharing = set(candidates.filter(share_evidence=True).values_list("pk", flat=True))
        return [peer for peer in _latest_peers(framework, of) if peer.assessment_id in sharing]

    return stored.standing(
        f"selftest-shared:{framework.pk}",
        selftest_stamp(framework.lineage),
        city_id,
        stored_figures(city_id),
        own_peer,
        shared_peers,
        lambda: city_figures(City.objects.filter(pk__in=candidates.values("city_id"))),
    )


def chart_stamp(assessment: Assessment) -> str:
    """Changes whenever a chart of this self-test can: the city's self-tests, the peers."""
    own = (
        Assessment.objects.self_tests()
        .filter(city_id=assessment.city_id, framework__lineage=assessment.framework.lineage)
        .aggregate(n=Count("pk"), last=Max("last_activity_at"))
    )
    last = own["last"].isoformat() if own["last"] else "-"
    return f"{own['n']}:{last}:{validated_stamp(peers_of(assessment.framework.lineage))}"


@dataclass
class ItemRow:
    item: Item
    level: Level | None
    evidence: str
    score: float | None
    before: float | None = None
    change: float | None = None
    peers_meeting: int = 0


@dataclass
class SectionRow:
    section: Section
    result: scoring.SectionResult
    items: list[ItemRow]
    comment: str = ""
    comparisons: list[Comparison] = field(default_factory=list)
    before: float | None = None  # the previous self-test's headline
    change: float | None = None  # between two headlines only


@dataclass(frozen=True)
class Inspiring:
    """A city whose shared evidence is offered as inspiration."""

    assessment_id: int
    city_name: str
    city_slug: str
    is_illustrative: bool
    # Its answers cannot change while it is validated: with its id, this names its evidence.
    validated_at: dt.datetime | None


@dataclass
class GapGroup:
    section: Section
    result: scoring.SectionResult
    gaps: list[ItemRow]
    unknown: list[ItemRow]
    examples: list[dict[str, Any]]
    practices: list[PracticeLink] = field(default_factory=list)
    # The cities that meet this key factor and share their evidence (``_offer_peer_evidence``);
    # their evidence is read when first asked for (``peer_evidence``), for all groups at once.
    inspiring: list[Inspiring] = field(default_factory=list)
    evidence_html: str = ""  # the evidence as a page shows it, when the page kept it
    _evidence: list[dict[str, Any]] | None = field(default=None, repr=False)
    _load: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def peer_evidence(self) -> list[dict[str, Any]]:
        """Each inspiring city with its evidence under this key factor and its context."""
        if self._evidence is None and self._load is not None:
            self._load()
        return self._evidence or []

    @property
    def score(self) -> float | None:
        """The key factor's headline (None: not known, or not enough answers)."""
        return self.result.headline

    @property
    def is_weak(self) -> bool:
        return not scoring.meets(self.result.headline)


@dataclass
class Results:
    assessment: Assessment
    framework: Framework
    overall: scoring.Result
    overall_comparisons: list[Comparison]
    sections: list[SectionRow]
    gap_groups: list[GapGroup]
    context: list[tuple[Item, str]]
    previous: Assessment | None
    overall_before: float | None
    overall_change: float | None
    peer_count: int
    dont_know: int
    unanswered: int
    levels: list[Level] = field(default_factory=list)

    @property
    def min_answered_percent(self) -> int:
        return round(100 * scoring.MIN_ANSWERED_SHARE)


@dataclass(frozen=True)
class OwnAnswer:
    """What the results read of one of the city's own answers."""

    level: Level | None
    evidence: str
    text: str


@prepared
def _self_tests_of(city_id: int, lineage: str) -> QuerySet[Assessment]:
    """A city's self-tests of a benchmark, newest first (a handful): the one before a given
    self-test is chosen from them, so that the query holds no date of its own."""
    return (
        Assessment.objects.self_tests()
        .filter(city_id=city_id, framework__lineage=lineage)
        .select_related("framework")  # its version is shown
        .order_by("-created_at")
    )


@prepared
def _answers_of(assessment_id: int) -> QuerySet[Any]:
    return Answer.objects.filter(assessment_id=assessment_id).values_list(
        "item_id", "level_id", "evidence", "text"
    )


def selftest_results(assessment: Assessment) -> Results:
    """The results page of a self-test. Its peers are read from the statistics stored for the
    current validation (a few rows, whatever the number of cities)."""
    framework = assessment.framework
    # The framework's kept outline: one cache read, where its sections, items and levels were
    # three queries building a model per row and decoding each item's JSON.
    outline = framework_outline(framework.pk)
    sections = outline.sections
    items_of = {section.pk: outline.items.get(section.pk, []) for section in sections}
    for section in sections:
        for item in items_of[section.pk]:
            item.section = section
    levels = sorted(
        (level for scale in outline.levels.values() for level in scale),
        key=lambda level: level.position,
    )
    of = scheme_of(framework.pk, sections, items_of, levels)
    previous = next(
        (
            earlier
            for earlier in _self_tests_of(assessment.city_id, framework.lineage)
            if earlier.created_at < assessment.created_at and earlier.pk != assessment.pk
        ),
        None,
    )
    # Answers as plain values, pointing at the items and levels loaded above: a model instance
    # per answer (and per item and level again) was most of this page's time.
    items_by_pk = {item.pk: item for items in items_of.values() for item in items}
    levels_by_pk = {level.pk: level for level in levels}
    own = {
        item_id: OwnAnswer(levels_by_pk.get(level_id) if level_id else None, evidence, text)
        for item_id, level_id, evidence, text in _answers_of(assessment.pk)
    }
    before_scores = _previous_scores(previous, items_by_pk.values()) if previous else {}

    standing = peer_standing(framework, assessment.city_id, of)
    peers_meeting = standing.meeting_without()

    item_answers: list[scoring.ItemAnswer] = []
    rows_by_key: dict[str, ItemRow] = {}
    section_rows: list[SectionRow] = []
    context: list[tuple[Item, str]] = []
    dont_know = unanswered = 0
    for section in sections:
        if section.is_context:
            context += [
                (item, own[item.pk].text)
                for item in items_of[section.pk]
                if item.pk in own and own[item.pk].text.strip()
            ]
            continue
        rows = []
        comment = ""
        for item in items_of[section.pk]:
            answer = own.get(item.pk)
            if item.kind != ItemKind.RATING:
                if answer and answer.text.strip():
                    comment = answer.text
                continue
            level = answer.level if answer else None
            value = float(level.score) if level and level.score is not None else None
            if level is None:
                unanswered += 1
            elif value is None:
                dont_know += 1
            row = ItemRow(
                item=item,
                level=level,
                evidence=answer.evidence if answer else "",
                score=value,
                before=before_scores.get(item.key),
                peers_meeting=peers_meeting.get(item.key, 0),
            )
            row.change = scoring.change(row.before, row.score) if previous else None
            rows.append(row)
            rows_by_key[item.key] = row
            item_answers.append(
                scoring.ItemAnswer(
                    item.key,
                    section.key,
                    item.weight,
                    value,
                    level is not None,
                    of.scale_tops.get(item.scale_id) if item.scale_id else None,
                )
            )
        empty = scoring.SectionResult(section.key, None, 0, len(rows))
        section_rows.append(SectionRow(section, empty, rows, comment))

    overall = scoring.score(item_answers, of.section_weights, of.sizes)
    before_result = (
        scoring.score(
            [
                scoring.ItemAnswer(a.item, a.section, a.weight, before_scores.get(a.item), True)
                for a in item_answers
            ],
            of.section_weights,
            of.sizes,
        )
        if previous
        else None
    )
    for section_row in section_rows:
        key = section_row.section.key
        section_row.result = overall.sections.get(key, section_row.result)
        if before_result is not None:
            section_row.before = before_result.sections[key].headline
            section_row.change = scoring.change(section_row.before, section_row.result.headline)
        section_row.comparisons = standing.compare(key, section_row.result.headline)
    overall_comparisons = standing.compare(stored.OVERALL, overall.headline)

    found_gaps = scoring.gaps_by_section(
        item_answers, of.top_score or 100, peers_meeting, of.section_weights
    )
    by_key = {row.section.key: row for row in section_rows}
    gap_groups = [
        GapGroup(
            section=by_key[entry.section].section,
            result=by_key[entry.section].result,
            gaps=[rows_by_key[g.item] for g in entry.gaps],
            unknown=[rows_by_key[k] for k in entry.unknown],
            examples=by_key[entry.section].section.examples,
        )
        for entry in found_gaps
    ]
    _offer_peer_evidence(gap_groups, standing, items_by_pk, levels_by_pk)
    _add_practices(gap_groups, framework.lineage)
    overall_before = before_result.headline if before_result else None
    return Results(
        assessment=assessment,
        framework=framework,
        overall=overall,
        overall_comparisons=overall_comparisons,
        sections=section_rows,
        gap_groups=gap_groups,
        context=context,
        previous=previous,
        overall_before=overall_before,
        overall_change=scoring.change(overall_before, overall.headline),
        peer_count=standing.peer_count,
        dont_know=dont_know,
        unanswered=unanswered,
        levels=levels,
    )


def _add_practices(groups: list[GapGroup], lineage: str) -> None:
    """Published library practices that illustrate each weak key factor, as links (kept)."""
    from integratingcities.practices.selectors import gap_practice_links

    weak = [g for g in groups if g.is_weak]
    found = gap_practice_links(lineage=lineage, keys=[g.section.key for g in weak], limit=3)
    for group in weak:
        group.practices = found.get(group.section.key, [])


@prepared
def _rating_scores(assessment_id: int) -> QuerySet[Any]:
    return (
        Answer.objects.filter(assessment_id=assessment_id, item__kind=ItemKind.RATING)
        .order_by()
        .values_list("item__key", "level__score")
    )


def _previous_scores(previous: Assessment, items: Iterable[Item]) -> dict[str, float | None]:
    """The earlier self-test's item scores, keyed by the item keys of this version (``items``)."""
    mapping = {}
    for item in items:
        mapping[item.key] = item.key
        if item.follows:
            mapping[item.follows] = item.key
    scores: dict[str, float | None] = {}
    for item_key, value in _rating_scores(previous.pk):
        if item_key in mapping:
            scores[mapping[item_key]] = None if value is None else float(value)
    return scores


def _offer_peer_evidence(
    groups: list[GapGroup],
    standing: stored.Standing,
    items: dict[int, Item],
    levels: dict[int, Level],
) -> None:
    """For each weak key factor, the cities that meet it and agreed to share their evidence:
    the highest-scoring first, at most ``INSPIRING_CITIES`` (one query). Their evidence (and
    cited context) is read only when a group's ``peer_evidence`` is first asked for: a page
    that kept it as HTML does not read it again. Their self-tests are of the same framework
    version (the scope of the stored statistics), so their answers are read as values against
    its ``items`` and ``levels``."""
    weak = [g for g in groups if g.is_weak]
    wanted = {
        key: [Inspiring(*city) for city in cities]
        for key, cities in standing.meeting([g.section.key for g in weak], INSPIRING_CITIES).items()
    }
    for group in groups:
        group.inspiring = wanted.get(group.section.key, []) if group.is_weak else []
        if not group.inspiring:
            group._evidence = []

    def load() -> None:
        for group in groups:
            group._evidence = []
        _read_peer_evidence(weak, wanted, items, levels)

    for group in groups:
        group._load = load


def _read_peer_evidence(
    weak: list[GapGroup],
    wanted: dict[str, list[Inspiring]],
    items: dict[int, Item],
    levels: dict[int, Level],
) -> None:
    assessment_ids = {city.assessment_id for cities in wanted.values() for city in cities}
    if not assessment_ids:
        return
    # Each city's evidence under the key factors it was chosen for, and nothing more.
    chosen = Q()
    for key, cities in wanted.items():
        chosen |= Q(
            assessment_id__in=[city.assessment_id for city in cities], item__section__key=key
        )
    evidence: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for assessment_id, item_id, level_id, text in (
        Answer.objects.filter(chosen, item__kind=ItemKind.RATING, level__score__gt=0)
        .exclude(evidence="")
        .order_by("item__position")
        .values_list("assessment_id", "item_id", "level_id", "evidence")
    ):
        if item_id in items and level_id in levels:
            item = items[item_id]
            evidence[(assessment_id, item.section.key)].append(
                {"item": item, "level": levels[level_id], "evidence": text}
            )
    # Their cited context factors go with their evidence, so that it is read with their reasons.
    context: dict[int, list[tuple[Item, str]]] = defaultdict(list)
    for assessment_id, item_id, text in (
        Answer.objects.filter(assessment_id__in=assessment_ids, item__section__is_context=True)
        .exclude(text="")
        .order_by("item__position")
        .values_list("assessment_id", "item_id", "text")
    ):
        if item_id in items:
            context[assessment_id].append((items[item_id], text))
    for group in weak:
        found = group._evidence if group._evidence is not None else []
        for city in wanted.get(group.section.key, []):
            found_evidence = evidence.get((city.assessment_id, group.section.key))
            if found_evidence:
                found.append(
                    {
                        "peer": city,
                        "answers": found_evidence,
                        "context": context[city.assessment_id],
                    }
                )
        group._evidence = found
