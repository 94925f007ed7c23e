"""Reads for city indicators: the catalogue, an indicator across cities, a city's series.

Each read is a fixed number of queries whatever the number of cities; the figures they return
are computed by ``results.indicators`` (medians, ranks, gaps, breaks) and ``results.peers``
(peer groups).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from integratingcities.cities.models import City
from integratingcities.cities.selectors import CountryOption, country_options
from integratingcities.lib import page_cache, scoring
from integratingcities.lib.prepared import prepared
from integratingcities.results import indicators as analysis
from integratingcities.results import peers
from integratingcities.results.peers import (
    COUNTRY,
    FOREIGN_BORN,
    SIZE_BAND,
    PeerGroup,
    in_peer_group,
)

from .models import Basis, Indicator, IndicatorValue
from .templatetags.indicator_values import indicator_value

# The peer groups a city's indicators are shown against, beside the network.
GROUP_KINDS = (SIZE_BAND, FOREIGN_BORN, COUNTRY)
FOREIGN_BORN_BANDS = scoring.FOREIGN_BORN_BANDS
MEDIANS_SECONDS = 24 * 3600  # a day at most; any change of a value or a city ends it sooner
# What the kept figures are drawn from: they are made again after a write to these apps only
# (a city's figures and peer groups are the cities'), not after every public write.
DRAWN_FROM = ("indicators", "cities")


CATALOGUE_SECONDS = 3600


def catalogue_rows(counted: Sequence[Indicator] | None = None) -> SafeString:
    """The catalogue's table rows, rendered once per language and kept until an indicator, a
    value or a city changes: counting each indicator's cities reads every value (12 ms at
    2,000 cities, ten times that at 20,000), and the answer is the same for everyone. The
    worker gives the indicators it counted once (``counted``) for every language."""
    return mark_safe(  # HTML our own template escaped, kept as text
        page_cache.kept(
            f"indicators:catalogue-rows:{get_language()}",
            lambda: render_to_string(
                "indicators/catalogue_rows.html",
                {"indicators": catalogue() if counted is None else counted},
            ),
            CATALOGUE_SECONDS,
            apps=DRAWN_FROM,
        )
    )


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
    found = _indicator_by_key(key)
    return found[0] if found else None


@prepared
def _indicator_by_key(key: str) -> QuerySet[Indicator]:
    """An indicator with its reference, by its key (unique): compiled once, as every indicator
    page and chart reads one."""
    return Indicator.objects.select_related("reference").filter(key=key)


def _latest(indicator: Indicator, cities: QuerySet[City] | None = None) -> QuerySet[IndicatorValue]:
    """Each city's latest value of ``indicator``, of ``cities`` (None: every city).

    Written for each database's planner (20,000 cities with ten years each): PostgreSQL
    answers "no later value exists" with one hashed anti-join (259 ms; asked city by city, it
    hashed the whole table: 836 ms); SQLite has no such join and asks it of every value (187
    ms), so there each city's latest is found by one search of the index (city, indicator,
    -year) per city (109 ms)."""
    if connection.vendor != "sqlite":
        later = IndicatorValue.objects.filter(
            indicator_id=OuterRef("indicator_id"),
            city_id=OuterRef("city_id"),
            year__gt=OuterRef("year"),
        )
        values = IndicatorValue.objects.filter(indicator=indicator).filter(~Exists(later))
        return values if cities is None else values.filter(city__in=cities)
    latest = (
        IndicatorValue.objects.filter(indicator=indicator, city=OuterRef("pk"))
        .order_by("-year")
        .values("pk")[:1]
    )
    cities = City.objects.all() if cities is None else cities
    return IndicatorValue.objects.filter(
        pk__in=cities.annotate(latest=Subquery(latest)).values("latest")
    )


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

    @property
    def query(self) -> str:
        """The filters as an address's query, in the form's order, empty ones left out: the
        same for every address that asks for the same cities."""
        band = self.band.name if self.band else ""
        fields = (("country", self.country), ("band", band), ("foreign_born", self.foreign_born))
        return urlencode([(name, value) for name, value in fields if value])

    def cities(self) -> QuerySet[City]:
        return in_peer_group(
            City.objects.all(),
            city="",
            country=self.country,
            band=self.band,
            foreign_born=self.foreign_born,
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


@dataclass(frozen=True)
class _Order:
    """An indicator's distribution as kept in the shared cache: its rows' ids best first with
    their ranks (0: none), the values the chart draws, and what the page says of them all.
    Arrays of numbers, not rows: 20,000 of them are read back in a few microseconds."""

    ids: array[int]
    ranks: array[int]
    shown: array[float]  # the values on the indicator's own definition
    other: array[float]  # those on another
    median: analysis.Median
    years: tuple[int, int] | None
    population_years: tuple[int, int] | None
    foreign_born_years: tuple[int, int] | None
    illustrative: bool


class RankedRows(Sequence[DistributionRow]):
    """The distribution's rows, best first, read a slice at a time by their ids: a page of the
    table costs one query of its own rows at 20 or 20,000 cities."""

    def __init__(self, order: _Order, indicator: Indicator) -> None:
        self._order, self._indicator = order, indicator

    def __len__(self) -> int:
        return len(self._order.ids)

    @overload
    def __getitem__(self, index: int) -> DistributionRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[DistributionRow]: ...
    def __getitem__(self, index: int | slice) -> DistributionRow | list[DistributionRow]:
        if isinstance(index, slice):
            return self._rows(range(len(self))[index])
        return self._rows(range(len(self))[index : index + 1 or None])[0]

    def _rows(self, positions: range) -> list[DistributionRow]:
        order = self._order
        rank_of = {order.ids[n]: order.ranks[n] or None for n in positions}
        found: dict[int, DistributionRow] = {}
        for (
            pk,
            city_id,
            year,
            value,
            basis,
            source,
            note,
            illustrative,
            slug,
            name,
            country,
            population_year,
            foreign_born_year,
        ) in IndicatorValue.objects.filter(pk__in=list(rank_of)).values_list(
            "pk",
            "city_id",
            "year",
            "value",
            "basis",
            "source",
            "note",
            "is_illustrative",
            "city__slug",
            "city__name",
            "city__country",
            "city__population_year",
            "city__foreign_born_year",
        ):
            found[pk] = DistributionRow(
                CityRef(slug, name, str(country), population_year, foreign_born_year),
                analysis.Ranked(
                    _value(city_id, year, value, basis, source, note, illustrative),
                    rank_of[pk],
                    basis == self._indicator.basis,
                ),
            )
        return [found[pk] for pk in rank_of]  # in the order kept: dicts keep insertion order


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
    shown: Sequence[float]  # the chart's values on the indicator's own definition
    other: Sequence[float]  # on another

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def other_definitions(self) -> int:
        return len(self.other)


def _span(years: Iterable[int | None]) -> tuple[int, int] | None:
    known = [y for y in years if y is not None]
    return (min(known), max(known)) if known else None


@dataclass(frozen=True)
class _LatestValues:
    """Each city's latest value of an indicator as numbers, a row per city: what the order of
    any of its filtered views (a country, a band) is drawn from. Kept, so that a filtered view
    seen for the first time picks its cities' rows from it rather than asking the database for
    their latest values again: at 20,000 cities, a country's first view in 58-61 ms instead of
    98-100, a size band's in 104-128 instead of 202-235."""

    value_ids: array[int]
    city_ids: array[int]
    years: array[int]
    numbers: array[float]
    bases: tuple[str, ...]  # each definition once
    basis_of: bytes  # each row's, as its index in ``bases``
    illustrative: bytes  # each row's, 0 or 1
    population_years: array[int]  # 0: not known
    foreign_born_years: array[int]


def _latest_key(indicator: Indicator) -> str:
    return f"indicators:latest:{indicator.pk}"


def _read_latest_values(
    indicator: Indicator, cities: QuerySet[City] | None = None
) -> _LatestValues:
    rows = list(
        _latest(indicator, cities)
        .order_by()
        # As a float in SQL: converting 20,000 decimals in Python took a fifth of the time.
        .annotate(number=Cast("value", FloatField()))
        .values_list(
            "pk",
            "city_id",
            "year",
            "number",
            "basis",
            "is_illustrative",
            "city__population_year",
            "city__foreign_born_year",
        )
    )
    bases = tuple(sorted({row[4] for row in rows}))
    code = {basis: n for n, basis in enumerate(bases)}
    columns = list(zip(*rows, strict=True)) or [()] * 8
    return _LatestValues(
        array("q", columns[0]),
        array("q", columns[1]),
        array("H", columns[2]),
        array("d", columns[3]),
        bases,
        bytes(code[basis] for basis in columns[4]),
        bytes(map(bool, columns[5])),
        array("H", (year or 0 for year in columns[6])),
        array("H", (year or 0 for year in columns[7])),
    )


def _order(indicator: Indicator, filters: CityFilters) -> _Order:
    """The latest values of the cities of ``filters``, ranked and kept as numbers: every
    city's, kept (``_LatestValues``); a filtered view's, the rows of its cities among them,
    found by one query of the cities."""
    if not filters.is_filtered:
        every = page_cache.kept(
            _latest_key(indicator),
            lambda: _read_latest_values(indicator),
            MEDIANS_SECONDS,
            apps=DRAWN_FROM,
        )
        return _ranked(indicator, every, range(len(every.city_ids)))
    drawn_from: _LatestValues | None = page_cache.held(_latest_key(indicator), apps=DRAWN_FROM)
    if drawn_from is None:
        # Nothing to draw from yet (a cleared cache, before the worker has run): the filter's
        # cities' values alone cost less than everyone's (136 ms against 305 at 20,000 cities).
        chosen = _read_latest_values(indicator, filters.cities())
        return _ranked(indicator, chosen, range(len(chosen.city_ids)))
    members = set(filters.cities().values_list("pk", flat=True))
    rows = [n for n, city in enumerate(drawn_from.city_ids) if city in members]
    return _ranked(indicator, drawn_from, rows)


def _ranked(indicator: Indicator, latest: _LatestValues, rows: Iterable[int]) -> _Order:
    """The ``rows`` of ``latest`` ranked (``analysis.ranked``), as an ``_Order``."""
    values: dict[int, analysis.Value] = {}
    ids: dict[int, int] = {}  # city id: value id
    population_years: list[int | None] = []
    foreign_born_years: list[int | None] = []
    for n in rows:
        city_id = latest.city_ids[n]
        values[city_id] = analysis.Value(
            city_id,
            latest.years[n],
            latest.numbers[n],
            latest.bases[latest.basis_of[n]],
            illustrative=bool(latest.illustrative[n]),
        )
        ids[city_id] = latest.value_ids[n]
        population_years.append(latest.population_years[n] or None)
        foreign_born_years.append(latest.foreign_born_years[n] or None)
    ranked = analysis.ranked(values.values(), better=indicator.better, basis=indicator.basis)
    counted = analysis.comparable(values.values(), indicator.basis)
    return _Order(
        array("q", (ids[r.value.city_id] for r in ranked)),
        array("q", (r.rank or 0 for r in ranked)),
        array("d", (v.value for v in counted)),
        array("d", (v.value for v in values.values() if v.basis != indicator.basis)),
        analysis.median_of(counted),
        _span(v.year for v in values.values()),
        _span(population_years),
        _span(foreign_born_years),
        any(v.illustrative for v in values.values()),
    )


def distribution(indicator: Indicator, filters: CityFilters) -> Distribution:
    """Each city's latest value of ``indicator`` (the cities of ``filters``), best first, with
    its rank where a direction is better, and their median.

    Ranked once per data generation and kept as numbers (``_Order``); a page of the table then
    reads its own rows by id: one query a page, whatever the number of cities."""
    order = page_cache.kept(
        f"indicators:order:{indicator.pk}:{indicator.better}:{indicator.basis}:"
        f"{filters.country}:{filters.band and filters.band.name}:{filters.foreign_born}",
        lambda: _order(indicator, filters),
        MEDIANS_SECONDS,
        apps=DRAWN_FROM,
    )
    return Distribution(
        indicator,
        RankedRows(order, indicator),
        order.median,
        filters,
        indicator.better in (analysis.HIGHER, analysis.LOWER),
        order.years,
        order.population_years,
        order.foreign_born_years,
        order.illustrative,
        order.shown,
        order.other,
    )


ROWS_PER_PAGE = 100
INDICATOR_PAGE_SECONDS = 3600


@dataclass(frozen=True)
class IndicatorPage:
    number: int  # the page of the table it shows
    body: str  # HTML: the filters, the summary, the chart and the page of the table


def indicator_page(
    indicator: Indicator, filters: CityFilters, requested_page: str | None
) -> IndicatorPage:
    """What an indicator's page shows across cities (``distribution``) for ``filters``: one
    page of the table, rendered once per indicator, filters, page and language and kept until
    an indicator's value or a city changes. It is the same for everyone, and making it (a
    query of the page's rows, a hundred rows written, the filters' menus) was three quarters of
    the page's time."""
    asked = (requested_page or "1").strip()
    digest = hashlib.sha256(repr((filters, asked)).encode()).hexdigest()
    return page_cache.kept(
        f"indicators:page:{indicator.pk}:{get_language()}:{digest}",
        lambda: _indicator_page(indicator, filters, asked),
        INDICATOR_PAGE_SECONDS,
        apps=DRAWN_FROM,
        # Only a page asked for by its own number: "?page=x" or "?page=99999" are anyone's.
        keep=lambda made: asked == str(made.number),
    )


def _indicator_page(indicator: Indicator, filters: CityFilters, asked: str) -> IndicatorPage:
    found = distribution(indicator, filters)
    # The chart shows every city; the table a page at a time, ranks and median over all.
    page = Paginator(found.rows, ROWS_PER_PAGE).get_page(asked)
    body = render_to_string(
        "indicators/detail_body.html",
        {
            "indicator": indicator,
            "d": found,
            "page": page,
            "rows": _table_rows(list(page.object_list), indicator),
            "filter_query": filters.query,
            "filters": filters,
            "countries": countries_with_values(indicator),
            "bands": list(scoring.Band),
            "foreign_born_bands": FOREIGN_BORN_BANDS,
        },
    )
    return IndicatorPage(page.number, body)


def _table_rows(rows: Sequence[DistributionRow], indicator: Indicator) -> list[dict[str, Any]]:
    """A page of the table from plain values: no ``reverse()``, include or translation per
    row (a quarter of the page's time for 100 rows)."""
    prefix, suffix = reverse("indicators:city", kwargs={"slug": "slug"}).rsplit("slug", 1)
    bases = {key: str(label) for key, label in Basis.choices}
    return [
        {
            "url": f"{prefix}{row.city.slug}{suffix}",
            "name": row.city.name,
            "rank": row.ranked.rank,
            "value": indicator_value(row.value.value, indicator.unit),
            "illustrative": row.value.illustrative,
            "year": row.value.year,
            "basis": bases.get(row.value.basis, row.value.basis),
            "comparable": row.ranked.comparable,
            "source": row.value.source,
            "note": row.value.note,
        }
        for row in rows
    ]


def warm() -> None:
    """Make what the indicator pages keep, so that the next visitor reads it from the cache:
    the catalogue, and for every indicator with values its median windows, its order across
    all cities, its countries and its page as first seen, in each language."""
    with_values = IndicatorValue.objects.filter(indicator=OuterRef("pk"))
    indicators = list(Indicator.objects.filter(Exists(with_values)).order_by("position", "pk"))
    for indicator in indicators:
        median_windows(indicator)
        distribution(indicator, CityFilters())
        countries_with_values(indicator)
    counted = list(catalogue())
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            catalogue_rows(counted)
            for indicator in indicators:
                indicator_page(indicator, CityFilters(), None)


def countries_with_values(indicator: Indicator) -> list[CountryOption]:
    """The countries of the cities with a value of ``indicator``, for the page's filter; kept
    with the distribution's order (a search of the index per city, 25 ms at 20,000)."""
    with_values = IndicatorValue.objects.filter(indicator=indicator, city=OuterRef("pk"))
    codes = page_cache.kept(
        f"indicators:countries:{indicator.pk}",
        lambda: list(
            City.objects.filter(Exists(with_values))
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        ),
        MEDIANS_SECONDS,
        apps=DRAWN_FROM,
    )
    return country_options(codes)


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
    groups, group = city_groups(city, group_kind)
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


def city_groups(city: City, group_kind: str) -> tuple[list[PeerGroup], PeerGroup]:
    """The city's peer groups (the network first) and the one of ``group_kind``: named by the
    city's figures as stored (the windows read them so too); their members are not read."""
    figures = peers.stored_figures(city.pk)
    groups = [
        PeerGroup(kind, value, frozenset())
        for kind, value in zip(peers.GROUP_KINDS, figures.group_values(), strict=True)
    ]
    return groups, next((g for g in groups if g.kind == group_kind), groups[1])


@dataclass(frozen=True)
class CityPage:
    """A city's indicator page below its peer-group form, rendered (``city_page``)."""

    illustrative: bool  # some figure on it is
    body: str  # HTML our own template escaped


CITY_PAGE_SECONDS = 3600


def city_page(city: City, group_kind: str) -> CityPage:
    """Each of the city's indicators over time beside the medians of the group of
    ``group_kind`` (``city_indicators``), rendered once per city, group and language, and kept
    until an indicator's value or a city changes: it is the same for everyone, and making it
    was most of the page's time (its three queries, six tables of ten years, a chart's caption
    each)."""
    return page_cache.kept(
        f"indicators:city-page:{city.pk}:{group_kind}:{get_language()}",
        lambda: _city_page(city, group_kind),
        CITY_PAGE_SECONDS,
        apps=("indicators", "cities"),
    )


def _city_page(city: City, group_kind: str) -> CityPage:
    found = city_indicators(city, group_kind)
    body = render_to_string(
        "indicators/city_body.html",
        {
            "city": city,
            "r": found,
            "bases": dict(Basis.choices),
            # Each chart beside the medians of the group the tables show.
            "query": "" if group_kind == SIZE_BAND else urlencode({"group": group_kind}),
        },
    )
    return CityPage(found.illustrative, body)


WindowKey = tuple[int, str, str]  # year, peer group kind, group value
KeptWindow = tuple[int, int, int, tuple[float, ...]]  # a MedianWindow's fields


class MedianWindows(Mapping[WindowKey, analysis.MedianWindow]):
    """An indicator's median windows as kept: plain tuples, which the cache decodes in a third
    of the time dataclasses take (a city's page reads six indicators' four hundred windows),
    each made a ``MedianWindow`` when read (the page reads twenty of them)."""

    def __init__(self, kept: dict[WindowKey, KeptWindow]) -> None:
        self._kept = kept

    def __getitem__(self, key: WindowKey) -> analysis.MedianWindow:
        return analysis.MedianWindow(*self._kept[key])

    def __iter__(self) -> Iterator[WindowKey]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)


def median_windows(indicator: Indicator) -> MedianWindows:
    """Per year and peer group (kind, value), the indicator's comparable values of every city
    in the group, as far as a median needs them (``analysis.MedianWindow``). Made from every
    value of the indicator (one query) and kept under the page cache's data generation, which
    any change of a value or of a city's figures replaces: a city's page then reads a few
    numbers instead of every city's values."""

    def make() -> dict[WindowKey, KeptWindow]:
        # Read as floats, each city's groups found once: a Decimal, a Value and the groups per
        # value took 2.7 s at 20,000 cities with ten years each.
        groups_of: dict[int, list[tuple[str, str]]] = {}
        numbers: dict[tuple[int, str, str], list[float]] = {}
        illustrative: dict[tuple[int, str, str], int] = {}
        for city_id, year, value, is_illustrative, country, population, share in (
            IndicatorValue.objects.filter(indicator=indicator, basis=indicator.basis)
            .order_by()
            .annotate(
                number=Cast("value", FloatField()),
                share=Cast("city__foreign_born_share", FloatField()),
            )
            .values_list(
                "city_id",
                "year",
                "number",
                "is_illustrative",
                "city__country",
                "city__population",
                "share",
            )
        ):
            groups = groups_of.get(city_id)
            if groups is None:
                figures = peers.figures_from(country, population, share)
                groups = groups_of[city_id] = [
                    (kind, group)
                    for kind, group in zip(peers.GROUP_KINDS, figures.group_values(), strict=True)
                    if group is not None
                ]
            for kind, group in groups:
                key = (year, kind, group)
                numbers.setdefault(key, []).append(value)
                if is_illustrative:
                    illustrative[key] = illustrative.get(key, 0) + 1
        windows = (
            (key, analysis.MedianWindow.of_numbers(found, illustrative.get(key, 0)))
            for key, found in numbers.items()
        )
        return {key: (w.count, w.illustrative, w.start, w.window) for key, w in windows}

    return MedianWindows(
        page_cache.kept(
            f"indicators:medians:v2:{indicator.pk}:{indicator.basis}",
            make,
            MEDIANS_SECONDS,
            apps=DRAWN_FROM,
        )
    )


@prepared
def _city_values(city_id: int) -> QuerySet[Any]:
    return (
        IndicatorValue.objects.filter(city_id=city_id)
        .order_by("indicator__position", "indicator__name", "indicator_id", "-year")
        .values(
            "indicator_id", "value", "year", "is_illustrative", "indicator__name", "indicator__unit"
        )
    )


def city_latest(city: City) -> list[dict[str, Any]]:
    """The city's latest value of each indicator, for its page, in the indicators' order: per
    indicator ``name``, ``unit``, ``value``, ``year`` and ``is_illustrative``.

    One query of the city's values, newest first, the first of each indicator kept: a city
    has a few values per indicator, and this is simpler to prepare than ``_latest``'s
    anti-join (the page is every city's)."""
    latest: dict[int, dict[str, Any]] = {}
    for row in _city_values(city.pk):
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
    if year is not None:
        values = IndicatorValue.objects.filter(indicator=indicator, year=year)
    elif everything:
        values = IndicatorValue.objects.filter(indicator=indicator)
    else:
        values = _latest(indicator)
    return values.select_related("city", "indicator").order_by("city__name", "city_id", "year")


def values_of_city(city: City) -> QuerySet[IndicatorValue]:
    return (
        IndicatorValue.objects.filter(city=city)
        .select_related("indicator", "city")
        .order_by("indicator__position", "indicator__key", "year")
    )
