"""The lists of a self-test's results page that are written in Python write, byte for byte,
what the template loops they replace wrote: hostile text escaped, missing values, plurals,
signs and other languages included."""

import re
from types import SimpleNamespace as Row
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, SignatoryFactory
from integratingcities.results.selftests import selftest_results
from integratingcities.results.templatetags import selftest_lists
from integratingcities.results.tests.conftest import rating_keys
from integratingcities.toolkits.selectors import _keep_peer_evidence

from .test_toolkits import FILE, _selftest

HOSTILE = {"en": '<script>alert("x")</script> & “quotes”', "fr": "L'écart <b>gras</b>"}

GAPS = """{% for row in group.gaps %}<li>{{ row.item.text|tr }} — <strong>{{ row.level.label|tr }}</strong>{% if row.peers_meeting %} <span class="muted small">{% blocktranslate count counter=row.peers_meeting %}{{ counter }} other city meets it{% plural %}{{ counter }} other cities meet it{% endblocktranslate %}</span>{% endif %}</li>{% endfor %}"""  # noqa: E501
UNKNOWN = """{% for row in group.unknown %}<li>{{ row.item.text|tr }} — {% if row.level %}{{ row.level.label|tr }}{% else %}{% translate "not answered" %}{% endif %}</li>{% endfor %}"""  # noqa: E501
EXAMPLES = """{% for example in group.examples %}
        <p><strong>{% if example.city_slug %}<a href="{% url 'cities:detail' example.city_slug %}">{{ example.city|tr }}</a>{% else %}{{ example.city|tr }}{% endif %}{% if example.title %}: {{ example.title|tr }}{% endif %}</strong> <span class="muted small">({% translate "benchmark example" %})</span><br>{{ example.text|tr|truncatewords:60 }}</p>
      {% endfor %}"""  # noqa: E501
CHANGES = """{% for item in row.items %}<li>{{ item.item.text|tr }}: {% if item.before is not None %}{{ item.before|whole }}{% else %}—{% endif %} → {% if item.score is not None %}{{ item.score|whole }}{% else %}—{% endif %}{% if item.change %} <strong>({% if item.change > 0 %}+{% endif %}{{ item.change|whole }})</strong>{% endif %}</li>{% endfor %}"""  # noqa: E501

# templates/toolkits/peer_evidence.html before it called the tag.
EVIDENCE = """{% for shared in group.peer_evidence %}
        <p><strong><a href="{% url 'cities:detail' shared.peer.city_slug %}">{{ shared.peer.city_name }}</a></strong> <span class="muted small">({% translate "meets this key factor; its own evidence" %})</span>{% if shared.peer.is_illustrative %} <span class="pill pill-warn">{% translate "illustrative levels" %}</span>{% endif %}</p>
        <ul class="small">{% for answer in shared.answers %}<li>{{ answer.item.text|tr }} — {{ answer.level.label|tr }}: <span style="white-space:pre-wrap">{{ answer.evidence|truncatewords:60 }}</span></li>{% endfor %}</ul>
        {% if shared.context %}<details class="small"><summary>{% blocktranslate with city=shared.peer.city_name count counter=shared.context|length %}The context factor {{ city }} cites{% plural %}The {{ counter }} context factors {{ city }} cites{% endblocktranslate %}</summary><dl>{% for item, explanation in shared.context %}<dt>{{ item.text|tr }}</dt><dd style="white-space:pre-wrap">{{ explanation }}</dd>{% endfor %}</dl></details>{% endif %}
      {% endfor %}"""  # noqa: E501


def _loop(source: str, **context: Any) -> str:
    return Template("{% load i18n scores selftest_lists translated %}" + source).render(
        Context(context)
    )


def _item(text: Any) -> Row:
    return Row(text=text)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_lists_are_the_loops_they_replace(language: str) -> None:
    gaps = [
        Row(item=_item(HOSTILE), level=Row(label={"en": "No", "fr": "Non"}), peers_meeting=0),
        Row(item=_item("Plain text"), level=Row(label="Partly"), peers_meeting=1),
        Row(item=_item({"en": "Many"}), level=Row(label=HOSTILE), peers_meeting=1234),
    ]
    unknown = [
        Row(item=_item(HOSTILE), level=None),
        Row(item=_item("Asked"), level=Row(label={"en": "Don't know", "fr": "Ne sait pas"})),
    ]
    examples = [
        {"city": HOSTILE, "city_slug": "ghent", "title": HOSTILE, "text": "word " * 80},
        {"city": "Riga", "text": {"en": "Short <i>text</i>", "fr": "Texte court"}},
        {"city": {"en": "Oslo"}, "city_slug": "", "title": "", "text": ""},
    ]
    items = [
        Row(item=_item(HOSTILE), before=None, score=None, change=None),
        Row(item=_item("Up"), before=25.0, score=50.0, change=25.0),
        Row(item=_item("Down"), before=100.0, score=49.5, change=-50.5),
        Row(item=_item("Same"), before=0.0, score=0.0, change=0.0),
    ]
    level = Row(label={"en": "Yes", "fr": "Oui"})
    shared = [
        {
            "peer": Row(city_slug="ghent", city_name=HOSTILE["en"], is_illustrative=True),
            "answers": [
                {"item": _item(HOSTILE), "level": level, "evidence": "word " * 80},
                {"item": _item("Plain"), "level": Row(label=HOSTILE), "evidence": HOSTILE["fr"]},
            ],
            "context": [(_item(HOSTILE), "Because\n<of> this"), (_item("Budget"), "Small")],
        },
        {
            "peer": Row(city_slug="riga", city_name="Riga", is_illustrative=False),
            "answers": [{"item": _item("Only"), "level": level, "evidence": "One line."}],
            "context": [(_item({"en": "One factor"}), "Cited")],
        },
        {
            "peer": Row(city_slug="oslo", city_name="Oslo", is_illustrative=False),
            "answers": [],
            "context": [],
        },
    ]
    with translation.override(language):
        assert selftest_lists.gap_items(gaps) == _loop(GAPS, group={"gaps": gaps})
        assert selftest_lists.unknown_items(unknown) == _loop(UNKNOWN, group={"unknown": unknown})
        assert selftest_lists.benchmark_examples(examples) == _loop(
            EXAMPLES, group={"examples": examples}
        )
        assert selftest_lists.question_changes(items) == _loop(CHANGES, row={"items": items})
        assert selftest_lists.peer_evidence(shared) == _loop(
            EVIDENCE, group={"peer_evidence": shared}
        )
    assert "&lt;script&gt;" in selftest_lists.gap_items(gaps)


# templates/toolkits/results_body.html's tables and sections before they were written by tags.
SCORE_ROWS = """{% translate "Score" as score_label %}{% translate "With a score" as coverage_label %}{% translate "Network median" as median_label %}
    {% for row in r.sections %}
      <tr><th scope="row"><a href="#gaps-{{ row.section.key }}">{{ row.section.title|tr }}</a></th>
        <td data-label="{{ score_label }}" class="num">{% score row.result %}</td>
        <td data-label="{{ coverage_label }}" class="num">{{ row.result.scored_items }} / {{ row.result.items }}</td>
        <td data-label="{{ median_label }}" class="num">{% with c=row.comparisons.0 %}{% if c.spread.median is not None %}{{ c.spread.median|whole }}{% else %}—{% endif %}{% endwith %}</td></tr>
    {% endfor %}"""  # noqa: E501

COMMENTS = """{% for row in r.sections %}{% if row.comment %}<p class="small"><strong>{{ row.section.title|tr }}:</strong> <span style="white-space:pre-wrap">{{ row.comment }}</span></p>{% endif %}{% endfor %}"""  # noqa: E501

GAP_SECTIONS = """{% for group in r.gap_groups %}
  <section aria-labelledby="gaps-{{ group.section.key }}" class="card">
    <h3 id="gaps-{{ group.section.key }}">{{ group.section.title|tr }} <span class="pill">{% score group.result %}</span></h3>
    {% if group.gaps %}
    <ul>{% gap_items group.gaps %}</ul>
    {% endif %}
    {% if group.unknown %}
    <p class="small"><strong>{% translate "Gaps in knowledge:" %}</strong></p>
    <ul class="small">{% unknown_items group.unknown %}</ul>
    {% endif %}
    {% if group.examples or group.evidence_html or group.practices %}
    <details{% if group.is_weak %} open{% endif %}>
      <summary>{% translate "Inspiration" %}</summary>
      {% benchmark_examples group.examples %}
      {% if group.practices %}<p class="small"><strong>{% translate "From the practice library:" %}</strong></p><ul class="small">{% for practice in group.practices %}<li><a href="{{ practice.url }}">{{ practice.title }}</a> — {{ practice.city_name }}{% if practice.year %}, {{ practice.year }}{% endif %}</li>{% endfor %}</ul>{% endif %}
      {{ group.evidence_html }}
    </details>
    {% endif %}
  </section>
  {% empty %}
  <p>{% translate "Every guide question is met: nothing more to do under this benchmark." %}</p>
  {% endfor %}"""  # noqa: E501

PEER_ROWS = """{% for row in r.sections %}
      <tr><th scope="row">{{ row.section.title|tr }}</th><td class="num">{% score row.result %}</td>
      {% for c in row.comparisons %}<td class="num">{% comparison c %}</td>{% endfor %}</tr>
    {% endfor %}
      <tr><th scope="row">{% translate "Overall" %}</th><td class="num">{% score r.overall %}</td>
      {% for c in r.overall_comparisons %}<td class="num">{% comparison c %}</td>{% endfor %}</tr>"""  # noqa: E501

PROGRESS_ROWS = """{% translate "Before" as before_label %}{% translate "Now" as now_label %}{% translate "Change" as change_label %}
    {% for row in r.sections %}
      <tr><th scope="row">{{ row.section.title|tr }}</th><td data-label="{{ before_label }}" class="num">{% if row.before is not None %}{{ row.before|whole }}{% else %}—{% endif %}</td><td data-label="{{ now_label }}" class="num">{% if row.result.headline is not None %}{{ row.result.headline|whole }}{% else %}—{% endif %}</td><td data-label="{{ change_label }}" class="num">{% if row.change is not None %}{% if row.change > 0 %}+{% endif %}{{ row.change|whole }}{% else %}—{% endif %}</td></tr>
    {% endfor %}
      <tr><th scope="row">{% translate "Overall" %}</th><td data-label="{{ before_label }}" class="num">{% if r.overall_before is not None %}{{ r.overall_before|whole }}{% else %}—{% endif %}</td><td data-label="{{ now_label }}" class="num">{% if r.overall.headline is not None %}{{ r.overall.headline|whole }}{% else %}—{% endif %}</td><td data-label="{{ change_label }}" class="num">{% if r.overall_change is not None %}{% if r.overall_change > 0 %}+{% endif %}{{ r.overall_change|whole }}{% else %}—{% endif %}</td></tr>"""  # noqa: E501

CHANGE_SECTIONS = """{% for row in r.sections %}
    <h4>{{ row.section.title|tr }}</h4>
    <ul class="small">{% question_changes row.items %}</ul>
  {% endfor %}"""

TABLES = {
    "score_rows": SCORE_ROWS,
    "section_comments": COMMENTS,
    "gap_sections": GAP_SECTIONS,
    "peer_rows": PEER_ROWS,
    "progress_rows": PROGRESS_ROWS,
    "question_change_sections": CHANGE_SECTIONS,
}


def _lines(html: str) -> str:
    """The HTML without the indentation and blank lines between its lines, which the tags do
    not reproduce (nothing a browser shows)."""
    return re.sub(r"\s*\n\s*", "\n", html).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_tables_and_sections_are_the_loops_they_replace(people: People, language: str) -> None:
    benchmark = framework_import_path(path=FILE, publish=True).framework
    keys = rating_keys(benchmark)
    yes = dict.fromkeys(keys, "yes")
    antwerp = SignatoryFactory.create(country="BE", name="Antwerp <b>")
    _selftest(benchmark, antwerp, yes, share=True, evidence=HOSTILE["en"])
    _selftest(benchmark, people.riga, dict.fromkeys(keys, "partly"))
    _selftest(benchmark, people.ghent, dict.fromkeys(keys[:30], "partly"), days_ago=400)
    levels = dict.fromkeys(keys[:10], "no") | dict.fromkeys(keys[10:14], "dont_know")
    levels |= dict.fromkeys(keys[14:30], "yes")  # the last guide questions not answered
    comments = {"data-collection-comment": HOSTILE["en"], "branding-language-comment": "Two\nlines"}
    own = _selftest(benchmark, people.ghent, levels, texts=comments)
    met = _selftest(benchmark, SignatoryFactory.create(country="DE"), yes)
    with translation.override(language):
        for assessment in (own, met):
            found = selftest_results(assessment)
            _keep_peer_evidence(found)
            for tag, loop in TABLES.items():
                written = str(getattr(selftest_lists, tag)(found))
                assert _lines(written) == _lines(_loop(loop, r=found)), tag
    with translation.override(language):
        found = selftest_results(own)
        assert found.previous is not None and found.gap_groups
        assert ">+" in selftest_lists.progress_rows(found)  # a key factor up, another down
        assert ">-" in selftest_lists.progress_rows(found)
        assert "&lt;script&gt;" in selftest_lists.section_comments(found)
        assert "Every guide question is met" not in selftest_lists.gap_sections(found)
    with translation.override("en"):
        assert "Every guide question is met" in selftest_lists.gap_sections(selftest_results(met))
