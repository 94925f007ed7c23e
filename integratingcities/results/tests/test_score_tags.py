"""The score tags write what the includes they replace wrote (results/score.html and
toolkits/comparison.html, kept here as they were), but for the line break that ended the
comparison's file (inside a table cell, where it showed nothing)."""

from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from integratingcities.lib import scoring
from integratingcities.results.peers import NETWORK, Comparison, PeerGroup

SCORE_INCLUDE = Template(
    "{% load i18n %}{% if result.is_enough %}{{ result.score|floatformat:0 }}{% elif result.score "
    'is not None %}<span class="muted">{% translate "not enough answers" %}</span>{% else %}'
    '<span class="muted">{% translate "not known" %}</span>{% endif %}'
)
COMPARISON_INCLUDE = Template(
    "{% load i18n %}{% if c.spread.median is not None %}{{ c.spread.median|floatformat:0 }}"
    '{% if c.position.rank %} <span class="muted small nowrap">({% blocktranslate with '
    "rank=c.position.rank total=c.position.peers|add:1 %}rank {{ rank }} of {{ total }}"
    '{% endblocktranslate %})</span>{% endif %}{% else %}<span class="muted">—</span>{% endif %}\n'
)
SCORE_TAG = Template("{% load scores %}{% score result %}")
COMPARISON_TAG = Template("{% load scores %}{% comparison c %}\n")
WHOLE = Template("{% load scores %}{{ value|whole }}")
FLOATFORMAT = Template("{{ value|floatformat:0 }}")

SCORES = [None, 0.0, 0.5, 1.5, 2.5, 49.5, 66.66666666666667, 99.5, 100.0, 33.333, 1234.5, -0.4]


def _result(score: float | None, scored_weight: float) -> scoring.SectionResult:
    return scoring.SectionResult("s", score, 3, 5, scored_weight=scored_weight, weight=5.0)


def _comparison(median: float | None, rank: int | None, peers: int) -> Comparison:
    return Comparison(
        PeerGroup(NETWORK, None, frozenset(), count=peers),
        scoring.Spread(peers, median, None, None),
        scoring.Position(rank, peers, median, None),
    )


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_score_tag_writes_what_the_include_wrote(language: str) -> None:
    results: list[Any] = [_result(s, w) for s in SCORES for w in (0.0, 1.0, 5.0)]
    results.append(scoring.Result(72.5, {}, 3, 5, answered_share=1.0))
    with translation.override(language):
        for result in results:
            context = {"result": result}
            assert SCORE_TAG.render(Context(context)) == SCORE_INCLUDE.render(Context(context))


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_comparison_tag_writes_what_the_include_wrote(language: str) -> None:
    compared = [
        _comparison(median, rank, peers)
        for median in SCORES
        for rank in (None, 0, 1, 7, 1500)
        for peers in (0, 6, 1999, 25000)
    ]
    with translation.override(language):
        for c in compared:
            assert COMPARISON_TAG.render(Context({"c": c})) == COMPARISON_INCLUDE.render(
                Context({"c": c})
            )


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_whole_is_floatformat_0(language: str) -> None:
    values: list[Any] = [*SCORES, 7, 10**20, float("inf"), float("nan"), "12.5", "x", ""]
    with translation.override(language):
        for value in values:
            assert WHOLE.render(Context({"value": value})) == FLOATFORMAT.render(
                Context({"value": value})
            )
