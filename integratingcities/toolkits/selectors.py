"""Reads for toolkits: the catalogue, a benchmark's content, and a self-test's results.

The results follow the rules of ``lib.scoring``; this module only fetches (a fixed number of
queries, whatever the number of cities) and resolves keys to framework objects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.selectors import (
    level_scores,
    rating_items,
    recorded,
    tally,
    top_score,
    validated_stamp,
)
from integratingcities.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkStatus,
    Item,
    ItemKind,
    Level,
    Scale,
    Section,
)
from integratingcities.lib import scoring

from .models import Toolkit

INSPIRING_CITIES = 5  # per weak key factor


def catalogue(*, drafts: bool = False) -> tuple[list[Toolkit], dict[str, Framework]]:
    """The toolkits a reader may see, and the benchmark version shown for each.

    A toolkit shows its latest published version. An uploaded benchmark creates its toolkit at
    once, as a draft: a toolkit whose versions are all drafts is left out until one is published,
    unless ``drafts`` (the secretariat's view), where it comes with its latest draft. A toolkit
    with no version at all is a catalogue entry whose content is not loaded yet: it is listed.
    """
    published: dict[str, Framework] = {}
    draft: dict[str, Framework] = {}
    for framework in Framework.objects.filter(kind=FrameworkKind.BENCHMARK).order_by(
        "lineage", "version"
    ):
        if framework.status == FrameworkStatus.PUBLISHED:
            published[framework.lineage] = framework
        else:
            draft[framework.lineage] = framework
    latest = {**draft, **published} if drafts else published
    toolkits = [
        toolkit
        for toolkit in Toolkit.objects.select_related("project").order_by("year", "position")
        if toolkit.key in latest or toolkit.key not in draft
    ]
    return toolkits, latest


def benchmark_content(framework: Framework) -> Framework:
    """The framework with its sections, items and levels, for the toolkit page (4 queries)."""
    return (
        Framework.objects.prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("position")),
            Prefetch("sections__items", queryset=Item.objects.order_by("position")),
            Prefetch("scales", queryset=Scale.objects.prefetch_related("levels")),
        )
        .filter(pk=framework.pk)
        .get()
    )


def selftests_of(city_id: int, lineage: str) -> QuerySet[Assessment]:
    return (
        Assessment.objects.self_tests()
        .filter(city_id=city_id, framework__lineage=lineage)
        .select_related("framework")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------------------------------------
# Peers: every other city's latest validated self-test of the lineage, scored once per change.


@dataclass(frozen=True)
class Peer:
    assessment_id: int
    city_id: int
    city_name: str
    city_slug: str
    country: str
    band: scoring.Band | None
    foreign_born_band: str | None
    shares: bool
    is_illustrative: bool
    overall: float | None
    # Per key factor; plain floats, because thousands of small objects here would keep Python's
    # garbage collector busy on every request that builds them.
    scores: dict[str, float | None]
    top_items: frozenset[str]  # items answered at the top level


@dataclass(frozen=True)
class PeerSet:
    by_assessment: dict[int, Peer]
    meeting: dict[str, int]  # item key: how many of these cities answer it at the top level

    def city(self, city_id: int) -> Peer | None:
        return next((p for p in self.by_assessment.values() if p.city_id == city_id), None)


def _peer_stamp(lineage: str) -> str:
    return validated_stamp(
        Assessment.objects.self_tests().filter(
            framework__lineage=lineage, state=AssessmentState.VALIDATED
        )
    )


def chart_stamp(assessment: Assessment) -> str:
    """Changes whenever a chart of this self-test can: the city's self-tests, the peers."""
    own = (
        Assessment.objects.self_tests()
        .filter(city_id=assessment.city_id, framework__lineage=assessment.framework.lineage)
        .aggregate(n=Count("pk"), last=Max("last_activity_at"))
    )
    last = own["last"].isoformat() if own["last"] else "-"
    return f"{own['n']}:{last}:{_peer_stamp(assessment.framework.lineage)}"


def _key_map(framework: Framework) -> dict[str, str]:
    """Item keys of earlier versions mapped to this version's keys (by key, or by follows)."""
    mapping = {}
    for key, follows in Item.objects.filter(section__framework=framework).values_list(
        "key", "follows"
    ):
        mapping[key] = key
        if follows:
            mapping[follows] = key
    return mapping


# The peers last computed in this process, per framework and stamp. Django's default cache is
# per process too, and would pickle and unpickle thousands of objects on every request.
_MEMO: dict[int, tuple[str, PeerSet]] = {}


def forget_peers() -> None:
    _MEMO.clear()


def peers(framework: Framework) -> PeerSet:
    """Latest validated self-test per city, scored on this version's items (memoised per stamp).

    Self-tests of this version carry the scores recorded at their validation. Others (of an
    earlier version, or validated before scores were recorded) are tallied from their answers,
    on this version's items: earlier versions' items are mapped through ``follows``.
    """
    stamp = _peer_stamp(framework.lineage)
    memo = _MEMO.get(framework.pk)
    if memo is not None and memo[0] == stamp:
        return memo[1]
    latest = (
        Assessment.objects.self_tests()
        .filter(framework__lineage=framework.lineage, state=AssessmentState.VALIDATED)
        .order_by("city_id", "validated_at", "pk")
        .values(
            "pk",
            "framework_id",
            "scores",
            "city_id",
            "city__name",
            "city__slug",
            "city__country",
            "city__population",
            "city__foreign_born_share",
            "share_evidence",
            "is_illustrative",
        )
    )
    rows = list({row["city_id"]: row for row in latest}.values())  # the last one per city wins
    scored: dict[int, tuple[dict[str, float | None], frozenset[str]]] = {
        row["pk"]: recorded(row["scores"])
        for row in rows
        if row["framework_id"] == framework.pk and row["scores"] is not None
    }
    unrecorded = [row["pk"] for row in rows if row["pk"] not in scored]
    if unrecorded:
        tallied = tally(
            unrecorded,
            _rating_items_of_lineage(framework),
            level_scores(Level.objects.filter(scale__framework__lineage=framework.lineage)),
            top_score(framework.pk),
        )
        for pk in unrecorded:
            sections = tallied.sections.get(pk, {})
            scored[pk] = (
                {key: result.score for key, result in sections.items()},
                tallied.top_items.get(pk, frozenset()),
            )
    weights = _section_weights(framework)
    by_assessment = {
        row["pk"]: Peer(
            assessment_id=row["pk"],
            city_id=row["city_id"],
            city_name=row["city__name"],
            city_slug=row["city__slug"],
            country=row["city__country"],
            band=scoring.population_band(row["city__population"]),
            foreign_born_band=scoring.foreign_born_band(row["city__foreign_born_share"]),
            shares=row["share_evidence"],
            is_illustrative=row["is_illustrative"],
            overall=scoring.overall(scored[row["pk"]][0], weights),
            scores=scored[row["pk"]][0],
            top_items=scored[row["pk"]][1],
        )
        for row in rows
    }
    meeting: dict[str, int] = defaultdict(int)
    for peer in by_assessment.values():
        for key in peer.top_items:
            meeting[key] += 1
    found = PeerSet(by_assessment, dict(meeting))
    _MEMO[framework.pk] = (stamp, found)
    return found


def _rating_items_of_lineage(framework: Framework) -> dict[int, tuple[str, str, float]]:
    """Scored items of every version, by id, as this version's (key, key factor, weight).

    Items of earlier versions take the place of the item that follows them (or has their key);
    items with no place in this version are left out.
    """
    mapping = _key_map(framework)
    current = {
        key: (section, weight) for key, section, weight in rating_items(framework.pk).values()
    }
    found = {}
    for pk, key in Item.objects.filter(
        section__framework__lineage=framework.lineage, kind=ItemKind.RATING
    ).values_list("pk", "key"):
        target = current.get(mapping.get(key, ""))
        if target is not None:
            found[pk] = (mapping[key], *target)
    return found


def _section_weights(framework: Framework) -> dict[str, Any]:
    return dict(
        Section.objects.filter(framework=framework, is_context=False).values_list("key", "weight")
    )


# ---------------------------------------------------------------------------------------------
# One self-test's results


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
class Comparison:
    label: str
    spread: scoring.Spread
    position: scoring.Position


@dataclass
class SectionRow:
    section: Section
    result: scoring.SectionResult
    items: list[ItemRow]
    comment: str = ""
    comparisons: list[Comparison] = field(default_factory=list)
    before: float | None = None
    change: float | None = None


@dataclass
class GapGroup:
    section: Section
    score: float | None
    gaps: list[ItemRow]
    unknown: list[ItemRow]
    examples: list[dict[str, Any]]
    peer_evidence: list[dict[str, Any]]
    practices: list[Any] = field(default_factory=list)


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


def results(assessment: Assessment) -> Results:
    framework = assessment.framework
    sections = list(
        Section.objects.filter(framework=framework)
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("position")))
        .order_by("position")
    )
    levels = list(Level.objects.filter(scale__framework=framework).order_by("position"))
    top = top_score(framework.pk)
    previous = (
        Assessment.objects.self_tests()
        .filter(
            city_id=assessment.city_id,
            framework__lineage=framework.lineage,
            created_at__lt=assessment.created_at,
        )
        .exclude(pk=assessment.pk)
        .order_by("-created_at")
        .first()
    )
    own = {
        a.item_id: a
        for a in Answer.objects.filter(assessment=assessment).select_related("level", "item")
    }
    before_scores = _previous_scores(previous, framework) if previous else {}

    peer_set = peers(framework)
    others = {
        pk: peer
        for pk, peer in peer_set.by_assessment.items()
        if peer.city_id != assessment.city_id
    }
    peers_meeting = _meeting_without(peer_set, assessment.city_id)

    scored_sections = [s for s in sections if not s.is_context]
    item_answers: list[scoring.ItemAnswer] = []
    rows_by_key: dict[str, ItemRow] = {}
    section_rows: list[SectionRow] = []
    context: list[tuple[Item, str]] = []
    dont_know = unanswered = 0
    for section in sections:
        if section.is_context:
            context += [
                (item, own[item.pk].text)
                for item in section.items.all()
                if item.pk in own and own[item.pk].text.strip()
            ]
            continue
        rows = []
        comment = ""
        for item in section.items.all():
            answer = own.get(item.pk)
            if item.kind != ItemKind.RATING:
                if answer and answer.text.strip():
                    comment = answer.text
                continue
            level = answer.level if answer else None
            score = float(level.score) if level and level.score is not None else None
            if level is None:
                unanswered += 1
            elif score is None:
                dont_know += 1
            row = ItemRow(
                item=item,
                level=level,
                evidence=answer.evidence if answer else "",
                score=score,
                before=before_scores.get(item.key),
                peers_meeting=peers_meeting.get(item.key, 0),
            )
            row.change = scoring.change(row.before, row.score) if previous else None
            rows.append(row)
            rows_by_key[item.key] = row
            item_answers.append(
                scoring.ItemAnswer(item.key, section.key, item.weight, score, level is not None)
            )
        section_rows.append(SectionRow(section, None, rows, comment))  # type: ignore[arg-type]

    weights = {s.key: s.weight for s in scored_sections}
    overall = scoring.score(item_answers, weights)
    before_result = (
        scoring.score(
            [
                scoring.ItemAnswer(a.item, a.section, a.weight, before_scores.get(a.item), True)
                for a in item_answers
            ],
            weights,
        )
        if previous
        else None
    )
    city = assessment.city
    groups = {
        "network": (None, lambda p: True),
        "band": (scoring.population_band(city.population), lambda p, v: p.band == v),
        "foreign_born": (
            scoring.foreign_born_band(city.foreign_born_share),
            lambda p, v: p.foreign_born_band == v,
        ),
        "country": (city.country.code, lambda p, v: p.country == v),
    }
    for section_row in section_rows:
        section_row.result = overall.sections.get(
            section_row.section.key,
            scoring.SectionResult(section_row.section.key, None, 0, len(section_row.items)),
        )
        if before_result is not None:
            before_section = before_result.sections.get(section_row.section.key)
            section_row.before = before_section.score if before_section else None
            section_row.change = scoring.change(section_row.before, section_row.result.score)
        section_row.comparisons = _compare(
            section_row.result.score,
            others,
            groups,
            lambda p, key=section_row.section.key: p.scores.get(key),
        )
    overall_comparisons = _compare(overall.score, others, groups, lambda p: p.overall)

    found_gaps = scoring.gaps_by_section(item_answers, top or 100, peers_meeting, weights)
    by_key = {row.section.key: row for row in section_rows}
    gap_groups = [
        GapGroup(
            section=by_key[entry.section].section,
            score=entry.score,
            gaps=[rows_by_key[g.item] for g in entry.gaps],
            unknown=[rows_by_key[k] for k in entry.unknown],
            examples=by_key[entry.section].section.examples,
            peer_evidence=[],
        )
        for entry in found_gaps
    ]
    _add_peer_evidence(gap_groups, others)
    _add_practices(gap_groups, framework.lineage)
    return Results(
        assessment=assessment,
        framework=framework,
        overall=overall,
        overall_comparisons=overall_comparisons,
        sections=section_rows,
        gap_groups=gap_groups,
        context=context,
        previous=previous,
        overall_before=before_result.score if before_result else None,
        overall_change=scoring.change(before_result.score, overall.score)
        if before_result
        else None,
        peer_count=len(others),
        dont_know=dont_know,
        unanswered=unanswered,
        levels=levels,
    )


GROUP_LABELS = {
    "network": "network",
    "band": "same size band",
    "foreign_born": "similar foreign-born share",
    "country": "same country",
}


def _compare(
    own: float | None, others: dict[int, Peer], groups: dict[str, Any], value: Any
) -> list[Comparison]:
    comparisons = []
    for name, (criterion, matches) in groups.items():
        if name != "network" and criterion is None:
            members: list[Peer] = []
        elif name == "network":
            members = list(others.values())
        else:
            members = [p for p in others.values() if matches(p, criterion)]
        scores = [value(p) for p in members]
        comparisons.append(Comparison(name, scoring.spread(scores), scoring.position(own, scores)))
    return comparisons


def _add_practices(groups: list[GapGroup], lineage: str) -> None:
    """Published library practices that illustrate each weak key factor (one query)."""
    from integratingcities.practices.selectors import practices_for_gaps

    weak = [g for g in groups if not scoring.meets(g.score)]
    found = practices_for_gaps(lineage=lineage, keys=[g.section.key for g in weak], limit=3)
    for group in weak:
        group.practices = found.get(group.section.key, [])


def _meeting_without(peer_set: PeerSet, city_id: int) -> dict[str, int]:
    """Per item, how many other cities answer it at the top level (the city's own taken out)."""
    meeting = dict(peer_set.meeting)
    own = peer_set.city(city_id)
    for key in own.top_items if own else ():
        meeting[key] -= 1
    return meeting


def _previous_scores(previous: Assessment, framework: Framework) -> dict[str, float | None]:
    """The earlier self-test's item scores, keyed by this version's item keys."""
    mapping = _key_map(framework)
    scores: dict[str, float | None] = {}
    for item_key, score in (
        Answer.objects.filter(assessment=previous, item__kind=ItemKind.RATING)
        .order_by()
        .values_list("item__key", "level__score")
    ):
        if item_key in mapping:
            scores[mapping[item_key]] = None if score is None else float(score)
    return scores


def _add_peer_evidence(groups: list[GapGroup], others: dict[int, Peer]) -> None:
    """For each weak key factor, evidence (and cited context) from cities that meet it and
    agreed to share it."""
    weak = [g for g in groups if not scoring.meets(g.score)]
    wanted: dict[str, list[Peer]] = {}
    for group in weak:
        key = group.section.key
        meeting = [p for p in others.values() if p.shares and scoring.meets(p.scores.get(key))]
        meeting.sort(key=lambda p: (-(p.scores.get(key) or 0), p.city_name))
        wanted[key] = meeting[:INSPIRING_CITIES]
    assessment_ids = {p.assessment_id for peers_ in wanted.values() for p in peers_}
    if not assessment_ids:
        return
    evidence: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for answer in (
        Answer.objects.filter(
            assessment_id__in=assessment_ids,
            item__section__key__in=list(wanted),
            item__kind=ItemKind.RATING,
            level__score__gt=0,
        )
        .exclude(evidence="")
        .select_related("item__section", "level")
        .defer("item__section__examples")
        .order_by("item__position")
    ):
        evidence[(answer.assessment_id, answer.item.section.key)].append(
            {"item": answer.item, "level": answer.level, "evidence": answer.evidence}
        )
    # Their cited context factors go with their evidence, so that it is read with their reasons.
    context: dict[int, list[tuple[Item, str]]] = defaultdict(list)
    for answer in (
        Answer.objects.filter(assessment_id__in=assessment_ids, item__section__is_context=True)
        .exclude(text="")
        .select_related("item")
        .order_by("item__position")
    ):
        context[answer.assessment_id].append((answer.item, answer.text))
    for group in weak:
        for peer in wanted.get(group.section.key, []):
            found = evidence.get((peer.assessment_id, group.section.key))
            if found:
                group.peer_evidence.append(
                    {"peer": peer, "answers": found, "context": context[peer.assessment_id]}
                )
