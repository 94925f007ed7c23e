"""What each person has to do next, for the home page: one list per role.

Every list is one query, whatever the number of cities: counts are subqueries, and the
cities come from the person's memberships (every city for the secretariat).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from integratingcities.assessments.models import (
    EDITABLE_STATES,
    Assessment,
    AssessmentQuerySet,
    AssessmentState,
    Comment,
)
from integratingcities.cities.models import City
from integratingcities.frameworks.models import Item
from integratingcities.permissions import is_secretariat, visible_to
from integratingcities.practices.models import Practice, PracticeStatus
from integratingcities.rounds.models import Round, RoundStatus

from .models import Membership, Role

CLOSING_SOON_DAYS = 14
LIMIT = 50


@dataclass
class Todo:
    """A person's to-do lists; empty lists are not shown."""

    to_answer: list[Assessment] = field(default_factory=list)
    self_tests: list[Assessment] = field(default_factory=list)
    to_review: list[Assessment] = field(default_factory=list)
    to_validate: list[Assessment] = field(default_factory=list)
    to_publish: list[Practice] = field(default_factory=list)
    closing_soon: list[Round] = field(default_factory=list)
    without_editor: list[City] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(vars(self).values())


def _cities_where(user: Any, role: str) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user=user, role=role).values_list("city_id", flat=True)


def _with_progress(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Answered and total items, and the reviewers' comments, counted in the same query."""
    total = (
        Item.objects.filter(section__framework_id=OuterRef("framework_id"))
        .order_by()
        .values("section__framework_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    answered = (
        Assessment.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(n=Count("answers", filter=Q(answers__is_answered=True)))
        .values("n")
    )
    comments = (
        Comment.objects.filter(assessment_id=OuterRef("pk"))
        .order_by()
        .values("assessment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return assessments.annotate(
        total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        answered=Coalesce(Subquery(answered, output_field=IntegerField()), 0),
        comment_count=Coalesce(Subquery(comments, output_field=IntegerField()), 0),
    )


def _assessments() -> AssessmentQuerySet:
    return Assessment.objects.select_related("city", "round")


def todo_for(user: Any, today: date | None = None) -> Todo:
    """The person's to-do lists: as a city editor, as a reviewer and as the secretariat."""
    today = today or timezone.localdate()
    todo = Todo()
    if not user.is_authenticated:
        return todo
    # A city editor: the open surveys and self-tests of their cities.
    editing = _cities_where(user, Role.EDITOR)
    todo.to_answer = list(
        _with_progress(
            _assessments()
            .surveys()
            .filter(city_id__in=editing, state__in=EDITABLE_STATES, round__status=RoundStatus.OPEN)
            .order_by("round__closes_on", "city__name")
        )[:LIMIT]
    )
    todo.self_tests = list(
        _with_progress(
            _assessments()
            .self_tests()
            .filter(city_id__in=editing, state__in=EDITABLE_STATES)
            .order_by("-created_at", "city__name")
        )[:LIMIT]
    )
    # A reviewer: their cities' submitted surveys and self-tests.
    todo.to_review = list(
        _assessments()
        .filter(city_id__in=_cities_where(user, Role.REVIEWER), state=AssessmentState.SUBMITTED)
        .order_by("submitted_at", "city__name")[:LIMIT]
    )
    if is_secretariat(user):
        _secretariat_todo(user, todo, today)
    return todo


def _secretariat_todo(user: Any, todo: Todo, today: date) -> None:
    todo.to_validate = list(
        visible_to(user, Assessment)
        .filter(state=AssessmentState.SUBMITTED)
        .order_by("submitted_at", "city__name")[:LIMIT]
    )
    todo.to_publish = list(
        Practice.objects.filter(status=PracticeStatus.PROPOSED)
        .select_related("city")
        .order_by("title")[:LIMIT]
    )
    todo.closing_soon = list(
        Round.objects.filter(
            status=RoundStatus.OPEN,
            closes_on__gte=today,
            closes_on__lte=today + timedelta(days=CLOSING_SOON_DAYS),
        ).order_by("closes_on", "title")[:LIMIT]
    )
    todo.without_editor = list(
        City.objects.filter(
            Exists(
                Assessment.objects.surveys().filter(
                    city_id=OuterRef("pk"), round__status=RoundStatus.OPEN
                )
            ),
            ~Exists(
                Membership.objects.filter(
                    city_id=OuterRef("pk"), role=Role.EDITOR, user__is_active=True
                )
            ),
        ).order_by("name")[:LIMIT]
    )
