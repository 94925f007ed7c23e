"""The one place the analysis is asked: scores, coverage, peers, ranks, progress and gaps.

The rules themselves are pure and live in ``lib.scoring`` (with property tests); this package
applies them to the database, for Charter rounds and benchmark self-tests alike. Rounds,
toolkits and practices only ask it (docs/analysis.md lists every rule and where it lives).

- ``scores``: what a framework scores (``scheme``, cached as ``scheme_for``,
  ``lineage_scheme``), scores from answers
  (``tally``) or from the record written at validation (``record``, ``records``,
  ``read_record``), whichever exists (``scores_of``); ``validated_stamp`` for cache keys.
- ``peers``: a city's figures (``city_figures``), its peer groups (``peer_groups``), its place
  in each (``compare``), and the compact ``Peer``/``PeerSet`` that are cached.
- ``rounds``: a round's network view (``round_results``), its cached peers (``round_peers``),
  one city's results in it (``city_results``) and its gaps (``gaps_of``).
- ``selftests``: a self-test's results (``selftest_results``), its peers (``peer_set``) and
  the stamp its charts are cached under (``chart_stamp``).
"""
