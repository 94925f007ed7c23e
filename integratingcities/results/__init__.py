"""The one place the analysis is asked: scores, coverage, peers, ranks, progress and gaps.

The rules themselves are pure and live in ``lib.scoring`` (with property tests); this package
applies them to the database, for Charter rounds and benchmark self-tests alike. Rounds,
toolkits and practices only ask it (docs/analysis.md lists every rule and where it lives).

- ``scores``: what a framework scores (``scheme``, cached as ``scheme_for``,
  ``lineage_scheme``), scores from answers
  (``tally``) or from the record written at validation (``record``, ``records``,
  ``read_record``), whichever exists (``scores_of``); ``validated_stamp`` for cache keys.
- ``peers``: a city's figures (``city_figures``), its peer groups (``peer_groups``), its place
  in each (``compare``), the compact ``Peer``/``PeerSet`` that are cached, and the stamp of
  the peers and their figures (``peers_stamp``).
- ``stored``: the peer statistics stored once per stamp (``models.PeerStatistics``, one row
  per peer group, histograms of the headlines; ``models.PeerHeadline``, the headlines that
  meet a key factor) and a city's place read from them (``standing``), whatever the number of
  cities; ``refresh`` computes them after a validation commits.
- ``rounds``: a round's network view (``round_results``, cached per stamp), its cached peers
  (``round_peers``: every city, which the tests check the stored statistics against), one
  city's results in it (``city_results``, from the stored statistics) and its gaps
  (``gaps_of``).
- ``selftests``: a self-test's results (``selftest_results``, from the stored statistics),
  its peers (``peer_set``: every city, for mentoring's matching), the statistics of the peers
  that share their self-test (``shared_standing``, for the city profile) and the stamp
  its charts are cached under (``chart_stamp``).
"""
