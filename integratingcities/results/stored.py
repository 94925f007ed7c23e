"""Peer statistics stored once per validation, and a city's place read from them.

A scope (a self-test framework version, or a round) has one ``PeerStatistics`` row per peer
group and one ``PeerHeadline`` row per peer and section, for the stamp they were computed for
(``peers.peers_stamp``: the validations, and the cities' figures). A page reads the rows of
the city's own groups and the city's own headlines, takes the city out (the others are
compared), and computes the median, quartiles and rank from the histograms exactly as
``lib.scoring.spread`` and ``position`` do from the values. When the stamp moved, the first
process that asks computes the rows again (``ensure``); the unique constraint keeps a second
from writing them twice.

What is SQL: the histograms and group sizes (GROUP BY group value, section and headline over
``PeerHeadline``), the reading of one city's rows, and the inspiring cities (a window over the
headlines of a key factor, highest first). What is Python: scoring each peer (its record, or a
tally of its answers: ``peers.peers_from``) and the items answered at the top (a count of sets).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from integratingcities.assessments.models import Assessment
from integratingcities.lib import scoring

from .models import PeerHeadline, PeerStatistics
from .peers import (
    COUNTRY,
    FOREIGN_BORN,
    GROUP_KINDS,
    NETWORK,
    SIZE_BAND,
    UNKNOWN,
    CityFigures,
    Comparison,
    Peer,
    PeerGroup,
    PeerSet,
)

OVERALL = ""  # the section key of the overall score
COLUMNS = {SIZE_BAND: "band", FOREIGN_BORN: "foreign_born", COUNTRY: "country"}
BATCH = 2000


class Histogram:
    """Scores with how often each occurs, in ascending order: the values, exactly, compactly."""

    def __init__(self, pairs: Iterable[Sequence[Any]]) -> None:
        self.pairs = sorted((float(value), int(n)) for value, n in pairs if n > 0)
        self.total = sum(n for _value, n in self.pairs)

    def without(self, value: float | None) -> Histogram:
        """The same scores with one ``value`` fewer (a city taken out of its own group)."""
        if value is None:
            return self
        return Histogram((v, n - 1 if v == value else n) for v, n in self.pairs)

    def nth(self, index: int) -> float:
        """The value at ``index`` (from 0) of the scores in ascending order."""
        for value, n in self.pairs:
            if index < n:
                return value
            index -= n
        raise IndexError(index)

    def above(self, value: float) -> int:
        return sum(n for v, n in self.pairs if v > value)

    def median(self) -> float | None:
        """``statistics.median`` of the values."""
        n = self.total
        if not n:
            return None
        if n % 2:
            return self.nth(n // 2)
        return (self.nth(n // 2 - 1) + self.nth(n // 2)) / 2

    def spread(self) -> scoring.Spread:
        """``scoring.spread`` of the values: quartiles by ``statistics.quantiles``' inclusive
        method, computed the same way so that the figures are the same to the last bit."""
        n = self.total
        if n == 0:
            return scoring.Spread(0, None, None, None)
        if n == 1:
            only = self.nth(0)
            return scoring.Spread(1, only, only, only)
        m = n - 1
        quartiles = []
        for i in range(1, 4):
            j, delta = divmod(i * m, 4)
            quartiles.append((self.nth(j) * (4 - delta) + self.nth(j + 1) * delta) / 4)
        q1, median, q3 = quartiles
        return scoring.Spread(n, median, q1, q3)

    def position(self, own: float | None) -> scoring.Position:
        """``scoring.position`` of ``own`` among the values."""
        median = self.median()
        if own is None:
            return scoring.Position(None, self.total, median, None)
        rank = 1 + self.above(float(own))
        return scoring.Position(
            rank, self.total, median, None if median is None else float(own) - median
        )


# ---------------------------------------------------------------------------------------------
# Computing the rows, once per stamp


def ensure(
    scope: str,
    stamp: str,
    peers: Callable[[], Iterable[Peer]],
    figures: Callable[[], Mapping[int, CityFigures]],
) -> None:
    """Compute the scope's rows for ``stamp``, unless another process has already.

    The network row is written first: a second process that computes at the same time waits
    on it (PostgreSQL) or on the write lock (SQLite), then fails on the unique constraint and
    leaves the rows to the first. Rows of other stamps are deleted with it.
    """
    try:
        with transaction.atomic():
            network = PeerStatistics.objects.create(
                scope=scope, stamp=stamp, kind=NETWORK, value="", cities=0
            )
            PeerStatistics.objects.filter(scope=scope).exclude(stamp=stamp).delete()
            PeerHeadline.objects.filter(scope=scope).exclude(stamp=stamp).delete()
            _compute(network, peers(), figures())
    except IntegrityError:
        pass  # another process wrote them: they are read as they are


def _compute(
    network: PeerStatistics, peers: Iterable[Peer], figures: Mapping[int, CityFigures]
) -> None:
    scope, stamp = network.scope, network.stamp
    by_city = {peer.city_id: peer for peer in peers}  # one per city, as PeerSet.others reads
    meeting: Counter[str] = Counter()
    rows = []
    for city_id, peer in by_city.items():
        _network, band, foreign_born, country = figures.get(city_id, UNKNOWN).group_values()
        meeting.update(peer.top_items)
        shared = {
            "scope": scope,
            "stamp": stamp,
            "assessment_id": peer.assessment_id,
            "city_id": city_id,
            "band": band or "",
            "foreign_born": foreign_born or "",
            "country": country or "",
        }
        rows.append(
            PeerHeadline(
                **shared,
                section=OVERALL,
                headline=peer.overall_headline,
                top_items=sorted(peer.top_items),
            )
        )
        rows += [
            PeerHeadline(**shared, section=key, headline=value)
            for key, value in peer.headlines.items()
        ]
    PeerHeadline.objects.bulk_create(rows, batch_size=BATCH)

    # The histograms and group sizes, grouped by the database.
    stored = PeerHeadline.objects.filter(scope=scope, stamp=stamp).order_by()
    groups: list[PeerStatistics] = []
    for kind in GROUP_KINDS:
        column = COLUMNS.get(kind)
        found: dict[str, dict[str, Any]] = {}
        selected = stored if column is None else stored.exclude(**{column: ""})
        names = ["section", "headline"] if column is None else [column, "section", "headline"]
        for row in selected.values(*names).annotate(n=Count("id")):
            value = "" if column is None else row[column]
            group = found.setdefault(value, {"cities": 0, "distributions": {}})
            if row["section"] == OVERALL:
                group["cities"] += row["n"]
            if row["headline"] is not None:
                group["distributions"].setdefault(row["section"], []).append(
                    [row["headline"], row["n"]]
                )
        for value, group in found.items():
            distributions = {key: sorted(pairs) for key, pairs in group["distributions"].items()}
            if kind == NETWORK:
                network.cities = group["cities"]
                network.distributions = distributions
            else:
                groups.append(
                    PeerStatistics(
                        scope=scope,
                        stamp=stamp,
                        kind=kind,
                        value=value,
                        cities=group["cities"],
                        distributions=distributions,
                    )
                )
    network.meeting = dict(meeting)
    network.save(update_fields=["cities", "distributions", "meeting"])
    PeerStatistics.objects.bulk_create(groups, batch_size=BATCH)


# ---------------------------------------------------------------------------------------------
# A city's place, read from the stored rows (or from peers already in memory)

Inspiring = tuple[int, str, str, bool]  # assessment id, city name, city slug, illustrative
EMPTY = Histogram([])


@dataclass(frozen=True)
class Standing:
    """What a page needs to compare one city: per group, the other cities' headlines."""

    city_id: int
    groups: list[PeerGroup]  # in GROUP_KINDS order, the city left out
    distributions: list[dict[str, Histogram]]  # per group, per section ("": overall)
    meeting_others: dict[str, int]  # per item, how many other cities answer it at the top
    # Per section, the other cities that meet it and share their evidence, highest first.
    inspiring: Callable[[list[str], int], dict[str, list[Inspiring]]]

    @property
    def peer_count(self) -> int:
        """How many other cities are peers."""
        return self.groups[0].size

    def compare(self, section: str, own: float | None) -> list[Comparison]:
        """``peers.compare`` of ``own`` (a headline, or None) in ``section`` ("": overall)."""
        return [
            Comparison(group, values.spread(), values.position(own))
            for group, found in zip(self.groups, self.distributions, strict=True)
            for values in [found.get(section, EMPTY)]
        ]

    def meeting_without(self) -> dict[str, int]:
        """Per item, how many other cities answer it at the top level."""
        return dict(self.meeting_others)

    def meeting(self, sections: Iterable[str], limit: int) -> dict[str, list[Inspiring]]:
        """Per section, the other cities meeting it (``scoring.meets``) whose assessment shares
        its evidence (read afresh: an editor may stop sharing), the highest first, then by
        city name, at most ``limit``."""
        keys = list(sections)
        return self.inspiring(keys, limit) if keys else {}


def read(scope: str, stamp: str, city_id: int, figures: CityFigures) -> Standing | None:
    """The city's standing from the stored rows; None if they are not of this stamp (2
    queries: the city's groups, its own headlines)."""
    own_values = figures.group_values()
    wanted = Q()
    for kind, value in zip(GROUP_KINDS, own_values, strict=True):
        if value is not None:
            wanted |= Q(kind=kind, value=value)
    statistics = {
        row.kind: row for row in PeerStatistics.objects.filter(wanted, scope=scope, stamp=stamp)
    }
    network = statistics.get(NETWORK)
    if network is None:
        return None
    own: dict[str, float | None] = {}
    peer_values: tuple[str | None, ...] = ()
    meeting = dict(network.meeting)
    for section, headline, band, foreign_born, country, top_items in PeerHeadline.objects.filter(
        scope=scope, stamp=stamp, city_id=city_id
    ).values_list("section", "headline", "band", "foreign_born", "country", "top_items"):
        own[section] = headline
        if section == OVERALL:
            peer_values = ("", band or None, foreign_born or None, country or None)
            for key in top_items:
                meeting[key] -= 1
    groups = []
    distributions = []
    for n, (kind, value) in enumerate(zip(GROUP_KINDS, own_values, strict=True)):
        row = statistics.get(kind) if value is not None else None
        found: dict[str, Histogram] = {}
        size = 0
        if row is not None:
            # The city is counted in the stored group when it is a peer of the same value.
            itself = bool(peer_values) and peer_values[n] == value
            size = row.cities - itself
            for section, pairs in row.distributions.items():
                values = Histogram(pairs)
                found[section] = values.without(own.get(section)) if itself else values
        groups.append(PeerGroup(kind, value, frozenset(), count=size))
        distributions.append(found)

    def inspiring(keys: list[str], limit: int) -> dict[str, list[Inspiring]]:
        ranked = (
            PeerHeadline.objects.filter(
                scope=scope,
                stamp=stamp,
                section__in=keys,
                headline__gte=scoring.MEETS_THRESHOLD,
                assessment__share_evidence=True,
            )
            .exclude(city_id=city_id)
            .annotate(
                place=Window(
                    RowNumber(),
                    partition_by=[F("section")],
                    order_by=[F("headline").desc(), F("city__name").asc(), F("id").asc()],
                )
            )
            .filter(place__lte=limit)
            .order_by("section", "place")
            .values_list(
                "section",
                "assessment_id",
                "city__name",
                "city__slug",
                "assessment__is_illustrative",
            )
        )
        found: dict[str, list[Inspiring]] = {}
        for section, assessment_id, name, slug, illustrative in ranked:
            found.setdefault(section, []).append((assessment_id, name, slug, illustrative))
        return found

    return Standing(city_id, groups, distributions, meeting, inspiring)


def standing(
    scope: str,
    stamp: str,
    city_id: int,
    figures: CityFigures,
    peers: Callable[[], Iterable[Peer]],
    all_figures: Callable[[], Mapping[int, CityFigures]],
) -> Standing:
    """``read``, computing the rows first if they are not of this stamp."""
    found = read(scope, stamp, city_id, figures)
    if found is None:
        ensure(scope, stamp, peers, all_figures)
        found = read(scope, stamp, city_id, figures)
    assert found is not None  # written just now, by this process or another
    return found


def in_memory(peers: PeerSet, city_id: int, groups: Sequence[PeerGroup]) -> Standing:
    """The same standing from peers already loaded (``PeerSet``) and groups with their
    members: for a page that reads every peer anyway (the city profile)."""
    others = peers.others(city_id)
    distributions = []
    for group in groups:
        counts: dict[str, Counter[float]] = {}
        for city in group.members:
            peer = others.get(city)
            if peer is None:
                continue
            for key, value in [*peer.headlines.items(), (OVERALL, peer.overall_headline)]:
                if value is not None:
                    counts.setdefault(key, Counter())[value] += 1
        distributions.append({key: Histogram(found.items()) for key, found in counts.items()})

    def inspiring(keys: list[str], limit: int) -> dict[str, list[Inspiring]]:
        meeting = {
            key: [p for p in others.values() if scoring.meets(p.headlines.get(key))] for key in keys
        }
        candidates = {p.assessment_id for found in meeting.values() for p in found}
        if not candidates:
            return {}
        sharing = {
            pk: (pk, name, slug, illustrative)
            for pk, name, slug, illustrative in Assessment.objects.filter(
                pk__in=sorted(candidates), share_evidence=True
            ).values_list("pk", "city__name", "city__slug", "is_illustrative")
        }
        found: dict[str, list[Inspiring]] = {}
        for key, meets in meeting.items():
            shared = [(p, sharing[p.assessment_id]) for p in meets if p.assessment_id in sharing]
            shared.sort(key=lambda pair: (-(pair[0].headlines.get(key) or 0), pair[1][1]))
            if shared:
                found[key] = [city for _peer, city in shared[:limit]]
        return found

    return Standing(city_id, list(groups), distributions, peers.meeting_without(city_id), inspiring)
