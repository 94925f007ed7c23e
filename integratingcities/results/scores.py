"""Scores of assessments: what a framework scores, answers tallied, scores recorded and read back.

Every score on the platform is computed here, by the rules of ``lib.scoring``, from one of two
sources: the record an assessment carries from its validation (``Assessment.scores``, whose
answers no longer change), or its answers. Records are used wherever they exist and fit.
Answers are read as three integers each and looked up in Python: on both databases that is
several times faster than a join grouped in SQL, and no object is made per answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from integratingcities.assessments.models import Answer, Assessment
from integratingcities.frameworks.models import (
    Framework,
    FrameworkStatus,
    Item,
    ItemKind,
    Level,
    Section,
)
from integratingcities.lib import scoring

# The shape of ``Assessment.scores``; records of another shape are not read (their assessments
# are tallied from their answers until ``manage.py record_scores`` records them again).
RECORD_VERSION = 2
SCHEME_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Scheme:
    """What a framework version scores: its rating items outside context sections."""

    framework_id: int
    items: dict[int, tuple[str, str, float]]  # item id: (item key, section key, weight)
    sizes: dict[str, scoring.SectionSize]  # per section key, in the framework's order
    section_weights: dict[str, float]
    level_scores: dict[int, float | None]  # level id: score (None: "not applicable" and such)
    top_levels: frozenset[int]  # the levels at the top of their scale (``scoring.at_top``)
    scale_tops: dict[int, float]  # scale id: its highest score

    @property
    def top_score(self) -> float | None:
        """The highest score of any scale (each item has its scale's: ``scale_tops``)."""
        return max(self.scale_tops.values(), default=None)

    def empty(self) -> scoring.Result:
        """The result of an assessment without a scored answer."""
        return _combine(self, {})

    @cached_property
    def weighed_sections(self) -> tuple[tuple[str, float, float], ...]:
        """Each section: its key, its items' weight and its own weight (as ``scoring.overall``
        weighs it), in the framework's order (``peers.peer_from_record`` reads thousands)."""
        found = []
        for key, size in self.sizes.items():
            weight = float(self.section_weights.get(key, 1))
            if weight <= 0:
                raise ValueError("weights must be positive")
            found.append((key, size.weight, weight))
        return tuple(found)


def scheme(framework_id: int) -> Scheme:
    """A framework version's scheme (3 queries)."""
    items = {
        pk: (key, section, float(weight))
        for pk, key, section, weight in Item.objects.filter(
            section__framework_id=framework_id, kind=ItemKind.RATING, section__is_context=False
        )
        .order_by("section__position", "position")
        .values_list("pk", "key", "section__key", "weight")
    }
    weights = dict(
        Section.objects.filter(framework_id=framework_id, is_context=False)
        .order_by("position")
        .values_list("key", "weight")
    )
    levels = Level.objects.filter(scale__framework_id=framework_id)
    return build_scheme(framework_id, items, weights, _levels(levels))


def scheme_for(framework: Framework) -> Scheme:
    """``scheme`` of a framework version, cached while it is published: a published version
    never changes (docs/frameworks.md), and its content hash is in the key all the same."""
    if framework.status != FrameworkStatus.PUBLISHED:
        return scheme(framework.pk)
    key = f"results:scheme:v{RECORD_VERSION}:{framework.pk}:{framework.content_hash}"
    found: Scheme | None = cache.get(key)
    if found is None:
        found = scheme(framework.pk)
        cache.set(key, found, SCHEME_SECONDS)
    return found


def scheme_of(
    framework_id: int,
    sections: list[Section],
    items: Mapping[int, Sequence[Item]],
    levels: list[Level],
) -> Scheme:
    """The framework's scheme from its sections, their ``items`` (by section id, in order) and
    its levels, fetched already."""
    scored = {
        item.pk: (item.key, section.key, float(item.weight))
        for section in sections
        if not section.is_context
        for item in items.get(section.pk, ())
        if item.kind == ItemKind.RATING
    }
    return build_scheme(
        framework_id,
        scored,
        {section.key: section.weight for section in sections if not section.is_context},
        [
            (level.pk, level.scale_id, None if level.score is None else float(level.score))
            for level in levels
        ],
    )


def build_scheme(
    framework_id: int,
    items: Mapping[int, tuple[str, str, float]],
    section_weights: Mapping[str, Any],
    levels: Iterable[tuple[int, int, float | None]],
) -> Scheme:
    """A scheme from what was fetched already: the scored items (id: key, section, weight),
    the weights of the sections that are not context, in order, and (level, scale, score)."""
    sizes: dict[str, scoring.SectionSize] = {}
    for _key, section, weight in items.values():
        size = sizes.get(section, scoring.SectionSize(0, 0.0))
        sizes[section] = scoring.SectionSize(size.items + 1, size.weight + weight)
    ordered = {key: sizes[key] for key in section_weights if key in sizes}
    triples = list(levels)
    tops: dict[int, float] = {}
    for _pk, scale, value in triples:
        if value is not None:
            tops[scale] = max(tops.get(scale, value), value)
    return Scheme(
        framework_id=framework_id,
        items=dict(items),
        sizes=ordered,
        section_weights={key: float(section_weights[key]) for key in ordered},
        level_scores={pk: value for pk, _scale, value in triples},
        top_levels=scoring.top_levels(triples),
        scale_tops=tops,
    )


def lineage_scheme(framework: Framework) -> Scheme:
    """The scheme of ``framework``, with the items and levels of every version of its lineage.

    An item of an earlier version counts as the item of this version that follows it (or has
    its key); an item with no place in this version is left out. This is how self-tests of an
    earlier version are compared with this one (4 queries).
    """
    mapping: dict[str, str] = {}
    for key, follows in Item.objects.filter(section__framework=framework).values_list(
        "key", "follows"
    ):
        mapping[key] = key
        if follows:
            mapping[follows] = key
    current = scheme(framework.pk)
    by_key = {key: (section, weight) for key, section, weight in current.items.values()}
    items: dict[int, tuple[str, str, float]] = {}
    for pk, key in Item.objects.filter(
        section__framework__lineage=framework.lineage,
        kind=ItemKind.RATING,
        section__is_context=False,
    ).values_list("pk", "key"):
        target = mapping.get(key, "")
        if target in by_key:
            items[pk] = (target, *by_key[target])
    levels = _levels(Level.objects.filter(scale__framework__lineage=framework.lineage))
    # Sizes and weights are this version's, whatever items the earlier versions had.
    found = build_scheme(framework.pk, items, current.section_weights, levels)
    return replace(found, sizes=current.sizes, section_weights=current.section_weights)


def _levels(levels: QuerySet[Level]) -> list[tuple[int, int, float | None]]:
    return [
        (pk, scale, None if value is None else float(value))
        for pk, scale, value in levels.values_list("pk", "scale_id", "score")
    ]


@dataclass(frozen=True)
class Scored:
    """One assessment's scores, and the items it answers at the top level."""

    result: scoring.Result
    top_items: frozenset[str]


def tally(assessment_ids: Iterable[int], of: Scheme) -> dict[int, Scored]:
    """The scores of these assessments, from their answers (one query).

    Answers to items outside the scheme (text items, context, items of no account) are left
    out. Every assessment asked for has a result, an empty one if it has no answer.
    """
    wanted = list(assessment_ids)
    top_items: dict[int, set[str]] = defaultdict(set)

    def answers() -> Iterable[tuple[int, str, float, float | None]]:
        for assessment_id, item_id, level_id in (
            Answer.objects.filter(assessment_id__in=wanted)
            .order_by()
            .values_list("assessment_id", "item_id", "level_id")
        ):
            item = of.items.get(item_id)
            if item is None:
                continue
            key, section, weight = item
            value = None if level_id is None else of.level_scores.get(level_id)
            if level_id in of.top_levels:
                top_items[assessment_id].add(key)
            yield assessment_id, section, weight, value

    sections = scoring.section_results(answers(), of.sizes)
    return {
        pk: Scored(_combine(of, sections.get(pk, {})), frozenset(top_items.get(pk, ())))
        for pk in wanted
    }


def _combine(of: Scheme, sections: Mapping[str, scoring.SectionResult]) -> scoring.Result:
    complete = {
        key: sections.get(key) or scoring.SectionResult(key, None, 0, size.items, 0.0, size.weight)
        for key, size in of.sizes.items()
    }
    return scoring.combine(complete, of.section_weights)


def record(scored: Scored) -> dict[str, Any]:
    """What ``Assessment.scores`` holds (JSON), read back by ``read_record``: per section with
    an answer, its score, scored items and scored weight; the items answered at the top."""
    return {
        "version": RECORD_VERSION,
        "sections": {
            key: [result.score, result.scored_items, result.scored_weight]
            for key, result in scored.result.sections.items()
            if result.scored_items or result.score is not None
        },
        "top_items": sorted(scored.top_items),
    }


def read_record(found: Mapping[str, Any] | None, of: Scheme) -> Scored | None:
    """The scores in a record of the scheme's framework; None if there is none of this shape."""
    if not found or found.get("version") != RECORD_VERSION:
        return None
    sections = {
        key: scoring.SectionResult(key, value, scored, size.items, weight, size.weight)
        for key, (value, scored, weight) in found["sections"].items()
        if (size := of.sizes.get(key)) is not None
    }
    return Scored(_combine(of, sections), frozenset(found["top_items"]))


def records(assessments: Iterable[Assessment]) -> dict[int, dict[str, Any]]:
    """The records of these assessments' scores, from their answers (``record``), per id."""
    by_framework: dict[int, list[int]] = defaultdict(list)
    for assessment in assessments:
        by_framework[assessment.framework_id].append(assessment.pk)
    found: dict[int, dict[str, Any]] = {}
    for framework_id, ids in by_framework.items():
        found |= {pk: record(scored) for pk, scored in tally(ids, scheme(framework_id)).items()}
    return found


def scores_of(rows: Iterable[tuple[int, int, Any]], of: Scheme) -> dict[int, Scored]:
    """The scores of assessments given as (id, framework id, record) rows, on ``of``.

    A record is used when it is of the scheme's framework; the others are tallied from their
    answers in one query (``of`` should then be a ``lineage_scheme`` if they may be of other
    versions).
    """
    found: dict[int, Scored] = {}
    missing = []
    for pk, framework_id, given in rows:
        read = read_record(given, of) if framework_id == of.framework_id else None
        if read is None:
            missing.append(pk)
        else:
            found[pk] = read
    if missing:
        found |= tally(missing, of)
    return found


def validated_stamp(assessments: QuerySet[Assessment]) -> str:
    """A cheap key that changes whenever the validated answers among these can have changed.

    Validated is a final state and only editable states accept answers, so the answers counted
    in results change only when one more assessment is validated: that moves the count, the
    latest validation time and, as ids are never reused, the highest id. Caches of results are
    keyed by it, with ``RECORD_VERSION`` (the rules and shapes they were computed with).
    """
    stamp = assessments.aggregate(n=Count("pk"), top=Max("pk"), last=Max("validated_at"))
    last = stamp["last"].isoformat() if stamp["last"] else "-"
    return f"v{RECORD_VERSION}:{stamp['n']}:{stamp['top']}:{last}"
