"""Reads for mentoring: schemes with their cities, roadmaps with their rows, the monitoring.

Every score comes from the results module (``results.scores``); nothing is scored here.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from integratingcities.assessments.models import Assessment, AssessmentKind, AssessmentState
from integratingcities.frameworks.models import Framework, FrameworkKind, FrameworkStatus, Section
from integratingcities.lib import scoring
from integratingcities.lib.prepared import prepared
from integratingcities.results.scores import lineage_scheme, scores_of

from .models import (
    Action,
    ActionReminder,
    ActionStatus,
    Objective,
    ReminderWhen,
    Roadmap,
    RoadmapComment,
    Scheme,
    SchemeCity,
    SchemeRole,
    Visit,
)

# Self-tests that may stand as a roadmap's baseline or follow-up: never a round's survey.
MEASURING_KINDS = (AssessmentKind.SELF_TEST, AssessmentKind.BASELINE, AssessmentKind.FOLLOW_UP)


def validated_of(lineage: str) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        framework__lineage=lineage,
        framework__kind=FrameworkKind.BENCHMARK,
        kind__in=MEASURING_KINDS,
        state=AssessmentState.VALIDATED,
    )


def baselines(lineage: str, city_ids: Iterable[int]) -> dict[int, Assessment]:
    """Each city's latest validated self-test of the lineage (one query)."""
    if not lineage:
        return {}
    found: dict[int, Assessment] = {}
    for assessment in (
        validated_of(lineage).filter(city_id__in=list(city_ids)).order_by("created_at")
    ):
        found[assessment.city_id] = assessment  # the latest wins
    return found


def validated_selftests(roadmap: Roadmap) -> list[Assessment]:
    """The roadmap city's validated self-tests of the scheme's theme, oldest first."""
    if not roadmap.scheme.lineage:
        return []
    return list(
        validated_of(roadmap.scheme.lineage)
        .filter(city_id=roadmap.city_id)
        .select_related("framework")
        .order_by("created_at")
    )


def framework_of(roadmap: Roadmap) -> Framework | None:
    """The benchmark version the roadmap's key factors are read from: its baseline's, else the
    theme's latest published version (None: the theme has no benchmark on the platform)."""
    if roadmap.baseline_id is not None and roadmap.baseline is not None:
        return roadmap.baseline.framework
    if not roadmap.scheme.lineage:
        return None
    return (
        Framework.objects.filter(
            lineage=roadmap.scheme.lineage,
            kind=FrameworkKind.BENCHMARK,
            status=FrameworkStatus.PUBLISHED,
        )
        .order_by("-version")
        .first()
    )


def key_factors(roadmap: Roadmap) -> list[Section]:
    framework = framework_of(roadmap)
    if framework is None:
        return []
    return list(Section.objects.filter(framework=framework, is_context=False).order_by("position"))


# ---------------------------------------------------------------------------------------
# Schemes


def schemes() -> QuerySet[Scheme]:
    """Schemes with their theme's toolkit and their cities (3 queries however many)."""
    return Scheme.objects.select_related("toolkit").prefetch_related(
        Prefetch("members", queryset=SchemeCity.objects.select_related("city"))
    )


def cities_by_role(scheme: Scheme) -> dict[str, list[Any]]:
    """Mentor and implementing cities of a scheme whose members were prefetched."""
    found: dict[str, list[Any]] = {SchemeRole.MENTOR: [], SchemeRole.IMPLEMENTING: []}
    for member in scheme.members.all():
        found[member.role].append(member.city)
    for cities in found.values():
        cities.sort(key=lambda city: city.name)
    return found


@prepared
def _city_schemes(city_id: int) -> QuerySet[Any]:
    # Field paths renamed by the caller rather than by F() annotations, which cost more to compile.
    return (
        SchemeCity.objects.filter(city_id=city_id)
        .order_by("-scheme__starts_on", "scheme__name")
        .values(
            "scheme_id",
            "role",
            "scheme__name",
            "scheme__period_note",
            "scheme__starts_on",
            "scheme__ends_on",
            "scheme__is_illustrative",
        )
    )


def city_schemes(city_id: int) -> list[dict[str, Any]]:
    """A city's schemes, newest first, for its page: per scheme ``url``, ``name``,
    ``period_note``, ``starts_on``, ``ends_on``, ``is_illustrative`` and the city's ``role``
    (only the columns the page shows: the page is every city's)."""
    return [
        {
            "url": reverse("mentoring:scheme", kwargs={"pk": row["scheme_id"]}),
            "name": row["scheme__name"],
            "period_note": row["scheme__period_note"],
            "starts_on": row["scheme__starts_on"],
            "ends_on": row["scheme__ends_on"],
            "is_illustrative": row["scheme__is_illustrative"],
            "role": row["role"],
        }
        for row in _city_schemes(city_id)
    ]


def visits_of(scheme: Scheme, roadmaps: Iterable[Roadmap]) -> list[Visit]:
    """The scheme's visits to the cities whose roadmaps the person may read."""
    hosts = [roadmap.city_id for roadmap in roadmaps]
    return list(Visit.objects.filter(scheme=scheme, host_id__in=hosts).select_related("host"))


# ---------------------------------------------------------------------------------------
# One roadmap


def roadmap_page(roadmap_id: int) -> Roadmap:
    """A roadmap with every row its page and its PDF show (a fixed number of queries)."""
    return (
        Roadmap.objects.select_related(
            "scheme",
            "scheme__toolkit",
            "scheme__facilitator_user",
            "city",
            "baseline__framework",
            "follow_up__framework",
        )
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.select_related("indicator").prefetch_related(
                    "key_factors", Prefetch("actions", queryset=Action.objects.order_by("due_on"))
                ),
            ),
            "support_group",
            "progress_reports",
            Prefetch("comments", queryset=RoadmapComment.objects.select_related("author")),
        )
        .get(pk=roadmap_id)
    )


@dataclass
class FactorScore:
    section: Section
    baseline: float | None
    follow_up: float | None

    @property
    def change(self) -> float | None:
        return scoring.change(self.baseline, self.follow_up)

    @property
    def is_weak(self) -> bool:
        """Below the standard at the baseline (the gap the roadmap is about)."""
        return self.baseline is not None and not scoring.meets(self.baseline)


def factor_scores(roadmap: Roadmap) -> list[FactorScore]:
    """Per key factor the baseline's headline score and the follow-up's (None: not enough
    answers, or no such self-test), asked of the results module on the baseline's lineage."""
    return factor_scores_of([roadmap])[roadmap.pk]


def factor_scores_of(roadmaps: Iterable[Roadmap]) -> dict[int, list[FactorScore]]:
    """``factor_scores`` of several roadmaps, each benchmark version read once: the queries
    do not grow with the roadmaps of a scheme (their baselines share a version or a few)."""
    chosen = list(roadmaps)
    latest: dict[str, Framework | None] = {}
    frameworks: dict[int, Framework | None] = {}
    for roadmap in chosen:
        if roadmap.baseline is not None:
            frameworks[roadmap.pk] = roadmap.baseline.framework
        else:
            lineage = roadmap.scheme.lineage
            if lineage not in latest:
                latest[lineage] = framework_of(roadmap)
            frameworks[roadmap.pk] = latest[lineage]
    sections: dict[int, list[Section]] = defaultdict(list)
    used = {f.pk: f for f in frameworks.values() if f is not None}
    for section in Section.objects.filter(framework_id__in=list(used), is_context=False).order_by(
        "position"
    ):
        sections[section.framework_id].append(section)
    found: dict[int, Any] = {}
    for framework in used.values():
        assessments = [
            a
            for roadmap in chosen
            if frameworks[roadmap.pk] == framework
            for a in (roadmap.baseline, roadmap.follow_up)
            if a is not None
        ]
        if assessments:
            found |= scores_of(
                [(a.pk, a.framework_id, a.scores) for a in assessments], lineage_scheme(framework)
            )

    def headline(assessment: Assessment | None, key: str) -> float | None:
        if assessment is None or assessment.pk not in found:
            return None
        result = found[assessment.pk].result.sections.get(key)
        return result.headline if result is not None else None

    result: dict[int, list[FactorScore]] = {}
    for roadmap in chosen:
        used_by = frameworks[roadmap.pk]
        result[roadmap.pk] = [
            FactorScore(
                section,
                headline(roadmap.baseline, section.key),
                headline(roadmap.follow_up, section.key),
            )
            for section in (sections[used_by.pk] if used_by is not None else [])
        ]
    return result


# ---------------------------------------------------------------------------------------
# Monitoring


@dataclass(frozen=True)
class Bar:
    """One action on the timeline: where its bar starts and how wide it is (percent of the
    drawing, the labels' column included)."""

    action: Action
    state: str
    x: float
    width: float
    y: int


@dataclass
class RoadmapProgress:
    roadmap: Roadmap
    actions: list[Action] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    on_track: int = 0
    late: int = 0
    done: int = 0
    dropped: int = 0
    factors: list[FactorScore] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def axis_y(self) -> int:
        """Where the timeline's dates are written, under the bars (pixels)."""
        return len(self.bars) * ROW + 16

    @property
    def height(self) -> int:
        return len(self.bars) * ROW + 24


# The timeline's drawing: a column of labels, then the bars.
LABELS = 36.0
BARS = 63.0
ROW = 24  # pixels per action


@dataclass
class Timeline:
    """The span the dashboard's timeline draws, and where a date falls on it (percent of the
    drawing's width)."""

    start: date
    end: date
    today: date

    def at(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        share = min(max((day - self.start).days, 0), span) / span
        return round(LABELS + BARS * share, 2)

    def bar(self, action: Action, state: str, row: int) -> Bar:
        x = self.at(action.starts_on or action.due_on)
        return Bar(action, state, x, max(round(self.at(action.due_on) - x, 2), 0.8), row * ROW)

    @property
    def today_at(self) -> float:
        return self.at(self.today)

    @property
    def start_at(self) -> float:
        return self.at(self.start)


def action_state(action: Action, today: date) -> str:
    """done, dropped, late or on_track."""
    if action.status == ActionStatus.DONE:
        return "done"
    if action.status == ActionStatus.DROPPED:
        return "dropped"
    return "late" if action.is_late(today) else "on_track"  # the one rule: Action.is_late


def dashboard(
    roadmaps: Iterable[Roadmap], today: date, scheme: Scheme | None = None
) -> tuple[list[RoadmapProgress], Timeline | None]:
    """Per roadmap its actions on track, late, done; its key factors' baseline and follow-up."""
    rows = []
    dates: list[date] = []
    by_roadmap: dict[int, list[Action]] = defaultdict(list)
    chosen = list(roadmaps)
    for action in (
        Action.objects.filter(objective__roadmap__in=chosen)
        .select_related("objective")
        .order_by("due_on", "id")
    ):
        by_roadmap[action.objective.roadmap_id].append(action)
    factors = factor_scores_of(chosen)
    for roadmap in chosen:
        progress = RoadmapProgress(roadmap, by_roadmap.get(roadmap.pk, []))
        for action in progress.actions:
            state = action_state(action, today)
            setattr(progress, state, getattr(progress, state) + 1)
            dates += [d for d in (action.starts_on, action.due_on) if d is not None]
        progress.factors = factors[roadmap.pk]
        rows.append(progress)
    if not dates:
        return rows, None
    if scheme is not None:  # the scheme's period frames its actions
        dates += [d for d in (scheme.starts_on, scheme.ends_on) if d is not None]
    timeline = Timeline(min([*dates, today]), max([*dates, today]), today)
    for progress in rows:
        progress.bars = [
            timeline.bar(action, action_state(action, today), row)
            for row, action in enumerate(progress.actions)
        ]
    return rows, timeline


def reminder_letter(reminder_id: int) -> tuple[str, dict[str, Any]] | None:
    """What a reminder's letter says: the roadmap's link, and the action, its city, its scheme
    and how many days are left or past. None if the action is gone or finished since."""
    reminder = (
        ActionReminder.objects.filter(pk=reminder_id)
        .select_related("action__objective__roadmap__city", "action__objective__roadmap__scheme")
        .first()
    )
    if reminder is None or reminder.action.is_closed:
        return None
    action = reminder.action
    roadmap = action.objective.roadmap
    days = (action.due_on - timezone.localdate()).days
    return (
        roadmap.get_absolute_url(),
        {
            "action": action,
            "roadmap": roadmap,
            "city": roadmap.city,
            "scheme": roadmap.scheme,
            "overdue": reminder.when == ReminderWhen.AFTER,
            "days": abs(days),
        },
    )
