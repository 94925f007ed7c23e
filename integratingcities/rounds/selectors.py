"""Reads for rounds: the response board. The results are the results module's
(``integratingcities.results.rounds``); the names below stay for the API that asks for them."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import (
    EDITABLE_STATES,
    Answer,
    Assessment,
    AssessmentState,
)
from integratingcities.frameworks.models import Item, ItemKind
from integratingcities.permissions import visible_to
from integratingcities.results.rounds import (
    ResultFilters,
    RoundResults,
    counted_assessments,
    round_results,
)

from .models import Round

__all__ = [
    "ResultFilters",
    "RoundResults",
    "board",
    "counted_assessments",
    "last_activity",
    "own_answers",
    "round_results",
    "visible_rounds",
    "without_editor",
]


def visible_rounds(user: Any) -> QuerySet[Round]:
    return visible_to(user, Round).order_by("-opens_on")


def board(round_: Round) -> tuple[QuerySet[Assessment], int]:
    """Per invited city: state, answers given and last activity; and the number of items."""
    total = Item.objects.filter(section__framework_id=round_.framework_id).count()
    editors = Membership.objects.filter(
        city_id=OuterRef("city_id"), role=Role.EDITOR, user__is_active=True
    )
    rows = (
        round_.assessments.select_related("city")
        .annotate(
            answered=Count("answers", filter=Q(answers__is_answered=True)),
            has_editor=Exists(editors),
        )
        .order_by("city__name")
    )
    return rows, total


def without_editor(round_: Round) -> list[str]:
    """The names of the invited cities that have no active editor: nobody there is told."""
    editors = Membership.objects.filter(
        city_id=OuterRef("city_id"), role=Role.EDITOR, user__is_active=True
    )
    return list(
        round_.assessments.filter(~Exists(editors))
        .order_by("city__name")
        .values_list("city__name", flat=True)
    )


def last_activity(round_: Round) -> Any:
    return round_.assessments.aggregate(last=Max("last_activity_at"))["last"]


@dataclass(frozen=True)
class DecisionSummary:
    """What closing or publishing a round would do: the invited cities by what they have done."""

    waiting: int  # invited, in progress or asked for changes: cannot answer once closed
    submitted: int  # not validated yet: not counted
    validated: int  # counted in the published results
    days_left: int  # before the announced closing date (0 or less: the date has passed)


def decision_summary(round_: Round) -> DecisionSummary:
    counts = dict(
        round_.assessments.values("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return DecisionSummary(
        waiting=sum(counts.get(state, 0) for state in EDITABLE_STATES),
        submitted=counts.get(AssessmentState.SUBMITTED, 0),
        validated=counts.get(AssessmentState.VALIDATED, 0),
        days_left=(round_.closes_on - timezone.localdate()).days,
    )


def own_answers(assessment: Assessment) -> QuerySet[Answer]:
    """A city's answers to the commitments of a round, with their level and evidence, in the
    framework's order: what its public page shows where the levels are illustrative."""
    return (
        Answer.objects.filter(assessment=assessment, item__kind=ItemKind.RATING)
        .select_related("item", "item__section", "level")
        .order_by("item__section__position", "item__position")
    )
