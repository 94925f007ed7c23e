from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from integratingcities.accounts.models import Membership
from integratingcities.accounts.permissions import is_secretariat
from integratingcities.frameworks.models import Item, Level, Section

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
