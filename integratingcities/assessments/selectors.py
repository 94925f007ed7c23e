from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from integratingcities.accounts.models import Membership
from integratingcities.accounts.permissions import is_secretariat
from integratingcities.frameworks.models import Item, ItemKind, Level, Section
from integratingcities.lib import scoring

from .models import Answer, Assessment, Comment


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """The assessments of the user's cities (all of them for the secretariat)."""
    assessments = Assessment.objects.select_related("city", "framework", "round")
    if not is_secretariat(user):
        city_ids = Membership.objects.filter(user=user).values("city_id")
        assessments = assessments.filter(city_id__in=city_ids)
    return assessments.annotate(
        answered=Count("answers", filter=Q(answers__is_answered=True))
    ).order_by("-created_at", "city__name")


def sections_of(assessment: Assessment) -> QuerySet[Section]:
    return (
        Section.objects.filter(framework_id=assessment.framework_id)
        .annotate(
            item_count=Count("items", distinct=True),
            answered=Count(
                "items__answers",
                filter=Q(items__answers__assessment=assessment, items__answers__is_answered=True),
                distinct=True,
            ),
        )
        .order_by("position")
    )


def section_content(assessment: Assessment, section: Section) -> dict[str, Any]:
    items = list(Item.objects.filter(section=section).order_by("position"))
    levels: dict[int, list[Level]] = defaultdict(list)
    for level in Level.objects.filter(scale__framework_id=assessment.framework_id).order_by(
        "position"
    ):
        levels[level.scale_id].append(level)
    answers = {
        answer.item_id: answer
        for answer in Answer.objects.filter(
            assessment=assessment, item__section=section
        ).select_related("level", "updated_by")
    }
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in Comment.objects.filter(
        assessment=assessment, item__section=section
    ).select_related("author"):
        comments[comment.item_id].append(comment)
    return {"items": items, "levels": dict(levels), "answers": answers, "comments": comments}


def history(assessment: Assessment) -> QuerySet[Any]:
    return (
        Answer.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "item", "level")
        .order_by("-history_date")
    )


def comments_of(assessment: Assessment) -> QuerySet[Comment]:
    return assessment.comments.select_related("author", "item", "item__section").order_by(
        "item__section__position", "item__position", "created_at"
    )


def with_framework(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.select_related("city", "framework", "round").prefetch_related(
        Prefetch("framework__sections", queryset=Section.objects.order_by("position"))
    )


def validated_stamp(assessments: QuerySet[Assessment]) -> str:
    """A cheap key that changes whenever the validated answers among these can have changed.

    Validated is a final state and only editable states accept answers, so the answers counted
    in results change only when one more assessment is validated: that moves the count, the
    latest validation time and, as ids are never reused, the highest id. Caches of results are
    keyed by it.
    """
    stamp = assessments.aggregate(n=Count("pk"), top=Max("pk"), last=Max("validated_at"))
    last = stamp["last"].isoformat() if stamp["last"] else "-"
    return f"{stamp['n']}:{stamp['top']}:{last}"


# ---------------------------------------------------------------------------------------------
# Scores of many assessments at once. Answers are read as three integers each and the items and
# levels they point to are looked up in Python: on both databases that is several times faster
# than a join grouped in SQL, and no object is made per answer.

ItemLookup = Mapping[int, tuple[str, str, float]]  # item id: (item key, section key, weight)


def rating_items(framework_id: int) -> dict[int, tuple[str, str, float]]:
    """A framework's scored items (rating items outside context sections), for ``tally``."""
    return {
        pk: (key, section, float(weight))
        for pk, key, section, weight in Item.objects.filter(
            section__framework_id=framework_id,
            kind=ItemKind.RATING,
            section__is_context=False,
        ).values_list("pk", "key", "section__key", "weight")
    }


def level_scores(levels: QuerySet[Level]) -> dict[int, float | None]:
    return {pk: None if v is None else float(v) for pk, v in levels.values_list("pk", "score")}


def top_score(framework_id: int) -> float | None:
    """The highest score of a framework's scales: answers at it meet the item in full."""
    found = Level.objects.filter(scale__framework_id=framework_id).aggregate(top=Max("score"))
    return None if found["top"] is None else float(found["top"])


@dataclass(frozen=True)
class Tally:
    sections: dict[int, dict[str, scoring.SectionResult]]  # per assessment, per section key
    top_items: dict[int, frozenset[str]]  # per assessment, the item keys answered at the top


def tally(
    assessment_ids: Iterable[int],
    items: ItemLookup,
    scores: Mapping[int, float | None],
    top: float | None,
) -> Tally:
    """Section results and top-level items of these assessments, by ``lib.scoring``'s rules.

    Answers to items missing from ``items`` (text items, items of no account) are left out.
    """
    top_items: dict[int, set[str]] = defaultdict(set)

    def answers() -> Iterable[tuple[int, str, float, float | None]]:
        for assessment_id, item_id, level_id in (
            Answer.objects.filter(assessment_id__in=list(assessment_ids))
            .order_by()
            .values_list("assessment_id", "item_id", "level_id")
        ):
            item = items.get(item_id)
            if item is None:
                continue
            key, section, weight = item
            score = None if level_id is None else scores.get(level_id)
            if score is not None and top is not None and score >= top:
                top_items[assessment_id].add(key)
            yield assessment_id, section, weight, score

    sections = scoring.section_results(answers())
    return Tally(sections, {pk: frozenset(keys) for pk, keys in top_items.items()})


def record_of(tallied: Tally, assessment_id: int) -> dict[str, Any]:
    """What ``Assessment.scores`` holds: JSON, read back by ``recorded``."""
    return {
        "sections": {
            key: [result.score, result.scored_items, result.items]
            for key, result in tallied.sections.get(assessment_id, {}).items()
        },
        "top_items": sorted(tallied.top_items.get(assessment_id, ())),
    }


def recorded(record: Mapping[str, Any]) -> tuple[dict[str, float | None], frozenset[str]]:
    """Section scores and top-level items from ``Assessment.scores`` (see ``record_of``)."""
    return (
        {key: section[0] for key, section in record["sections"].items()},
        frozenset(record["top_items"]),
    )
