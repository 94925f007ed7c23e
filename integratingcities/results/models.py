"""Peer statistics, computed once per validation and read by every page and every worker.

A city's results page shows, per peer group, the median and quartiles of the other cities'
headline scores and the city's rank among them. Computing them from every peer on each visit
costs time in N; instead, when a validation has changed the peers (``peers.peers_stamp``),
one process computes per scope (a self-test framework version, or a round) one
``PeerStatistics`` row per peer group, and for self-tests a few ``PeerHeadline`` rows per key
factor: the cities offered as inspiration. A page then reads the few rows of the city's own groups
(``results.stored``).
"""

from __future__ import annotations

from django.db import models

from integratingcities.assessments.models import Assessment
from integratingcities.cities.models import City


class PeerStatistics(models.Model):
    """One peer group of a scope: how many cities, and their headlines as histograms.

    ``distributions`` holds, per section key ("" for the overall score), the member cities'
    headlines as ``[[value, count], ...]`` in ascending order: a headline is a weighted mean of
    a few level scores, so there are few distinct values whatever the number of cities, and
    the histogram is exact (``results.stored.Histogram``). ``meeting`` is on the network row
    only: per item key, how many cities answer it at the top level.
    """

    scope = models.CharField(max_length=40)  # "selftest:<framework id>" or "round:<round id>"
    stamp = models.CharField(max_length=200)  # peers.peers_stamp of the scope's peers
    kind = models.CharField(max_length=20)  # one of results.peers.GROUP_KINDS
    value = models.CharField(max_length=100)  # the band or country; "" for the network
    cities = models.PositiveIntegerField()
    distributions = models.JSONField(default=dict)
    meeting = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Two processes that find the statistics stale both try to write them: the second
            # fails here and reads the first one's (results.stored.ensure).
            models.UniqueConstraint(
                fields=["scope", "stamp", "kind", "value"], name="peer_statistics_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.kind} {self.value or '-'}: {self.cities}"


class PeerHeadline(models.Model):
    """A peer's headline in a key factor it meets (``scoring.meets``), in a self-test scope:
    per key factor, the first cities that share their evidence, the highest first, one more
    than a page offers (``stored.INSPIRING``).

    Read to offer the evidence of the cities that meet a weak key factor (one indexed query
    instead of a look at every peer).
    """

    scope = models.CharField(max_length=40)
    stamp = models.CharField(max_length=200)
    # No database constraint: rows are replaced at the next validation, and a benchmark or a
    # demo that deletes cities in bulk should not have to collect them first.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    city = models.ForeignKey(
        City, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    section = models.CharField(max_length=100)
    headline = models.FloatField()

    class Meta:
        indexes = [
            models.Index(
                fields=["scope", "stamp", "section", "headline"], name="peer_headline_ranked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.city_id} {self.section}: {self.headline}"
