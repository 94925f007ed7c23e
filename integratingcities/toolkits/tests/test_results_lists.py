"""The lists of a self-test's results page that are written in Python write, byte for byte,
what the template loops they replace wrote: hostile text escaped, missing values, plurals,
signs and other languages included."""

from types import SimpleNamespace as Row
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from integratingcities.results.templatetags import selftest_lists

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
    return Template("{% load i18n scores %}" + source).render(Context(context))


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
