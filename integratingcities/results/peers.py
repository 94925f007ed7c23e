"""Peers: the groups a city is compared in, and its place in each.

A city is compared with the *other* cities of four groups: the whole network, the same population
band, a similar foreign-born share (the same ten-point band) and the same country. In each, the
page shows the median of the others' headline scores and the city's rank among them (1 is the
highest; "rank 2 of 5" counts the city). Only headline scores count (``lib.scoring``'s
``MIN_ANSWERED_SHARE``): a city with too few answers is neither ranked nor counted.

The figures the groups are drawn from come from ``city_figures`` alone: the city's latest
population and foreign-born share from the city indicators (copied onto City), and its country.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Ord, Substr
from django.utils.translation import gettext as _

from integratingcities.cities.models import City
from integratingcities.lib import scoring
from integratingcities.lib.prepared import prepared

from .scores import RECORD_VERSION, Scheme, Scored, tally

NETWORK, SIZE_BAND, FOREIGN_BORN, COUNTRY = "network", "band", "foreign_born", "country"
GROUP_KINDS = (NETWORK, SIZE_BAND, FOREIGN_BORN, COUNTRY)


@dataclass(frozen=True)
class CityFigures:
    """What peer groups are drawn from, for one city."""

    country: str
    population: int | None
    foreign_born_share: float | None

    @property
    def band(self) -> scoring.Band | None:
        return scoring.population_band(self.population)

    def group_values(self) -> tuple[str | None, ...]:
        """The city's value for each of ``GROUP_KINDS`` (None: not known)."""
        band = self.band
        return (
            "",
            band.name if band else None,
            scoring.foreign_born_band(self.foreign_born_share),
            self.country or None,
        )


UNKNOWN = CityFigures("", None, None)


def city_figures(cities: QuerySet[City]) -> dict[int, CityFigures]:
    """The figures of these cities, per city id (one query)."""
    return {
        pk: figures_from(country, population, share)
        for pk, country, population, share in cities.order_by().values_list(
            "pk", "country", "population", "foreign_born_share"
        )
    }


def stored_figures(city_id: int) -> CityFigures:
    """``city_figures`` of one city as stored (a query compiled once)."""
    found = _figures_row(city_id)
    return figures_from(*found[0]) if found else UNKNOWN


@prepared
def _figures_row(city_id: int) -> QuerySet[Any]:
    return City.objects.filter(pk=city_id).values_list(
        "country", "population", "foreign_born_share"
    )


def figures_from(country: str | None, population: int | None, share: Any) -> CityFigures:
    """A city's figures from its columns as read (country code, population, foreign-born
    share)."""
    return CityFigures(str(country or ""), population, None if share is None else float(share))


def figures_of(city: City) -> CityFigures:
    """``city_figures`` of a city already loaded."""
    share = city.foreign_born_share
    return CityFigures(
        str(city.country.code or ""),  # type: ignore[attr-defined]
        city.population,
        None if share is None else float(share),
    )


def peers_stamp(assessments: QuerySet[Any]) -> str:
    """``scores.validated_stamp`` of these assessments, and a fingerprint of their cities'
    figures and of which of them share their evidence: a peer group's members change with a
    city's population, foreign-born share (city indicators) or country as well as with
    validations, and
    the cities offered as inspiration with sharing. One query."""
    found = assessments.aggregate(
        n=Count("pk"),
        top=Max("pk"),
        last=Max("validated_at"),
        # Weighted by the city id, so that two cities that swap figures change it too.
        population=Sum(
            ExpressionWrapper(F("city_id") * F("city__population"), output_field=IntegerField())
        ),
        share=Sum(
            ExpressionWrapper(
                F("city_id") * F("city__foreign_born_share"),
                output_field=DecimalField(max_digits=30, decimal_places=4),
            )
        ),
        known=Count("city__population") * 100_000 + Count("city__foreign_born_share"),
        # The country as a number (its two letters' codes), for the same-country group.
        country=Sum(
            F("city_id") * (Ord("city__country") * 65_536 + Ord(Substr("city__country", 2, 1))),
            output_field=IntegerField(),
        ),
        # Which assessments share their evidence: the inspiring cities are drawn from them.
        sharing=Sum(Case(When(share_evidence=True, then=F("pk")), default=0)),
    )
    last = found["last"].isoformat() if found["last"] else "-"
    validated = f"v{RECORD_VERSION}:{found['n']}:{found['top']}:{last}"
    figures = f"{found['population']}:{found['share']}:{found['known']}:{found['country']}"
    return f"{validated}:{figures}:{found['sharing']}"


@dataclass(frozen=True)
class PeerGroup:
    """The other cities that share one figure with a city."""

    kind: str  # one of GROUP_KINDS
    value: str | None  # the shared band or country ("" for the network); None: not known
    members: frozenset[int]  # city ids, the city itself left out
    # How many they are, when read from stored statistics without their ids (``stored``).
    count: int | None = None

    @property
    def size(self) -> int:
        return len(self.members) if self.count is None else self.count

    @property
    def name(self) -> str:
        names = {
            NETWORK: _("Network"),
            SIZE_BAND: _("Same size band"),
            FOREIGN_BORN: _("Similar foreign-born share"),
            COUNTRY: _("Same country"),
        }
        return names[self.kind]

    @property
    def is_known(self) -> bool:
        """False when the city's own figure is not known: the group is then empty."""
        return self.value is not None


def peer_groups(city_id: int, figures: Mapping[int, CityFigures]) -> list[PeerGroup]:
    """The groups of ``city_id`` among the cities in ``figures``, in ``GROUP_KINDS`` order."""
    own = figures.get(city_id, UNKNOWN).group_values()
    members: list[set[int]] = [set() for _kind in GROUP_KINDS]
    for other, found in figures.items():
        if other == city_id:
            continue
        for n, value in enumerate(found.group_values()):
            if value is not None and value == own[n]:
                members[n].add(other)
    return [
        PeerGroup(kind, own[n], frozenset(members[n]) if own[n] is not None else frozenset())
        for n, kind in enumerate(GROUP_KINDS)
    ]


@dataclass(frozen=True)
class Comparison:
    """A city's headline score beside one group's: its median and quartiles, the city's rank."""

    group: PeerGroup
    spread: scoring.Spread
    position: scoring.Position

    @property
    def label(self) -> str:
        return self.group.kind

    @property
    def total(self) -> int:
        """How many cities the rank is among, the city included."""
        return self.position.peers + 1


def compare(
    own: float | None, groups: Iterable[PeerGroup], values: Mapping[int, float | None]
) -> list[Comparison]:
    """``own`` (a headline, or None) beside each group; ``values`` are headlines per city id."""
    found = []
    for group in groups:
        known = [values.get(city) for city in group.members]
        found.append(Comparison(group, scoring.spread(known), scoring.position(own, known)))
    return found


class Peer(NamedTuple):
    """One assessment as its peers see it. Small on purpose: thousands are cached at once."""

    assessment_id: int
    city_id: int
    scores: dict[str, float]  # per section with a score
    headlines: dict[str, float]  # per section whose score is a headline
    overall: float | None
    overall_headline: float | None
    top_items: frozenset[str]  # items answered at the top level


def peer_of(assessment_id: int, city_id: int, scored: Scored) -> Peer:
    sections = scored.result.sections.values()
    return Peer(
        assessment_id,
        city_id,
        {s.section: s.score for s in sections if s.score is not None},
        {s.section: s.score for s in sections if s.is_enough and s.score is not None},
        scored.result.score,
        scored.result.headline,
        scored.top_items,
    )


def peer_from_record(
    assessment_id: int, city_id: int, record: Mapping[str, Any] | None, of: Scheme
) -> Peer | None:
    """``peer_of`` the scores recorded for ``of``'s framework, without building a result per
    section: the peers of a benchmark are thousands. None if the record is not of this shape.

    The overall score and the answered share are ``scoring.overall`` and
    ``scoring.share_of_sections`` of the sections, summed in one pass in the same order, so
    that they are the same to the last bit (``test_records``): a generator and a call per mean
    were most of the time a first visit spent scoring 2,000 peers."""
    if not record or record.get("version") != RECORD_VERSION:
        return None
    recorded = record["sections"]
    scores: dict[str, float] = {}
    headlines: dict[str, float] = {}
    total = weights = 0.0
    lowest, highest = math.inf, -math.inf
    share_total = share_weights = 0.0
    share_lowest, share_highest = math.inf, -math.inf
    enough = scoring.ENOUGH
    for key, size_weight, section_weight in of.weighed_sections:
        value, _scored, weight = recorded.get(key, _UNANSWERED)
        share = 0.0
        if size_weight > 0:
            share = min(weight / size_weight, 1.0)
            share_total += share * section_weight
            share_weights += section_weight
            if share < share_lowest:
                share_lowest = share
            if share > share_highest:
                share_highest = share
        if value is not None:
            scores[key] = value
            if share >= enough:
                headlines[key] = value
            value = float(value)
            total += value * section_weight
            weights += section_weight
            if value < lowest:
                lowest = value
            if value > highest:
                highest = value
    overall = scoring.mean_of_sums(total, weights, lowest, highest)
    share_of_sections = scoring.mean_of_sums(
        share_total, share_weights, share_lowest, share_highest
    )
    is_enough = (0.0 if share_of_sections is None else share_of_sections) >= enough
    return Peer(
        assessment_id,
        city_id,
        scores,
        headlines,
        overall,
        overall if overall is not None and is_enough else None,
        frozenset(record["top_items"]),
    )


_UNANSWERED = (None, 0, 0.0)


def peers_from(
    rows: Iterable[tuple[int, int, Any, int]],
    of: Scheme,
    other_versions: Callable[[], Scheme] | None = None,
) -> list[Peer]:
    """Peers of (assessment id, framework id, record, city id) rows, scored on ``of``.

    Records of ``of``'s framework are read; the other assessments are tallied from their
    answers, on ``of``, or on ``other_versions()`` (a lineage scheme) for other versions.
    """
    found: list[Peer] = []
    same: dict[int, int] = {}
    other: dict[int, int] = {}
    for pk, framework_id, record, city_id in rows:
        peer = (
            peer_from_record(pk, city_id, record, of) if framework_id == of.framework_id else None
        )
        if peer is not None:
            found.append(peer)
        elif framework_id == of.framework_id or other_versions is None:
            same[pk] = city_id
        else:
            other[pk] = city_id
    for missing, scheme in ((same, lambda: of), (other, other_versions)):
        if missing and scheme is not None:
            tallied = tally(list(missing), scheme())
            found += [peer_of(pk, city_id, tallied[pk]) for pk, city_id in missing.items()]
    return found


@dataclass(frozen=True)
class PeerSet:
    """The assessments a city is compared with: one per city."""

    by_assessment: dict[int, Peer]
    meeting: dict[str, int]  # item key: how many of these cities answer it at the top level

    @classmethod
    def of(cls, peers: Iterable[Peer]) -> PeerSet:
        by_assessment = {peer.assessment_id: peer for peer in peers}
        meeting: dict[str, int] = defaultdict(int)
        for peer in by_assessment.values():
            for key in peer.top_items:
                meeting[key] += 1
        return cls(by_assessment, dict(meeting))

    def city(self, city_id: int) -> Peer | None:
        return next((p for p in self.by_assessment.values() if p.city_id == city_id), None)

    def others(self, city_id: int) -> dict[int, Peer]:
        """The other cities' peers, by city id."""
        return {p.city_id: p for p in self.by_assessment.values() if p.city_id != city_id}

    def meeting_without(self, city_id: int) -> dict[str, int]:
        """Per item, how many other cities answer it at the top level."""
        meeting = dict(self.meeting)
        own = self.city(city_id)
        for key in own.top_items if own else ():
            meeting[key] -= 1
        return meeting


def in_peer_group(
    rows: QuerySet[Any],
    *,
    city: str = "city",
    country: str = "",
    band: scoring.Band | None = None,
    foreign_born: str = "",
) -> QuerySet[Any]:
    """Keep the rows whose city (reached by the ``city`` path; "" for cities themselves) is of
    the given country, size band and foreign-born band: the one way every filter by peer group
    is written."""
    prefix = f"{city}__" if city else ""
    if country:
        rows = rows.filter(**{f"{prefix}country": country})
    if band is not None:
        low, high = scoring.BAND_BOUNDS[band]
        rows = rows.filter(**{f"{prefix}population__gte": low})
        if high is not None:
            rows = rows.filter(**{f"{prefix}population__lt": high})
    if foreign_born in scoring.FOREIGN_BORN_BANDS:
        low = int(foreign_born.split("-")[0])
        rows = rows.filter(**{f"{prefix}foreign_born_share__gte": low})
        if low < 90:  # the top band holds 100
            rows = rows.filter(**{f"{prefix}foreign_born_share__lt": low + 10})
    return rows
