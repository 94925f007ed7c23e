"""Reads for city indicators: the catalogue, an indicator across cities, a city's series.

Each read is a fixed number of queries whatever the number of cities; the figures they return
are computed by ``results.indicators`` (medians, ranks, gaps, breaks) and ``results.peers``
(peer groups).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Rank

from integratingcities.cities.models import City
from integratingcities.cities.selectors import CountryOption, countries_of
from integratingcities.lib import page_cache, scoring
from integratingcities.results import indicators as analysis
from integratingcities.results import peers
from integratingcities.results.peers import (
    COUNTRY,
    FOREIGN_BORN,
    SIZE_BAND,
    PeerGroup,
    in_peer_group,
)

from .models import Indicator, IndicatorValue

# The peer groups a city's indicators are shown against, beside the network.
GROUP_KINDS = (SIZE_BAND, FOREIGN_BORN, COUNTRY)
FOREIGN_BORN_BANDS = scoring.FOREIGN_BORN_BANDS
MEDIANS_SECONDS = 24 * 3600  # a day at most; any change of a value or a city ends it sooner


def catalogue() -> QuerySet[Indicator]:
    """Every indicator, with its reference and how many cities have a value of it.

    Counted per indicator in a subquery: joined and grouped, the database sorted every value
    with its indicator's long texts (0.5 s at 20,000 cities on SQLite)."""
    cities = (
        IndicatorValue.objects.filter(indicator=OuterRef("pk"))
        .order_by()
        .values("indicator")
        .annotate(n=Count("city", distinct=True))
        .values("n")
    )
    return Indicator.objects.select_related("reference").annotate(
        city_count=Coalesce(Subquery(cities, output_field=IntegerField()), 0)
    )


def indicator_for_page(key: str) -> Indicator | None:
    return Indicator.objects.select_related("reference").filter(key=key).first()


def _latest(values: QuerySet[IndicatorValue]) -> QuerySet[IndicatorValue]:
    """Of ``values``, each city's latest per indicator."""
    later = IndicatorValue.objects.filter(
        indicator_id=OuterRef("indicator_id"),
        city_id=OuterRef("city_id"),
        year__gt=OuterRef("year"),
    )
    return values.filter(~Exists(later))


def _value(
    city_id: int,
    year: int,
    value: Decimal,
    basis: str,
    source: str = "",
    note: str = "",
    illustrative: bool = False,
) -> analysis.Value:
    return analysis.Value(city_id, year, float(value), basis, source, note, illustrative)


# ---------------------------------------------------------------------------------------------
# An indicator across cities


@dataclass(frozen=True)
class CityFilters:
    """Which cities an indicator's distribution shows: a peer group's size band, foreign-born
    band or country, read from each city's latest figures."""

    country: str = ""
    band: scoring.Band | None = None
    foreign_born: str = ""  # one of FOREIGN_BORN_BANDS

    @property
    def is_filtered(self) -> bool:
        return bool(self.country or self.band or self.foreign_born)

    def apply(self, values: QuerySet[IndicatorValue]) -> QuerySet[IndicatorValue]:
        return in_peer_group(
            values, country=self.country, band=self.band, foreign_born=self.foreign_born
        )


@dataclass(frozen=True)
class CityRef:
    slug: str
    name: str
    country: str
    population_year: int | None
    foreign_born_year: int | None


@dataclass(frozen=True)
class DistributionRow:
    city: CityRef
    ranked: analysis.Ranked

    @property
    def value(self) -> analysis.Value:
        return self.ranked.value


class RankedRows(Sequence[DistributionRow]):
    """The distribution's rows, best first, read a slice at a time: a page of the table costs
    the same at 20 or 20,000 cities. Its length is known from the summary, so a paginator
    asks no count of its own."""

    def __init__(self, rows: QuerySet[Any], indicator: Indicator, count: int) -> None:
        self._rows, self._indicator, self._count = rows, indicator, count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> DistributionRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[DistributionRow]: ...
    def __getitem__(self, index: int | slice) -> DistributionRow | list[DistributionRow]:
        if isinstance(index, slice):
            return _ranked_rows(self._rows[index], self._indicator)
        if not 0 <= index < self._count:
            raise IndexError(index)
        return _ranked_rows(self._rows[index : index + 1], self._indicator)[0]


def _ranked(rows: QuerySet[IndicatorValue], indicator: Indicator) -> QuerySet[Any]:
    """``rows`` best first (largest first where neither direction is better), each ranked
    among those of its own definition: ``analysis.ranked``'s rule (1 is the best, ties share
    the best rank) as SQL's RANK(), so that a page of 100 is read without the other rows."""
    value = F("value").asc() if indicator.better == analysis.LOWER else F("value").desc()
    return rows.annotate(rank=Window(Rank(), partition_by=[F("basis")], order_by=value)).order_by(
        value, "city_id"
    )


def _ranked_rows(rows: QuerySet[Any], indicator: Indicator) -> list[DistributionRow]:
    is_ranked = indicator.better in (analysis.HIGHER, analysis.LOWER)
    found = []
    for (
        city_id,
        year,
        value,
        basis,
        source,
        note,
        illustrative,
        rank,
        slug,
        name,
        country,
        population_year,
        foreign_born_year,
    ) in rows.values_list(
        "city_id",
        "year",
        "value",
        "basis",
        "source",
        "note",
        "is_illustrative",
        "rank",
        "city__slug",
        "city__name",
        "city__country",
        "city__population_year",
        "city__foreign_born_year",
    ):
        comparable = basis == indicator.basis
        found.append(
            DistributionRow(
                CityRef(slug, name, str(country), population_year, foreign_born_year),
                analysis.Ranked(
                    _value(city_id, year, value, basis, source, note, illustrative),
                    rank if is_ranked and comparable else None,
                    comparable,
                ),
            )
        )
    return found


@dataclass(frozen=True)
class Distribution:
    indicator: Indicator
    rows: Sequence[DistributionRow]
    median: analysis.Median
    filters: CityFilters
    is_ranked: bool  # the indicator has a better direction
    years: tuple[int, int] | None
    population_years: tuple[int, int] | None
    foreign_born_years: tuple[int, int] | None
    illustrative: bool
    other_definitions: int

    @property
    def count(self) -> int:
        return len(self.rows)


def _span(first: int | None, last: int | None) -> tuple[int, int] | None:
    return (first, last) if first is not None and last is not None else None


def _latest_of(indicator: Indicator, filters: CityFilters) -> QuerySet[IndicatorValue]:
    """Each city's latest value of ``indicator``, of the cities of ``filters``."""
    return filters.apply(_latest(IndicatorValue.objects.filter(indicator=indicator))).order_by()


def distribution(indicator: Indicator, filters: CityFilters) -> Distribution:
    """Each city's latest value of ``indicator`` (the cities of ``filters``), best first, with
    its rank where a direction is better, and their median.

    Summed up, and the median read, in the database; the rows are read a page at a time
    (``RankedRows``): two queries, and one a page, whatever the number of cities."""
    rows = _latest_of(indicator, filters)
    comparable = Q(basis=indicator.basis)
    summary = rows.aggregate(
        count=Count("pk"),
        counted=Count("pk", filter=comparable),
        illustrative=Count("pk", filter=Q(is_illustrative=True)),
        counted_illustrative=Count("pk", filter=comparable & Q(is_illustrative=True)),
        first_year=Min("year"),
        last_year=Max("year"),
        first_population=Min("city__population_year"),
        last_population=Max("city__population_year"),
        first_foreign_born=Min("city__foreign_born_year"),
        last_foreign_born=Max("city__foreign_born_year"),
    )
    counted = summary["counted"]
    # The one or two values in the middle, as ``analysis.median_of`` takes them.
    middle = list(
        rows.filter(comparable)
        .order_by("value")
        .values_list("value", flat=True)[(counted - 1) // 2 : counted // 2 + 1]
    )
    median = (
        analysis.Median(
            sum(float(v) for v in middle) / len(middle),
            counted,
            summary["counted_illustrative"] > 0,
        )
        if middle
        else analysis.NO_MEDIAN
    )
    return Distribution(
        indicator,
        RankedRows(_ranked(rows, indicator), indicator, summary["count"]),
        median,
        filters,
        indicator.better in (analysis.HIGHER, analysis.LOWER),
        _span(summary["first_year"], summary["last_year"]),
        _span(summary["first_population"], summary["last_population"]),
        _span(summary["first_foreign_born"], summary["last_foreign_born"]),
        summary["illustrative"] > 0,
        summary["count"] - counted,
    )


def distribution_values(
    indicator: Indicator, filters: CityFilters
) -> tuple[list[float], list[float]]:
    """For the chart: the latest values of the cities of ``filters``, those on the indicator's
    own definition and those on another."""
    shown: list[float] = []
    other: list[float] = []
    for value, basis in _latest_of(indicator, filters).values_list("value", "basis"):
        (shown if basis == indicator.basis else other).append(float(value))
    return shown, other


def countries_with_values(indicator: Indicator) -> list[CountryOption]:
    return countries_of(City.objects.filter(indicator_values__indicator=indicator))


# ---------------------------------------------------------------------------------------------
# A city's indicators over time


@dataclass(frozen=True)
class CityIndicator:
    indicator: Indicator
    series: analysis.CitySeries
    group: PeerGroup  # the peer group shown beside the network

    @property
    def reference(self) -> Indicator | None:
        return self.indicator.reference


@dataclass(frozen=True)
class CityIndicators:
    city: City
    indicators: list[CityIndicator]
    groups: list[PeerGroup]  # every peer group of the city, the network first
    group: PeerGroup  # the one shown

    @property
    def illustrative(self) -> bool:
        return any(item.series.illustrative for item in self.indicators)


def city_indicators(
    city: City, group_kind: str = SIZE_BAND, only: Indicator | None = None
) -> CityIndicators:
    """The city's indicators (or ``only`` that one) over time, each year beside the median
    of the network and of one of its peer groups (``group_kind``), and beside its reference.
    Three queries and a cache read, whatever the number of cities (``median_windows``)."""
    own = IndicatorValue.objects.filter(city=city).select_related("indicator__reference")
    if only is not None:
        own = own.filter(indicator_id__in=[only.pk, only.reference_id or 0])
    by_indicator: dict[int, list[analysis.Value]] = {}
    indicators: dict[int, Indicator] = {}
    for row in own.order_by("indicator__position", "indicator__name", "year"):
        indicators[row.indicator_id] = row.indicator
        by_indicator.setdefault(row.indicator_id, []).append(
            _value(
                city.pk,
                row.year,
                row.value,
                row.basis,
                row.source,
                row.note,
                row.is_illustrative,
            )
        )
    shown = [pk for pk in indicators if only is None or pk == only.pk]
    # The groups are named by the city's figures as stored (the windows read them so too);
    # their members are not read.
    figures = peers.city_figures(City.objects.filter(pk=city.pk)).get(city.pk, peers.UNKNOWN)
    groups = [
        PeerGroup(kind, value, frozenset())
        for kind, value in zip(peers.GROUP_KINDS, figures.group_values(), strict=True)
    ]
    group = next((g for g in groups if g.kind == group_kind), groups[1])
    found = []
    for pk in shown:
        indicator = indicators[pk]
        series = analysis.city_series_from_windows(
            by_indicator[pk],
            median_windows(indicator),
            basis=indicator.basis,
            groups=[groups[0], group],
            reference=by_indicator.get(indicator.reference_id or 0, []),
        )
        found.append(CityIndicator(indicator, series, group))
    return CityIndicators(city, found, groups, group)


def median_windows(indicator: Indicator) -> dict[tuple[int, str, str], analysis.MedianWindow]:
    """Per year and peer group (kind, value), the indicator's comparable values of every city
    in the group, as far as a median needs them (``analysis.MedianWindow``). Made from every
    value of the indicator (one query) and kept under the page cache's data generation, which
    any change of a value or of a city's figures replaces: a city's page then reads a few
    numbers instead of every city's values."""

    def make() -> dict[tuple[int, str, str], analysis.MedianWindow]:
        in_group: dict[tuple[int, str, str], list[analysis.Value]] = {}
        for city_id, year, value, illustrative, country, population, share in (
            IndicatorValue.objects.filter(indicator=indicator, basis=indicator.basis)
            .order_by()
            .values_list(
                "city_id",
                "year",
                "value",
                "is_illustrative",
                "city__country",
                "city__population",
                "city__foreign_born_share",
            )
        ):
            row = _value(city_id, year, value, indicator.basis, illustrative=illustrative)
            figures = peers.figures_from(country, population, share)
            for kind, group in zip(peers.GROUP_KINDS, figures.group_values(), strict=True):
                if group is not None:
                    in_group.setdefault((year, kind, group), []).append(row)
        return {key: analysis.MedianWindow.of(rows) for key, rows in in_group.items()}

    return page_cache.kept(
        f"indicators:medians:{indicator.pk}:{indicator.basis}", make, MEDIANS_SECONDS
    )


def city_latest(city: City) -> list[dict[str, Any]]:
    """The city's latest value of each indicator, for its page, in the indicators' order: per
    indicator ``name``, ``unit``, ``value``, ``year`` and ``is_illustrative``.

    One query of the city's values, newest first, the first of each indicator kept: a city
    has a few values per indicator, and this costs less to compile than ``_latest``'s
    anti-join (the page is every city's)."""
    latest: dict[int, dict[str, Any]] = {}
    for row in (
        IndicatorValue.objects.filter(city_id=city.pk)
        .order_by("indicator__position", "indicator__name", "indicator_id", "-year")
        .values(
            "indicator_id", "value", "year", "is_illustrative", "indicator__name", "indicator__unit"
        )
    ):
        if row["indicator_id"] not in latest:
            latest[row["indicator_id"]] = {
                "name": row["indicator__name"],
                "unit": row["indicator__unit"],
                "value": row["value"],
                "year": row["year"],
                "is_illustrative": row["is_illustrative"],
            }
    return list(latest.values())


# ---------------------------------------------------------------------------------------------
# The API


def values_of(
    indicator: Indicator, *, year: int | None = None, everything: bool = False
) -> QuerySet[IndicatorValue]:
    """An indicator's values with their cities: each city's latest, every year's
    (``everything``), or those of ``year``."""
    values = IndicatorValue.objects.filter(indicator=indicator)
    if year is not None:
        values = values.filter(year=year)
    elif not everything:
        values = _latest(values)
    return values.select_related("city", "indicator").order_by("city__name", "city_id", "year")


def values_of_city(city: City) -> QuerySet[IndicatorValue]:
    return (
        IndicatorValue.objects.filter(city=city)
        .select_related("indicator", "city")
        .order_by("indicator__position", "indicator__key", "year")
    )
