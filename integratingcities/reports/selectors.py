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

from django.db.models import Count, F, Max, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from integratingcities.assessments.models import Answer, AssessmentState
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Item, ItemKind, Level, Section
from integratingcities.lib import page_cache
from integratingcities.practices.models import Practice
from integratingcities.results.rounds import ResultFilters, counted_assessments, round_results
from integratingcities.rounds.models import Round

from .models import CHAPTER_KEYS, SECTION_KEYS, Edition, Highlight, Report

SNAPSHOT_FORMAT = 1
# The preview's first rows of what cities wrote, kept until a survey, city or framework changes.
WRITTEN_SECONDS = 24 * 3600
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


@dataclass(frozen=True)
class Written:
    """What cities wrote to the text items a report credits, by list (a chapter's section key,
    or ``challenge:<item key>``), with each list's total when the lists are cut."""

    lists: dict[str, list[dict[str, Any]]]
    challenge_items: dict[str, Any]
    totals: dict[str, int]


def _written(round_: Round, counted: QuerySet[Any], shown: int | None) -> Written:
    lists: dict[str, list[dict[str, Any]]] = defaultdict(list)
    challenge_items: dict[str, Any] = {}
    # The items' texts read once, not with each of thousands of answers (a JSON value each).
    text_items = {
        item["pk"]: item
        for item in Item.objects.filter(
            section__framework_id=round_.framework_id,
            kind=ItemKind.TEXT,
            section__key__in=[*CHAPTER_KEYS, CHALLENGES_SECTION],
        ).values("pk", "key", "text", "section__key")
    }
    answers: QuerySet[Answer, Any] = (
        Answer.objects.filter(assessment__in=counted, item_id__in=list(text_items))
        .exclude(text="")
        .order_by("item__section__position", "item__position", "assessment__city__name")
        .values("text", "item_id", "assessment__city__name", "assessment__city__slug")
    )
    if shown is not None:
        # Numbered by city name within each item, and counted, in the database.
        answers = answers.annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("item_id")],
                order_by=F("assessment__city__name").asc(),
            ),
            total=Window(Count("pk"), partition_by=[F("item_id")]),
        ).filter(place__lte=shown)
    totals: dict[str, int] = defaultdict(int)
    for row in answers:
        item = text_items[row["item_id"]]
        if item["section__key"] == CHALLENGES_SECTION:
            challenge_items.setdefault(item["key"], item["text"])
            list_key = f"challenge:{item['key']}"
        else:
            list_key = item["section__key"]
        lists[list_key].append(
            {
                "city": row["assessment__city__name"],
                "city_slug": row["assessment__city__slug"],
                "text": row["text"],
                "item": item["text"],
            }
        )
        if row.get("place") == 1:
            totals[list_key] += row["total"]
    return Written(dict(lists), challenge_items, dict(totals))


def snapshot(report: Report, *, shown: int | None = None) -> dict[str, Any]:
    """What the report shows now, from the draft's texts and the round's validated answers.

    A fixed number of queries whatever the number of cities. Translated framework texts are
    kept as their mappings, so an edition reads in every language the framework has.

    ``shown``: the preview's cut. Each list of what cities wrote, and the list of cities,
    holds at most this many, the first by city name, and says how many there are in all
    (``answers_total``, ``challenges_total``, ``cities_total``): what the page shows of a
    report, read without the thousands of rows it leaves out. An edition is frozen whole.
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
    if shown is None:
        written = _written(round_, counted, None)
    else:
        # The preview's first rows and totals: made again after a survey or city changes.
        written = page_cache.kept(
            f"reports:written:v1:{round_.pk}:{shown}",
            lambda: _written(round_, counted, shown),
            WRITTEN_SECONDS,
            apps=("assessments", "cities", "frameworks"),
        )
    challenge_items, written_totals = written.challenge_items, written.totals

    roles: list[dict[str, Any]] = []
    for block in results.sections:
        section = block.section
        totals = {
            level.key: sum(i.counts.get(level.key, 0) for i in block.items)
            for level in results.levels
        }
        answered = sum(totals[level.key] for level in scored)
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
                "challenges": written.lists.get(f"challenge:{challenge_key_of(section)}", []),
            }
        )
    # Challenges the framework files under no role (another framework's keys) are kept too.
    role_challenges = {challenge_key_of(role) for role in roles}
    other_keys = [key for key in challenge_items if key not in role_challenges]
    other_challenges: list[dict[str, Any]] = [
        {"item": challenge_items[key], "answers": written.lists[f"challenge:{key}"]}
        for key in other_keys
    ]

    chapter_sections = {
        s.key: s.title
        for s in Section.objects.filter(framework_id=round_.framework_id, key__in=CHAPTER_KEYS)
    }
    chapters: list[dict[str, Any]] = [
        {
            "key": key,
            "title": chapter_sections.get(key) or section_labels()[key],
            "narrative": texts.get(f"section.{key}", ""),
            "answers": written.lists.get(key, []),
        }
        for key in CHAPTER_KEYS
    ]
    cities = City.objects.filter(pk__in=counted.values("city_id")).order_by("name")
    if shown is not None:
        cities = cities[:shown]
        for role in roles:
            role["challenges_total"] = written_totals.get(f"challenge:{challenge_key_of(role)}", 0)
        for group, key in zip(other_challenges, other_keys, strict=True):
            group["answers_total"] = written_totals.get(f"challenge:{key}", 0)
        for chapter in chapters:
            chapter["answers_total"] = written_totals.get(chapter["key"], 0)
    frozen: dict[str, Any] = {
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
            {"name": c["name"], "slug": c["slug"], "country": str(c["country"])}
            for c in cities.values("name", "slug", "country")
        ],
    }
    if shown is not None:
        frozen["cities_total"] = results.responding
    return frozen


def challenge_key_of(role: Section | dict[str, Any]) -> str:
    """The key of the challenges item that a role's section files under (``challenge-…``)."""
    key = role.key if isinstance(role, Section) else role["key"]
    return "challenge-" + key.replace("_", "-")


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
