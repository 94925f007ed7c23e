"""Reads for rounds: the response board and the aggregated results."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet

from integratingcities.accounts.permissions import is_secretariat
from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.assessments.selectors import validated_stamp
from integratingcities.frameworks.models import Item, ItemKind, Level, Section
from integratingcities.lib import scoring

from .models import Round, RoundStatus


def visible_rounds(user: Any) -> QuerySet[Round]:
    rounds = Round.objects.select_related("framework")
    if not is_secretariat(user):
        rounds = rounds.filter(status=RoundStatus.PUBLISHED)
    return rounds.order_by("-opens_on")


def board(round_: Round) -> tuple[QuerySet[Assessment], int]:
    """Per invited city: state, answers given and last activity; and the number of items."""
    total = Item.objects.filter(section__framework_id=round_.framework_id).count()
    rows = (
        round_.assessments.select_related("city")
        .annotate(answered=Count("answers", filter=Q(answers__is_answered=True)))
        .order_by("city__name")
    )
    return rows, total


@dataclass(frozen=True)
class ResultFilters:
    country: str = ""
    band: scoring.Band | None = None

    def apply(self, assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
        if self.country:
            assessments = assessments.filter(city__country=self.country)
        if self.band is not None:
            low, high = scoring.BAND_BOUNDS[self.band]
            assessments = assessments.filter(city__population__gte=low)
            if high is not None:
                assessments = assessments.filter(city__population__lt=high)
        return assessments


@dataclass
class ItemCounts:
    item: Item
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class SectionCounts:
    section: Section
    items: list[ItemCounts]


@dataclass
class RoundResults:
    responding: int
    levels: list[Level]
    sections: list[SectionCounts]


def counted_assessments(round_: Round, filters: ResultFilters) -> QuerySet[Assessment]:
    """Only validated answers count in results."""
    return filters.apply(round_.assessments.filter(state=AssessmentState.VALIDATED))


def round_results(round_: Round, filters: ResultFilters) -> RoundResults:
    """Per rating item, how many responding cities gave each level (one query for the counts)."""
    assessments = counted_assessments(round_, filters)
    rows = (
        Answer.objects.filter(assessment__in=assessments, item__kind=ItemKind.RATING)
        .exclude(level=None)
        .order_by()  # Answer's default ordering would add a join to the GROUP BY
        .values("item_id", "level__key")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["item_id"]][row["level__key"]] = row["n"]
    sections = []
    for section in (
        Section.objects.filter(framework_id=round_.framework_id)
        .prefetch_related("items")
        .order_by("position")
    ):
        rated = [item for item in section.items.all() if item.kind == ItemKind.RATING]
        if rated:
            sections.append(
                SectionCounts(section, [ItemCounts(item, counts[item.pk]) for item in rated])
            )
    levels = list(
        Level.objects.filter(scale__framework_id=round_.framework_id).order_by(
            "scale_id", "position"
        )
    )
    return RoundResults(responding=assessments.count(), levels=levels, sections=sections)


def scores_by_assessment(assessments: QuerySet[Assessment]) -> dict[int, scoring.Result]:
    """Section and overall scores of many assessments, from one query."""
    rows = (
        Answer.objects.filter(assessment__in=assessments, item__kind=ItemKind.RATING)
        .order_by()
        .values_list(
            "assessment_id", "item__key", "item__section__key", "item__weight", "level__score"
        )
    )
    grouped: dict[int, list[scoring.ItemAnswer]] = defaultdict(list)
    for assessment_id, item, section, weight, score in rows:
        grouped[assessment_id].append(scoring.ItemAnswer(item, section, weight, score))
    return {pk: scoring.score(answers) for pk, answers in grouped.items()}


def cached_scores(round_: Round, assessments: QuerySet[Assessment]) -> dict[int, scoring.Result]:
    """scores_by_assessment of a round's counted answers, computed once per validation."""
    key = f"round-scores:{round_.pk}:{validated_stamp(assessments)}"
    scores = cache.get(key)
    if scores is None:
        scores = scores_by_assessment(assessments)
        cache.set(key, scores, 3600)
    return scores


def last_activity(round_: Round) -> Any:
    return round_.assessments.aggregate(last=Max("last_activity_at"))["last"]
