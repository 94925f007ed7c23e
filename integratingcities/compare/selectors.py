"""Reads for the comparison: which published results may be compared, and the chosen cities'
scores in them, side by side.

Only what is public is ever read: the validated answers of a published round, and benchmark
self-tests that are validated and whose city chose to share them (``public_selftests``). The
scores are the results module's (``results.scores.scores_of``: the record written at
validation, or a tally by the same rules), never computed here. A fixed number of queries,
whatever the number of cities in the network or compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from integratingcities.assessments.models import Answer, Assessment, AssessmentState
from integratingcities.cities.models import City
from integratingcities.cities.selectors import CountryOption, countries_of, typed_cities
from integratingcities.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkStatus,
    Item,
    ItemKind,
    Level,
    Section,
)
from integratingcities.lib.translation import translate
from integratingcities.permissions import visible_to
from integratingcities.results.peers import in_peer_group
from integratingcities.results.rounds import ResultFilters, counted_assessments
from integratingcities.results.scores import Scheme, lineage_scheme, scheme_for, scores_of
from integratingcities.rounds.models import Round, RoundStatus

from .forms import MAX_CITIES, MAX_SUBJECTS, OVERALL, CompareQuery

# What a cell says when it has no score; never shown as 0.
SCORED, THIN, UNANSWERED, NOT_APPLICABLE = "scored", "thin", "unanswered", "not_applicable"


def status_label(status: str) -> str:
    return {
        SCORED: _("scored"),
        THIN: _("not enough answers to score"),
        UNANSWERED: _("not answered"),
        NOT_APPLICABLE: _("not applicable"),
    }[status]


@dataclass(frozen=True)
class Source:
    """Published results that may be compared: a round, or a benchmark's public self-tests."""

    token: str  # as in the query: "round:<id>", "benchmark:<lineage>"
    title: str
    framework: Framework
    round: Round | None = None

    @property
    def is_round(self) -> bool:
        return self.round is not None

    @property
    def is_illustrative(self) -> bool:
        """A round's levels are illustrative as a whole; a benchmark's, city by city."""
        return bool(self.round and self.round.is_illustrative)

    def assessments(self) -> QuerySet[Assessment]:
        """The assessments whose scores are public in this source."""
        if self.round is not None:
            return counted_assessments(self.round, ResultFilters())
        return public_selftests(self.framework.lineage)


def public_selftests(lineage: str) -> QuerySet[Assessment]:
    """Self-tests of a benchmark that anyone may see compared, by city name: validated, and
    shared by their city (``share_evidence``: the city's choice to show its results to
    others). Drafts, unvalidated and unshared self-tests, baselines and follow-ups never are."""
    return Assessment.objects.self_tests().filter(
        framework__lineage=lineage, state=AssessmentState.VALIDATED, share_evidence=True
    )


def sources(user: Any) -> list[Source]:
    """Every published round (newest first), then every published benchmark (its latest
    version), in two queries."""
    rounds = [
        Source(f"round:{round_.pk}", round_.title, round_.framework, round_)
        for round_ in visible_to(user, Round)
        .filter(status=RoundStatus.PUBLISHED)
        .order_by("-opens_on", "-pk")
    ]
    latest: dict[str, Framework] = {}
    for framework in (
        visible_to(user, Framework)
        .filter(kind=FrameworkKind.BENCHMARK, status=FrameworkStatus.PUBLISHED)
        .order_by("lineage", "version")
    ):
        latest[framework.lineage] = framework
    benchmarks = sorted(
        (
            Source(f"benchmark:{lineage}", translate(framework.title), framework)
            for lineage, framework in latest.items()
        ),
        key=lambda source: source.title.lower(),
    )
    return rounds + benchmarks


@dataclass(frozen=True)
class Subject:
    """One thing compared: the overall score, a section (a role, a key factor) or an item (a
    commitment)."""

    token: str
    label: str
    section: str = ""  # the section's key; "" for the overall score
    item_id: int | None = None

    @property
    def is_item(self) -> bool:
        return self.item_id is not None


@dataclass(frozen=True)
class SectionChoice:
    """A section as the form offers it, with its items (commitments) if they may be chosen."""

    subject: Subject
    items: list[Subject]


def subjects_of(source: Source) -> list[SectionChoice]:
    """What may be compared in a source: its scored sections and, in a round, each
    commitment (two queries)."""
    sections = (
        Section.objects.filter(framework=source.framework, is_context=False)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.filter(kind=ItemKind.RATING).order_by("position"),
            )
        )
        .order_by("position")
    )
    found = []
    for section in sections:
        items = list(section.items.all())
        if not items:
            continue
        found.append(
            SectionChoice(
                Subject(section.key, translate(section.title), section.key),
                [
                    Subject(f"{section.key}.{item.key}", translate(item.text), section.key, item.pk)
                    for item in items
                ]
                if source.is_round
                else [],
            )
        )
    return found


@dataclass(frozen=True)
class Cell:
    score: float | None
    status: str
    level: str = ""  # an item's level, as the city answered it

    @property
    def label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class Row:
    city: City
    is_illustrative: bool
    cells: list[Cell]


@dataclass
class Comparison:
    query: CompareQuery
    sources: list[Source]
    source: Source | None = None
    choices: list[SectionChoice] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    named_cities: list[str] = field(default_factory=list)  # the names of those asked for
    countries: list[CountryOption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was asked and could not be shown

    @property
    def is_illustrative(self) -> bool:
        return (self.source is not None and self.source.is_illustrative) or any(
            row.is_illustrative for row in self.rows
        )

    @property
    def chosen(self) -> set[str]:
        return {subject.token for subject in self.subjects}

    @property
    def chosen_cities(self) -> set[str]:
        return set(self.query.cities)


def comparison(user: Any, query: CompareQuery, notes: list[str] | None = None) -> Comparison:
    """The chosen cities' published scores in the chosen source, side by side."""
    found = Comparison(query, sources(user), notes=list(notes or []))
    if query.typed:
        # Typed names become short names, which the page's links then carry.
        slugs, problems = typed_cities(query.typed)
        found.notes.extend(problems)
        query = found.query = replace(
            query, cities=tuple(dict.fromkeys([*query.cities, *slugs.values()])), typed=()
        )
    found.source = next((s for s in found.sources if s.token == query.source), None)
    if found.source is None:
        if query.source:
            found.notes.append(
                _("There are no published results called “%(name)s”.") % {"name": query.source}
            )
        return found
    source = found.source
    found.choices = subjects_of(source)
    found.subjects = _subjects(found, query)
    public = source.assessments()
    found.countries = countries_of(City.objects.filter(assessments__in=public))
    rows = _chosen(found, source, public, query)
    found.rows = _rows(source, found.subjects, rows)
    return found


def _subjects(found: Comparison, query: CompareQuery) -> list[Subject]:
    """The subjects asked for, in the framework's order; every section if none is."""
    overall = Subject(OVERALL, _("Overall"))
    offered = [overall] + [
        subject for choice in found.choices for subject in (choice.subject, *choice.items)
    ]
    by_token = {subject.token: subject for subject in offered}
    unknown = [token for token in query.what if token not in by_token]
    for token in unknown[:3]:
        found.notes.append(
            _("“%(name)s” is not something these results compare.") % {"name": token}
        )
    wanted = set(query.what) - set(unknown)
    if not wanted:
        return [choice.subject for choice in found.choices][:MAX_SUBJECTS]
    chosen = [subject for subject in offered if subject.token in wanted]
    if len(chosen) > MAX_SUBJECTS:
        found.notes.append(
            _("At most %(max)d things are compared at once: the first %(max)d are shown.")
            % {"max": MAX_SUBJECTS}
        )
    return chosen[:MAX_SUBJECTS]


def _as_typed(cities: list[City]) -> list[str]:
    """The cities as the form takes them typed, to fill it again: each by its name, or by its
    short name where another city has the same name (typed, the name alone would be asked
    about again)."""
    shared = set(
        City.objects.filter(name__in={city.name for city in cities})
        .values("name")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("name", flat=True)
    )
    return [city.slug if city.name in shared else city.name for city in cities]


def _chosen(
    found: Comparison, source: Source, public: QuerySet[Assessment], query: CompareQuery
) -> list[tuple[int, int, Any, int, bool]]:
    """The public assessments of the cities asked for by name or by peer group, one per city
    (the latest), ordered by city name: (id, framework id, record, city id, illustrative)."""
    named: dict[str, City] = {}
    if query.cities:
        named = {city.slug: city for city in City.objects.filter(slug__in=query.cities)}
        found.named_cities = _as_typed([named[slug] for slug in query.cities if slug in named])
        unknown = [slug for slug in query.cities if slug not in named]
        if unknown:
            found.notes.append(
                ngettext(
                    "There is no city called %(names)s.",
                    "There are no cities called %(names)s.",
                    len(unknown),
                )
                % {"names": _names(unknown)}
            )
    wanted = public.filter(city__slug__in=list(named)) if named else public.none()
    if query.has_group:
        group = in_peer_group(
            public, country=query.country, band=query.band, foreign_born=query.foreign_born
        )
        wanted = wanted | group
    if named:
        shown = set(public.filter(city__slug__in=list(named)).values_list("city__slug", flat=True))
        without = [city.name for slug, city in named.items() if slug not in shown]
        if without:
            found.notes.append(
                ngettext(
                    "%(cities)s has no published results in “%(source)s”.",
                    "%(cities)s have no published results in “%(source)s”.",
                    len(without),
                )
                % {"cities": _names(without), "source": source.title}
            )
    # The first cities by name, chosen in the database: a peer group may hold thousands,
    # whose scores need not be read to show twelve.
    cities = City.objects.filter(pk__in=wanted.values("city_id"))
    first = list(cities.order_by("name", "pk").values_list("pk", flat=True)[: MAX_CITIES + 1])
    if len(first) > MAX_CITIES:
        total = cities.count()
        found.notes.append(
            ngettext(
                "%(count)d city was chosen; at most %(max)d are compared at once: the first "
                "%(max)d by name are shown.",
                "%(count)d cities were chosen; at most %(max)d are compared at once: the first "
                "%(max)d by name are shown.",
                total,
            )
            % {"count": total, "max": MAX_CITIES}
        )
        first = first[:MAX_CITIES]
    elif query.has_group and not first:
        found.notes.append(_("No city of this peer group has published results here."))
    latest: dict[int, tuple[int, int, Any, int, bool]] = {}
    for pk, framework_id, record, city_id, illustrative in (
        wanted.filter(city_id__in=first)
        .order_by("city_id", "validated_at", "pk")
        .values_list("pk", "framework_id", "scores", "city_id", "is_illustrative")
    ):
        latest[city_id] = (pk, framework_id, record, city_id, illustrative)  # the last wins
    return [latest[city_id] for city_id in first if city_id in latest]


def _scheme(source: Source) -> Scheme:
    """What the source's framework scores: a round's version, or a benchmark's lineage (its
    self-tests may be of earlier versions, scored on the latest one's items)."""
    if source.round is not None:
        return scheme_for(source.framework)
    return lineage_scheme(source.framework)


def _rows(
    source: Source, subjects: list[Subject], chosen: list[tuple[int, int, Any, int, bool]]
) -> list[Row]:
    if not chosen:
        return []
    of = _scheme(source)
    scored = scores_of([(pk, framework, record) for pk, framework, record, *_rest in chosen], of)
    items = [s.item_id for s in subjects if s.item_id is not None]
    levels: dict[tuple[int, int], int | None] = {}
    labels: dict[int, str] = {}
    if items:
        for assessment_id, item_id, given in Answer.objects.filter(
            assessment_id__in=[row[0] for row in chosen], item_id__in=items
        ).values_list("assessment_id", "item_id", "level_id"):
            levels[(assessment_id, item_id)] = given
        labels = {
            level.pk: translate(level.label)
            for level in Level.objects.filter(scale__framework_id=source.framework.pk)
        }
    cities = City.objects.in_bulk([row[3] for row in chosen])
    found = []
    for pk, _framework, _record, city_id, illustrative in chosen:
        result = scored[pk].result
        cells = []
        for subject in subjects:
            if subject.item_id is not None:
                level_id = levels.get((pk, subject.item_id))
                value = None if level_id is None else of.level_scores.get(level_id)
                status = (
                    UNANSWERED if level_id is None else NOT_APPLICABLE if value is None else SCORED
                )
                cells.append(Cell(value, status, labels.get(level_id, "") if level_id else ""))
                continue
            if subject.section:
                part = result.sections.get(subject.section)
                headline, answered = (part.headline, part.score) if part else (None, None)
            else:
                headline, answered = result.headline, result.score
            if headline is not None:
                cells.append(Cell(headline, SCORED))
            elif answered is not None:
                cells.append(Cell(None, THIN))
            else:
                cells.append(Cell(None, UNANSWERED))
        found.append(Row(cities[city_id], illustrative or source.is_illustrative, cells))
    return found


def _names(names: list[str], shown: int = 5) -> str:
    """“A”, “B” and 3 more: a list of names that stays short whatever was typed."""
    quoted = ", ".join(f"“{name}”" for name in names[:shown])
    if len(names) > shown:
        quoted += " " + _("and %(count)d more") % {"count": len(names) - shown}
    return quoted
