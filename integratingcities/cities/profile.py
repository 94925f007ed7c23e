"""A city profile: what a city takes to its council. Reads only, from public data.

Everything here is what anybody may read, whoever asks, so that one PDF serves everyone:

- the city's Charter results per role in its latest **published** round (validated answers
  only), beside the network and each of its peer groups, with the change since its previous
  published round of the same Charter;
- its benchmark self-tests that are **validated and shared** (``Assessment.share_evidence``),
  the latest per benchmark: score per key factor, gaps, suggested practices and the context
  factors it cites; their peers are the other cities' shared, validated self-tests only, so
  that no unshared score can be read off a small group;
- its published practices and its indicators' latest values beside the medians.

Scores, peers, ranks and gaps are the results module's (``integratingcities.results``); this
module only picks what is public and puts it side by side. Illustrative levels never rank a
city (docs/analysis.md): the city is then shown without a rank and without its place marked.
A fixed number of queries, whatever the number of cities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.humanize.templatetags.humanize import ordinal
from django.db.models import Count, Max, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from integratingcities.assessments.models import Assessment, AssessmentState
from integratingcities.frameworks.models import FrameworkKind, FrameworkStatus
from integratingcities.indicators.models import IndicatorValue
from integratingcities.indicators.selectors import CityIndicator, city_indicators
from integratingcities.lib import scoring
from integratingcities.practices.models import Practice
from integratingcities.practices.selectors import city_practices
from integratingcities.results import indicators as indicator_rules
from integratingcities.results.peers import (
    COUNTRY,
    FOREIGN_BORN,
    NETWORK,
    SIZE_BAND,
    Comparison,
    PeerGroup,
)
from integratingcities.results.rounds import CityResults, city_results, round_standing
from integratingcities.results.scores import scheme_for, scores_of
from integratingcities.results.selftests import Results, selftest_results, shared_standing
from integratingcities.results.stored import EMPTY, OVERALL, Histogram
from integratingcities.rounds.models import Round, RoundStatus

from .models import City

# ---------------------------------------------------------------------------------------------
# A score beside a group, and the words that name the group


BAND_CITIES = {
    scoring.Band.SMALL: gettext_lazy("cities of under 250,000 inhabitants"),
    scoring.Band.MEDIUM: gettext_lazy("cities of 250,000 to 500,000 inhabitants"),
    scoring.Band.LARGE: gettext_lazy("cities of 500,000 to 1 million inhabitants"),
    scoring.Band.VERY_LARGE: gettext_lazy("cities of over 1 million inhabitants"),
}


def group_cities(group: PeerGroup, network: str) -> str:
    """The group in words, as the noun of "3rd of 12 …": "cities of 250,000 to
    500,000 inhabitants", "cities in Belgium"; ``network`` names the network's cities."""
    if group.kind == NETWORK:
        return network
    if group.kind == SIZE_BAND and group.value:
        return str(BAND_CITIES[scoring.Band[group.value]])
    if group.kind == FOREIGN_BORN and group.value:
        return _("cities where %(band)s of the residents were born abroad") % {"band": group.value}
    if group.kind == COUNTRY and group.value:
        return _("cities in %(country)s") % {"country": countries.name(group.value)}
    return str(group.name)


@dataclass(frozen=True)
class Standing:
    """A city's headline score beside the other cities of one group that have one."""

    own: float | None  # the city's headline; None: not enough answers, or no score
    scores: tuple[float, ...]  # the other cities' headlines in the group, lowest first
    comparison: Comparison
    cities: str  # the group in words ("cities in Belgium")
    ranked: bool  # False for illustrative levels: they rank no city

    @property
    def rank(self) -> int | None:
        return self.comparison.position.rank if self.ranked else None

    @property
    def total(self) -> int:
        """How many cities the rank is among, the city included."""
        return self.comparison.total

    @property
    def spread(self) -> scoring.Spread:
        return self.comparison.spread

    @property
    def lowest(self) -> float | None:
        return self.scores[0] if self.scores else None

    @property
    def highest(self) -> float | None:
        return self.scores[-1] if self.scores else None

    @property
    def distance(self) -> float | None:
        """The city's score minus the group's median, in points."""
        return self.comparison.position.distance_to_median if self.ranked else None

    @property
    def sentence(self) -> str:
        """The comparison in words, naming the group and its size."""
        others = len(self.scores)
        if not others:
            return _("none of the other %(cities)s has a score yet") % {"cities": self.cities}
        if self.own is None:
            return _(
                "not ranked (not enough answers to score); %(count)d other %(cities)s have a score"
            ) % {"count": others, "cities": self.cities}
        if self.rank is None:
            return _(
                "not ranked: the levels are illustrative; %(count)d other %(cities)s have a score"
            ) % {"count": others, "cities": self.cities}
        return _("%(rank)s of %(total)d %(cities)s") % {
            "rank": ordinal(self.rank),
            "total": self.total,
            "cities": self.cities,
        }


def standings(
    groups: Sequence[PeerGroup],
    comparisons: Sequence[Comparison],
    distributions: Sequence[Mapping[str, Histogram]],
    key: str,
    own: float | None,
    network: str,
    ranked: bool,
) -> list[Standing]:
    """``own`` beside each group in ``key`` (a section, or ``OVERALL``), each group's other
    scores from its stored histograms (``results.stored``)."""
    return [
        Standing(
            own,
            found_in.get(key, EMPTY).values(),
            comparison,
            group_cities(group, network),
            ranked,
        )
        for group, comparison, found_in in zip(groups, comparisons, distributions, strict=True)
    ]


@dataclass(frozen=True)
class Row:
    """A role (Charter) or key factor (benchmark), or the overall score, beside each group."""

    key: str
    title: Any  # a translatable text (``|tr``), or a plain one for "Overall"
    result: scoring.SectionResult | scoring.Result
    standings: list[Standing]  # in the order of the block's groups
    before: float | None = None  # the previous round's headline
    change: float | None = None  # between two headlines only

    @property
    def is_overall(self) -> bool:
        return self.key == ""


@dataclass(frozen=True)
class GroupView:
    """One peer group: every row's standing in it (what one chart and its table show)."""

    group: PeerGroup
    cities: str
    rows: list[tuple[Row, Standing]]

    @property
    def kind(self) -> str:
        return self.group.kind

    @property
    def others(self) -> int:
        """Other cities of the group with any score (the most any row counts)."""
        return max((len(standing.scores) for _row, standing in self.rows), default=0)

    @property
    def overall(self) -> Standing:
        return self.rows[-1][1]


def _views(groups: Sequence[PeerGroup], rows: Sequence[Row], network: str) -> list[GroupView]:
    """Per known group, the rows' standings in it; a group whose own figure is not known (no
    population: no size band) is left out and said so by the page."""
    return [
        GroupView(group, group_cities(group, network), [(row, row.standings[n]) for row in rows])
        for n, group in enumerate(groups)
        if group.is_known
    ]


# ---------------------------------------------------------------------------------------------
# Charter results


@dataclass(frozen=True)
class CharterResults:
    round: Round
    assessment: Assessment
    results: CityResults
    previous: Round | None  # the city's previous published round of the same Charter
    rows: list[Row]  # the roles, then the overall score
    groups: list[GroupView]
    illustrative: bool
    unknown_groups: list[PeerGroup] = field(default_factory=list)

    @property
    def ranked(self) -> bool:
        return not self.illustrative

    @property
    def min_answered_percent(self) -> int:
        return round(100 * scoring.MIN_ANSWERED_SHARE)


def counted_surveys(city: City) -> QuerySet[Assessment]:
    """The city's validated answers to published Charter rounds, the latest round first."""
    return (
        Assessment.objects.surveys()
        .filter(
            city=city,
            state=AssessmentState.VALIDATED,
            round__status=RoundStatus.PUBLISHED,
            framework__kind=FrameworkKind.CHARTER,
        )
        .select_related("round", "round__framework", "framework")
        .order_by("-round__opens_on", "-round__pk")
    )


def charter_results(city: City) -> CharterResults | None:
    surveys = list(counted_surveys(city)[:10])
    if not surveys:
        return None
    latest = surveys[0]
    round_ = latest.round
    assert round_ is not None  # a survey has a round (a database constraint)
    previous = next(
        (s for s in surveys[1:] if s.framework.lineage == latest.framework.lineage), None
    )
    # Each group's scores come from the statistics stored for the round (a histogram per
    # group), not from every peer: the page costs the same at 200 and at 20,000 cities.
    found = city_results(round_, latest)
    stored_standing = round_standing(round_, city.pk)
    illustrative = round_.is_illustrative or latest.is_illustrative
    ranked = not illustrative
    network = _("responding cities")
    before: dict[str, float | None] = {}
    overall_before = None
    if previous is not None and previous.round is not None:
        scored = scores_of(
            [(previous.pk, previous.framework_id, previous.scores)],
            scheme_for(previous.round.framework),
        )[previous.pk].result
        before = {key: section.headline for key, section in scored.sections.items()}
        overall_before = scored.headline

    def stored_standings(key: str, own: float | None, compared: list[Comparison]) -> list[Standing]:
        return standings(
            found.groups, compared, stored_standing.distributions, key, own, network, ranked
        )

    rows = [
        Row(
            row.section.key,
            row.section.title,
            row.own,
            stored_standings(row.section.key, row.own.headline, row.comparisons),
            before.get(row.section.key),
            scoring.change(before.get(row.section.key), row.own.headline),
        )
        for row in found.rows
    ]
    rows.append(
        Row(
            "",
            _("Overall"),
            found.own,
            stored_standings(OVERALL, found.own.headline, found.overall),
            overall_before,
            scoring.change(overall_before, found.own.headline),
        )
    )
    return CharterResults(
        round=round_,
        assessment=latest,
        results=found,
        previous=previous.round if previous else None,
        rows=rows,
        groups=_views(found.groups, rows, network),
        illustrative=illustrative,
        unknown_groups=[g for g in found.groups if not g.is_known],
    )


# ---------------------------------------------------------------------------------------------
# Benchmark self-tests that the city shares


@dataclass(frozen=True)
class BenchmarkResults:
    assessment: Assessment
    results: Results
    rows: list[Row]  # the key factors, then the overall score
    groups: list[GroupView]
    illustrative: bool

    @property
    def framework(self) -> Any:
        return self.results.framework

    @property
    def network(self) -> GroupView | None:
        return next((g for g in self.groups if g.kind == NETWORK), None)

    @property
    def gap_groups(self) -> list[Any]:
        """The key factors the city does not meet yet (``scoring.meets``), with the guide
        questions below the top, the weakest first: what a council reads first."""
        return [g for g in self.results.gap_groups if g.gaps and g.is_weak]

    @property
    def met_with_gaps(self) -> int:
        """Key factors the city meets that still have a guide question below the top."""
        return sum(1 for g in self.results.gap_groups if g.gaps and not g.is_weak)

    @property
    def meets_threshold(self) -> int:
        return round(scoring.MEETS_THRESHOLD)


def shared_selftests(city: City) -> list[Assessment]:
    """The city's latest validated, shared self-test of each published benchmark."""
    found: dict[str, Assessment] = {}
    for assessment in (
        Assessment.objects.self_tests()
        .filter(
            city=city,
            state=AssessmentState.VALIDATED,
            share_evidence=True,
            framework__kind=FrameworkKind.BENCHMARK,
            framework__status=FrameworkStatus.PUBLISHED,
        )
        .select_related("framework", "city")
        .order_by("framework__lineage", "-validated_at", "-pk")
    ):
        found.setdefault(assessment.framework.lineage, assessment)
    return list(found.values())


def benchmark_results(assessment: Assessment) -> BenchmarkResults:
    framework = assessment.framework
    # The city's results as its own results page gives them (statistics of every peer); beside
    # them, each group's scores of the cities that share their self-test, from the statistics
    # stored for those (a histogram per group): the same few rows at 200 or 20,000 cities.
    found = selftest_results(assessment)
    shared = shared_standing(framework, assessment.city_id)
    ranked = not assessment.is_illustrative
    network = _("cities that share a validated self-test")

    def shared_standings(key: str, own: float | None) -> list[Standing]:
        return standings(
            shared.groups, shared.compare(key, own), shared.distributions, key, own, network, ranked
        )

    rows = [
        Row(
            row.section.key,
            row.section.title,
            row.result,
            shared_standings(row.section.key, row.result.headline),
        )
        for row in found.sections
    ]
    rows.append(
        Row("", _("Overall"), found.overall, shared_standings(OVERALL, found.overall.headline))
    )
    return BenchmarkResults(
        assessment, found, rows, _views(shared.groups, rows, network), assessment.is_illustrative
    )


# ---------------------------------------------------------------------------------------------
# Indicators


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator's latest value for the city, beside the medians of the same year."""

    item: CityIndicator
    latest: indicator_rules.YearRow

    @property
    def indicator(self) -> Any:
        return self.item.indicator

    @property
    def band(self) -> indicator_rules.Median:
        return self.latest.groups.get(SIZE_BAND, indicator_rules.NO_MEDIAN)

    @property
    def illustrative(self) -> bool:
        return (
            self.latest.value.illustrative
            or self.latest.network.illustrative
            or self.band.illustrative
        )


def indicator_rows(city: City) -> list[IndicatorRow]:
    found = city_indicators(city, SIZE_BAND)
    return [
        IndicatorRow(item, item.series.rows[-1]) for item in found.indicators if item.series.rows
    ]


# ---------------------------------------------------------------------------------------------
# The profile


@dataclass(frozen=True)
class Profile:
    city: City
    charter: CharterResults | None
    benchmarks: list[BenchmarkResults]
    practices: list[Practice]
    indicators: list[IndicatorRow]

    @property
    def illustrative(self) -> bool:
        """Whether anything shown is illustrative (each such figure is labelled too)."""
        return (
            self.city.is_illustrative
            or bool(self.charter and self.charter.illustrative)
            or any(b.illustrative for b in self.benchmarks)
            or any(row.illustrative for row in self.indicators)
        )

    @property
    def context(self) -> list[tuple[BenchmarkResults, list[Any]]]:
        """The context factors cited in the shared self-tests, per benchmark."""
        return [(b, b.results.context) for b in self.benchmarks if b.results.context]

    @property
    def missing(self) -> list[str]:
        """What the profile does not show yet, and why, in words."""
        found = []
        if self.charter is None:
            found.append(
                _("No Charter results: the city has no validated answers in a published round.")
            )
        if not self.benchmarks:
            found.append(
                _("No benchmark results: the city shares no validated self-test of a benchmark.")
            )
        if not self.practices:
            found.append(_("No published practice of the city in the library."))
        if not self.indicators:
            found.append(_("No indicator value for the city."))
        if self.city.population is None:
            found.append(_("Population not known: the city is in no size band."))
        if self.city.foreign_born_share is None:
            found.append(_("Foreign-born share not known: the city is in no such peer group."))
        return found


def city_profile(city: City) -> Profile:
    """The city's profile (a fixed number of queries, whatever the number of cities)."""
    return Profile(
        city=city,
        charter=charter_results(city),
        benchmarks=[benchmark_results(a) for a in shared_selftests(city)],
        practices=list(city_practices(city)),
        indicators=indicator_rows(city),
    )


# ---------------------------------------------------------------------------------------------
# What the profile is made from, in one query: a kept PDF is stale when this changes


def _scalar(rows: QuerySet[Any], aggregate: Any) -> Subquery:
    """One aggregate over ``rows``, as a scalar subquery (grouped by a constant: one row)."""
    return Subquery(
        rows.order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(found=aggregate)
        .values("found")[:1]
    )


def profile_stamp(slug: str) -> str | None:
    """A fingerprint of everything a city's profile shows (one query); None: no such city.

    The profile compares the city with every other, so the network's validated answers,
    published rounds, practices and indicator values count, beside the city's own figures and
    the self-tests it shares.
    """
    validated = Assessment.objects.filter(state=AssessmentState.VALIDATED)
    published = Round.objects.filter(status=RoundStatus.PUBLISHED)
    values = IndicatorValue.objects.all()
    row = (
        City.objects.filter(slug=slug)
        .annotate(
            validated_n=_scalar(validated, Count("pk")),
            validated_last=_scalar(validated, Max("validated_at")),
            validated_top=_scalar(validated, Max("pk")),
            # Sharing is what makes a self-test public: a change anywhere is a change here.
            shared_sum=_scalar(validated.filter(share_evidence=True), Sum("pk")),
            rounds_n=_scalar(published, Count("pk")),
            rounds_last=_scalar(published, Max(Coalesce("revised_at", "published_at"))),
            practices_n=_scalar(Practice.objects.published(), Count("pk")),
            practices_last=_scalar(Practice.objects.all(), Max("updated_at")),
            values_n=_scalar(values, Count("pk")),
            values_top=_scalar(values, Max("pk")),
            values_sum=_scalar(values, Sum("value")),
        )
        .values_list(
            "pk",
            "name",
            "country",
            "population",
            "foreign_born_share",
            "is_illustrative",
            "validated_n",
            "validated_last",
            "validated_top",
            "shared_sum",
            "rounds_n",
            "rounds_last",
            "practices_n",
            "practices_last",
            "values_n",
            "values_top",
            "values_sum",
        )
        .first()
    )
    return None if row is None else repr(row)
