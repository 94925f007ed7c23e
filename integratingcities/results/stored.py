"""Peer statistics stored once per validation, and a city's place read from them.

A scope (a self-test framework version, or a round) has one ``PeerStatistics`` row per peer
group and, for self-tests, the inspiring cities of each key factor (``PeerHeadline``), for the
stamp they were computed for (``peers.peers_stamp``: the validations, the cities' figures and
which assessments share their evidence). A page reads the rows of the city's own groups and
the city's own assessment, takes the city out (the others are compared), and computes the
median, quartiles and rank from the histograms exactly as ``lib.scoring.spread`` and
``position`` do from the values. When the stamp moved, the first process that asks computes
the rows again (``ensure``); the unique constraint keeps a second from writing them twice.

What is SQL: the stamp (one aggregate), reading the rows of the city's groups (one query) and
the inspiring cities (a window over the stored rows of the weak key factors, highest first).
What is Python: scoring each peer (its record, or a tally of its answers: ``peers_from``)
and, as it is scored, counting it in its groups' histograms and the items it answers at the
top; the peers are in memory then, and grouping them there costs less than writing a row per
city and section for the database to group (that made the first visit 3.2 s at 2,000 cities).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from integratingcities.assessments.models import Assessment
from integratingcities.lib import scoring
from integratingcities.lib.prepared import prepared

from .models import PeerHeadline, PeerStatistics
from .peers import (
    GROUP_KINDS,
    NETWORK,
    UNKNOWN,
    CityFigures,
    Comparison,
    Peer,
    PeerGroup,
    PeerSet,
)

OVERALL = ""  # the section key of the overall score
INSPIRING = 5  # inspiring cities a page offers per weak key factor, at most
BATCH = 2000


class Histogram:
    """Scores with how often each occurs, in ascending order: the values, exactly, compactly.

    A page reads some sixty of them (a group's scores per key factor, the city taken out),
    and each asks for a few of its values by rank: the running counts are kept, and a value
    is found by bisection instead of a walk through every score."""

    __slots__ = ("_ends", "_gone", "pairs", "total")

    def __init__(self, pairs: Iterable[Sequence[Any]]) -> None:
        self.pairs = sorted([(float(value), int(n)) for value, n in pairs if n > 0])
        self._ends = list(accumulate([n for _value, n in self.pairs]))
        self.total = self._ends[-1] if self.pairs else 0
        self._gone = -1  # the place in ``pairs`` of a value taken out once (``without``)

    def without(self, value: float | None) -> Histogram:
        """The same scores with one ``value`` fewer (a city taken out of its own group). The
        pairs and running counts are shared, and the value taken out is allowed for by each
        look-up: a page takes its city out of some thirty histograms."""
        if value is None:
            return self
        if self._gone >= 0:
            return Histogram(self._counted()).without(value)
        place = bisect_left(self.pairs, (float(value),))
        if place == len(self.pairs) or self.pairs[place][0] != value:
            return self
        fewer = Histogram.__new__(Histogram)
        fewer.pairs, fewer._ends, fewer.total = self.pairs, self._ends, self.total - 1
        fewer._gone = place
        return fewer

    def _counted(self) -> list[tuple[float, int]]:
        """Each value with how often it occurs, once the value taken out is allowed for."""
        return [(v, n - (i == self._gone)) for i, (v, n) in enumerate(self.pairs)]

    def values(self) -> tuple[float, ...]:
        """Every score, in ascending order (what a chart of each city's score draws)."""
        pairs = self._counted() if self._gone >= 0 else self.pairs
        return tuple(chain.from_iterable(repeat(value, n) for value, n in pairs))

    def nth(self, index: int) -> float:
        """The value at ``index`` (from 0) of the scores in ascending order."""
        if not 0 <= index < self.total:
            raise IndexError(index)
        place = bisect_right(self._ends, index)
        if 0 <= self._gone <= place:
            # From the value taken out on, each running count is one fewer.
            place = bisect_right(self._ends, index + 1, lo=self._gone)
        return self.pairs[place][0]

    def above(self, value: float) -> int:
        """How many scores are higher than ``value``."""
        place = bisect_right(self.pairs, (value, math.inf))
        at_most = self._ends[place - 1] if place else 0
        if 0 <= self._gone < place:
            at_most -= 1
        return self.total - at_most

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
    *,
    sharing: Callable[[], Mapping[int, str]] | None = None,
) -> None:
    """Compute the scope's rows for ``stamp``, unless another process has already.

    The network row is written first: a second process that computes at the same time waits
    on it (PostgreSQL) or on the write lock (SQLite), then fails on the unique constraint and
    leaves the rows to the first. Rows of other stamps are deleted with it. ``sharing``: the
    peers' assessments that share their evidence, with their city's name; given, the rows of
    the inspiring cities are written too (``PeerHeadline``, for ``Standing.meeting``).
    """
    try:
        with transaction.atomic():
            network = PeerStatistics.objects.create(
                scope=scope, stamp=stamp, kind=NETWORK, value="", cities=0
            )
            PeerStatistics.objects.filter(scope=scope).exclude(stamp=stamp).delete()
            PeerHeadline.objects.filter(scope=scope).exclude(stamp=stamp).delete()
            _compute(network, peers(), figures(), sharing() if sharing else None)
    except IntegrityError:
        pass  # another process wrote them: they are read as they are


def _compute(
    network: PeerStatistics,
    peers: Iterable[Peer],
    figures: Mapping[int, CityFigures],
    sharing: Mapping[int, str] | None,
) -> None:
    # The peers are scored in Python (their records, or their answers tallied), so they are
    # grouped as they are scored: writing every headline to group it in SQL cost more than the
    # grouping (a row per city and section, 14,000 rows at 2,000 cities, to read back ~50).
    scope, stamp = network.scope, network.stamp
    by_city = {peer.city_id: peer for peer in peers}  # one per city, as PeerSet.others reads
    # Per group, each member's (section, headline) pairs ("": overall), counted at once below:
    # a Counter per group and section, filled member by member, was a third of the time.
    members: dict[tuple[str, str], list[tuple[tuple[str, float], ...]]] = {}
    meets: list[tuple[str, float, str, Peer]] = []
    for city_id, peer in by_city.items():
        pairs = tuple(peer.headlines.items())
        if peer.overall_headline is not None:
            pairs += ((OVERALL, peer.overall_headline),)
        values = figures.get(city_id, UNKNOWN).group_values()
        for kind, value in zip(GROUP_KINDS, values, strict=True):
            if value is not None:
                members.setdefault((kind, value), []).append(pairs)
        if sharing is not None and peer.assessment_id in sharing:
            meets += [
                (key, -score, sharing[peer.assessment_id], peer)
                for key, score in peer.headlines.items()
                if scoring.meets(score)
            ]
    meeting = Counter(chain.from_iterable(peer.top_items for peer in by_city.values()))
    groups: dict[tuple[str, str], tuple[int, dict[str, dict[float, int]]]] = {}
    for group, pairs_in in members.items():
        histograms: dict[str, dict[float, int]] = {}
        for (key, headline), n in Counter(chain.from_iterable(pairs_in)).items():
            found = histograms.get(key)
            if found is None:
                found = histograms[key] = {}
            found[headline] = n
        groups[group] = (len(pairs_in), histograms)
    rows = []
    for (kind, value), (size, histograms) in groups.items():
        distributions = {key: sorted(found.items()) for key, found in histograms.items()}
        if kind == NETWORK:
            network.cities, network.distributions = size, distributions
        else:
            rows.append(
                PeerStatistics(
                    scope=scope,
                    stamp=stamp,
                    kind=kind,
                    value=value,
                    cities=size,
                    distributions=distributions,
                )
            )
    network.meeting = dict(meeting)
    network.save(update_fields=["cities", "distributions", "meeting"])
    PeerStatistics.objects.bulk_create(rows, batch_size=BATCH)
    # Per key factor, the sharing cities that meet it, the highest first then by name: as
    # many as a page offers, and one more for when the city reading is one of them. Whether an
    # assessment shares is in the stamp (``peers_stamp``): these are computed again when it
    # changes.
    meets.sort(key=lambda entry: entry[:3])
    kept: Counter[str] = Counter()
    inspiring = []
    for key, score, _name, peer in meets:
        if kept[key] <= INSPIRING:
            kept[key] += 1
            inspiring.append(
                PeerHeadline(
                    scope=scope,
                    stamp=stamp,
                    assessment_id=peer.assessment_id,
                    city_id=peer.city_id,
                    section=key,
                    headline=-score,
                )
            )
    PeerHeadline.objects.bulk_create(inspiring, batch_size=BATCH)


# ---------------------------------------------------------------------------------------------
# A city's place, read from the stored rows (or from peers already in memory)

# Assessment id, city name, city slug, illustrative, validated at: a validated self-test's
# answers cannot change until it is reopened, which clears the date; a page may keep the
# evidence it shows under them (``toolkits.selectors``).
Inspiring = tuple[int, str, str, bool, dt.datetime | None]
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


@prepared
def _ranked_sharing(scope: str, stamp: str, city_id: int, limit: int) -> QuerySet[Any]:
    """Per section, the other cities that meet it and share their evidence, highest first,
    then by name, at most ``limit``: for every section, so that the query is the same for
    every city (a page asks for its weak sections, most of them)."""
    return (
        PeerHeadline.objects.filter(
            scope=scope,
            stamp=stamp,
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
            "assessment__validated_at",
        )
    )


def read(
    scope: str,
    stamp: str,
    city_id: int,
    figures: CityFigures,
    own_peer: Callable[[], Peer | None],
) -> Standing | None:
    """The city's standing from the stored rows; None if they are not of this stamp. One
    query for the city's groups, and ``own_peer``: the city's own assessment among the peers
    (None if it is not one), which is taken out of its groups."""
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
    own = own_peer()
    meeting = dict(network.meeting)
    own_scores: dict[str, float | None] = {}
    if own is not None:
        own_scores = {**own.headlines, OVERALL: own.overall_headline}
        for key in own.top_items:
            meeting[key] -= 1
    groups = []
    distributions = []
    for kind, value in zip(GROUP_KINDS, own_values, strict=True):
        row = statistics.get(kind) if value is not None else None
        found: dict[str, Histogram] = {}
        size = 0
        if row is not None:
            # The stamp covers the cities' figures: a peer city is in its own groups.
            itself = own is not None
            size = row.cities - itself
            for section, pairs in row.distributions.items():
                values = Histogram(pairs)
                found[section] = values.without(own_scores.get(section)) if itself else values
        groups.append(PeerGroup(kind, value, frozenset(), count=size))
        distributions.append(found)

    def inspiring(keys: list[str], limit: int) -> dict[str, list[Inspiring]]:
        wanted = set(keys)
        found: dict[str, list[Inspiring]] = {}
        for section, pk, name, slug, illustrative, validated_at in _ranked_sharing(
            scope, stamp, city_id, limit
        ):
            if section in wanted:
                found.setdefault(section, []).append((pk, name, slug, illustrative, validated_at))
        return found

    return Standing(city_id, groups, distributions, meeting, inspiring)


def standing(
    scope: str,
    stamp: str,
    city_id: int,
    figures: CityFigures,
    own_peer: Callable[[], Peer | None],
    peers: Callable[[], Iterable[Peer]],
    all_figures: Callable[[], Mapping[int, CityFigures]],
    *,
    sharing: Callable[[], Mapping[int, str]] | None = None,
) -> Standing:
    """``read``, computing the rows first (``ensure``) if they are not of this stamp."""
    found = read(scope, stamp, city_id, figures, own_peer)
    if found is None:
        ensure(scope, stamp, peers, all_figures, sharing=sharing)
        found = read(scope, stamp, city_id, figures, own_peer)
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
        sharing: dict[int, Inspiring] = {
            city[0]: city
            for city in Assessment.objects.filter(
                pk__in=sorted(candidates), share_evidence=True
            ).values_list("pk", "city__name", "city__slug", "is_illustrative", "validated_at")
        }
        found: dict[str, list[Inspiring]] = {}
        for key, meets in meeting.items():
            shared = [(p, sharing[p.assessment_id]) for p in meets if p.assessment_id in sharing]
            shared.sort(key=lambda pair: (-(pair[0].headlines.get(key) or 0), pair[1][1]))
            if shared:
                found[key] = [city for _peer, city in shared[:limit]]
        return found

    return Standing(city_id, list(groups), distributions, peers.meeting_without(city_id), inspiring)
