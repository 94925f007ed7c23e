"""Reads for the network report: the parts a draft may have, the evidence to highlight, and the
snapshot that a preview shows and an edition freezes.

Every figure comes from the results module (``results.rounds``); every answer shown is a
validated answer of the round, credited to its city. Drafts and unvalidated answers never
reach a snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from integratingcities.assessments.models import Answer, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Item, ItemKind, Level, Section
from integratingcities.practices.models import Practice
from integratingcities.results.rounds import ResultFilters, counted_assessments, round_results
from integratingcities.rounds.models import Round

from .models import CHAPTER_KEYS, SECTION_KEYS, Edition, Highlight, Report

SNAPSHOT_FORMAT = 1
CHALLENGES_SECTION = "challenges"


def section_labels() -> dict[str, str]:
    """What each narrative part is called, in the report's order."""
    return {
        "foreword": _("Foreword"),
        "summary": _("Summary"),
        "organisation": _("How cities organise integration work"),
        "trends": _("Migratory trends"),
        "debates": _("Main debates and priorities"),
        "national": _("National developments"),
        "charter_use": _("How cities use the Charter"),
        "challenges": _("Challenges cities reported"),
        "next_steps": _("Next steps"),
        "method": _("Method"),
    }


def report_of(round_: Round) -> Report:
    """The round's report, or an unsaved one with its defaults (nothing is written by reading)."""
    found = Report.objects.filter(round=round_).first()
    return found or Report(round=round_, title=round_.title)


def rated_sections(round_: Round) -> list[Section]:
    """The Charter's roles: the sections holding rating items, with those items, in order."""
    sections = (
        Section.objects.filter(framework_id=round_.framework_id, items__kind=ItemKind.RATING)
        .distinct()
        .prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.filter(kind=ItemKind.RATING).order_by("position"),
            )
        )
        .order_by("position")
    )
    return list(sections)


def text_keys(round_: Round) -> dict[str, str]:
    """Every narrative key a report of the round may hold, with what it is called."""
    keys = {f"section.{key}": label for key, label in section_labels().items()}
    for section in rated_sections(round_):
        keys[f"role.{section.key}"] = _("Overview: %(role)s") % {"role": str(section)}
        for item in section.items.all():
            keys[f"commitment.{item.key}"] = _("Trends: %(commitment)s") % {"commitment": str(item)}
    return keys


def texts_of(report: Report) -> dict[str, str]:
    if report.pk is None:
        return {}
    return dict(report.texts.values_list("key", "body"))


def highlightable(round_: Round) -> QuerySet[Answer]:
    """The answers the secretariat may highlight: validated, of the round, on a commitment,
    with evidence."""
    return (
        Answer.objects.filter(
            assessment__round=round_,
            assessment__state=AssessmentState.VALIDATED,
            item__kind=ItemKind.RATING,
        )
        .exclude(evidence="")
        .select_related("assessment__city", "item", "level")
        .order_by("assessment__city__name")
    )


def highlights_of(report: Report) -> QuerySet[Highlight]:
    """The report's highlights in order, with their city, commitment and practice."""
    return Highlight.objects.filter(report=report).select_related(
        "answer__assessment__city", "answer__item", "practice"
    )


@dataclass(frozen=True)
class Candidate:
    answer: Answer
    highlight: Highlight | None
    practices: list[Practice]


def candidate_answers(
    round_: Round, item: Item, *, city: str = "", level: str = ""
) -> QuerySet[Answer]:
    """The evidence given for one commitment, by city name: of the cities whose name holds
    ``city`` (any case) and at ``level`` (a level's key), where given."""
    answers = highlightable(round_).filter(item=item)
    if city:
        answers = answers.filter(assessment__city__name__icontains=city)
    if level:
        answers = answers.filter(level__key=level)
    return answers


def candidates(report: Report, answers: Sequence[Answer]) -> list[Candidate]:
    """Each of ``answers`` (a page of ``candidate_answers``) with its highlight, if picked,
    and the published practices of its city: two queries, whatever the number of cities."""
    picked = (
        {h.answer_id: h for h in report.highlights.filter(answer__in=[a.pk for a in answers])}
        if report.pk
        else {}
    )
    practices: dict[int, list[Practice]] = defaultdict(list)
    for practice in (
        Practice.objects.published()
        .filter(city_id__in={a.assessment.city_id for a in answers})
        .only("key", "title", "city_id")  # what the menu shows, not the long texts
    ):
        practices[practice.city_id].append(practice)
    return [
        Candidate(answer, picked.get(answer.pk), practices[answer.assessment.city_id])
        for answer in answers
    ]


def latest_edition(round_: Round) -> Edition | None:
    return (
        Edition.objects.filter(report__round=round_)
        .select_related("report")
        .order_by("-number")
        .first()
    )


def latest_editions(round_ids: list[int]) -> dict[int, int]:
    """Per round, the number of its latest edition (rounds without one are left out)."""
    rows = (
        Edition.objects.filter(report__round_id__in=round_ids)
        .values("report__round_id")
        .annotate(latest=Max("number"))
    )
    return {row["report__round_id"]: row["latest"] for row in rows}


def published_reports() -> QuerySet[Edition]:
    """The latest edition of every report, newest first."""
    latest = Edition.objects.filter(report=OuterRef("report")).order_by("-number").values("pk")[:1]
    return (
        Edition.objects.filter(pk=Subquery(latest))
        .select_related("report__round")
        .order_by("-published_on", "-pk")
    )


# ---------------------------------------------------------------------------------------------
# The snapshot: every text and figure a report shows, as plain JSON.


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def snapshot(report: Report) -> dict[str, Any]:
    """What the report shows now, from the draft's texts and the round's validated answers.

    A fixed number of queries whatever the number of cities. Translated framework texts are
    kept as their mappings, so an edition reads in every language the framework has.
    """
    round_ = report.round
    texts = texts_of(report)
    results = round_results(round_, ResultFilters())
    counted = counted_assessments(round_, ResultFilters())
    scored = [level for level in results.levels if level.score is not None]
    unscored = [level for level in results.levels if level.score is None]

    by_commitment: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if report.pk is not None:
        for highlight in highlights_of(report):
            city = highlight.answer.assessment.city
            # A highlight whose answer is no longer validated is not shown (nor frozen).
            if highlight.answer.assessment.state != AssessmentState.VALIDATED:
                continue
            practice = highlight.practice
            by_commitment[highlight.answer.item_id].append(
                {
                    "city": city.name,
                    "city_slug": city.slug,
                    "text": highlight.text,
                    "practice": (
                        {"key": practice.key, "title": practice.title}
                        if practice is not None and practice.is_published
                        else None
                    ),
                }
            )

    # What cities wrote to the survey's text items: chapter 1 and the challenges, credited.
    written: dict[str, list[dict[str, Any]]] = defaultdict(list)
    challenge_items: dict[str, str] = {}
    # The items' texts read once, not with each of thousands of answers (a JSON value each).
    text_items = {
        item["pk"]: item
        for item in Item.objects.filter(
            section__framework_id=round_.framework_id,
            kind=ItemKind.TEXT,
            section__key__in=[*CHAPTER_KEYS, CHALLENGES_SECTION],
        ).values("pk", "key", "text", "section__key")
    }
    for row in (
        Answer.objects.filter(assessment__in=counted, item_id__in=list(text_items))
        .exclude(text="")
        .order_by("item__section__position", "item__position", "assessment__city__name")
        .values("text", "item_id", "assessment__city__name", "assessment__city__slug")
    ):
        item = text_items[row["item_id"]]
        entry = {
            "city": row["assessment__city__name"],
            "city_slug": row["assessment__city__slug"],
            "text": row["text"],
            "item": item["text"],
        }
        if item["section__key"] == CHALLENGES_SECTION:
            challenge_items.setdefault(item["key"], item["text"])
            written[f"challenge:{item['key']}"].append(entry)
        else:
            written[item["section__key"]].append(entry)

    roles = []
    for block in results.sections:
        section = block.section
        totals = {
            level.key: sum(i.counts.get(level.key, 0) for i in block.items)
            for level in results.levels
        }
        answered = sum(totals[level.key] for level in scored)
        challenge_key = "challenge-" + section.key.replace("_", "-")
        roles.append(
            {
                "key": section.key,
                "title": section.title,
                "overview": texts.get(f"role.{section.key}", ""),
                "counts": totals,
                "answered": answered,
                "shares": {level.key: _share(totals[level.key], answered) for level in scored},
                "commitments": [
                    {
                        "key": row.item.key,
                        "text": row.item.text,
                        "counts": {
                            level.key: row.counts.get(level.key, 0) for level in results.levels
                        },
                        "trends": texts.get(f"commitment.{row.item.key}", ""),
                        "highlights": by_commitment.get(row.item.pk, []),
                    }
                    for row in block.items
                ],
                "challenges": written.get(f"challenge:{challenge_key}", []),
            }
        )
    # Challenges the framework files under no role (another framework's keys) are kept too.
    role_challenges = {"challenge-" + r["key"].replace("_", "-") for r in roles}
    other_challenges = [
        {"item": text, "answers": written[f"challenge:{key}"]}
        for key, text in challenge_items.items()
        if key not in role_challenges
    ]

    chapter_sections = {
        s.key: s.title
        for s in Section.objects.filter(framework_id=round_.framework_id, key__in=CHAPTER_KEYS)
    }
    chapters = [
        {
            "key": key,
            "title": chapter_sections.get(key) or section_labels()[key],
            "narrative": texts.get(f"section.{key}", ""),
            "answers": written.get(key, []),
        }
        for key in CHAPTER_KEYS
    ]
    cities = list(
        City.objects.filter(pk__in=counted.values("city_id"))
        .order_by("name")
        .values("name", "slug", "country")
    )
    return {
        "format": SNAPSHOT_FORMAT,
        "title": report.title,
        "subtitle": report.subtitle,
        "network": report.network,
        "round": {
            "pk": round_.pk,
            "title": round_.title,
            "opens_on": round_.opens_on.isoformat(),
            "closes_on": round_.closes_on.isoformat(),
            "framework": report.round.framework.title,
            "framework_version": report.round.framework.version,
        },
        "illustrative": (report.illustrative_note or default_illustrative_note())
        if round_.is_illustrative
        else "",
        "sections": {key: texts.get(f"section.{key}", "") for key in SECTION_KEYS},
        "invited": round_.assessments.count(),
        "responding": results.responding,
        "levels": [_level(level) for level in results.levels],
        "scored_levels": [level.key for level in scored],
        "unscored_levels": [level.key for level in unscored],
        "roles": roles,
        "other_challenges": other_challenges,
        "chapters": chapters,
        "cities": [
            {"name": c["name"], "slug": c["slug"], "country": str(c["country"])} for c in cities
        ],
    }


def _level(level: Level) -> dict[str, Any]:
    return {
        "key": level.key,
        "label": level.label,
        "score": None if level.score is None else float(level.score),
    }


def default_illustrative_note() -> str:
    return _(
        "The levels behind this chart are illustrative: demonstration data, not the cities' "
        "real self-assessment."
    )
