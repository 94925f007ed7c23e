"""Reads for rounds: the response board. The results are the results module's
(``integratingcities.results.rounds``); the names below stay for the API that asks for them."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from integratingcities.accounts.models import Membership, Role
from integratingcities.assessments.models import (
    EDITABLE_STATES,
    Answer,
    Assessment,
    AssessmentState,
)
from integratingcities.cities.models import City
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
    "Board",
    "ResultFilters",
    "RoundResults",
    "board",
    "counted_assessments",
    "last_activity",
    "mark_editors",
    "own_answers",
    "round_results",
    "uninvited",
    "visible_rounds",
    "without_editor",
]


def visible_rounds(user: Any) -> QuerySet[Round]:
    return visible_to(user, Round).order_by("-opens_on")


BOARD_PER_PAGE = 100
# The board's sort keys (?sort=), each with its ORDER BY; the city's name breaks ties.
BOARD_SORTS: dict[str, tuple[Any, ...]] = {
    "city": ("city__name", "pk"),
    "-city": ("-city__name", "-pk"),
    "state": ("state", "city__name", "pk"),
    "-state": ("-state", "city__name", "pk"),
    "answered": ("answered", "city__name", "pk"),
    "-answered": ("-answered", "city__name", "pk"),
    "activity": (F("last_activity_at").asc(nulls_first=True), "city__name", "pk"),
    "-activity": (F("last_activity_at").desc(nulls_last=True), "city__name", "pk"),
}
# Up to this many cities not invited yet, the board offers them all as boxes to tick; beyond,
# a search lists the cities whose names match, this many at most.
INVITE_LIMIT = 50


@dataclass(frozen=True)
class Board:
    rows: QuerySet[Assessment]  # filtered and sorted; the view pages it
    total: int  # items in the framework
    states: dict[str, int]  # invited cities per state, over the whole round


def board(round_: Round, *, state: str = "", q: str = "", sort: str = "city") -> Board:
    """Per invited city: state, answers given and last activity; the number of items; and the
    invited cities per state, over all of them whatever the filter."""
    total = Item.objects.filter(section__framework_id=round_.framework_id).count()
    # Answers given are counted by the services that save them (``Assessment.answered_count``):
    # counting them here would count every invited city's answers before taking a page.
    # Whether a city has an editor is asked for the page's rows only (``mark_editors``): asked
    # here, the database would ask it of every invited city it sorts.
    # Only the columns a row shows: the database sorts whole rows, and a survey's recorded
    # scores would make each one wide.
    rows = (
        round_.assessments.select_related("city")
        .only("city__name", "state", "last_activity_at", "answered_count", "round_id")
        .annotate(answered=F("answered_count"))
    )
    if state:
        rows = rows.filter(state=state)
    if q:
        rows = rows.filter(city__name__icontains=q)
    counts = round_.assessments.aggregate(
        **{value: Count("pk", filter=Q(state=value)) for value in AssessmentState.values}
    )
    return Board(
        rows=rows.order_by(*BOARD_SORTS.get(sort, BOARD_SORTS["city"])),
        total=total,
        states={value: counts[value] or 0 for value in AssessmentState.values},
    )


def mark_editors(rows: Iterable[Any]) -> None:
    """Set ``has_editor`` on a page of the board's rows, in one query."""
    rows = list(rows)
    with_editor = set(
        Membership.objects.filter(
            city_id__in={row.city_id for row in rows}, role=Role.EDITOR, user__is_active=True
        ).values_list("city_id", flat=True)
    )
    for row in rows:
        row.has_editor = row.city_id in with_editor


def uninvited(round_: Round, *, q: str = "") -> QuerySet[City]:
    """Cities not invited to the round, by name; ``q`` keeps those whose name contains it.
    The invited are a subquery: a list of ids would be one parameter per city."""
    cities = City.objects.exclude(pk__in=round_.assessments.values("city_id"))
    if q:
        cities = cities.filter(name__icontains=q)
    return cities.order_by("name", "pk")


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
