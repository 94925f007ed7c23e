"""A survey's sections on its overview are written in Python; they must write what the template
loop did."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

# What assessments/assessment_detail.html looped over before.
LOOP = Template(
    "{% load i18n %}{% for section in sections %}\n"
    "  <li><a href=\"{% url 'assessments:section' assessment_pk section.key %}\">"
    '{{ section.title|tr }}</a> <span class="muted">— {% blocktranslate with '
    "answered=section.answered total=section.item_count %}{{ answered }} of {{ total }} answered"
    "{% endblocktranslate %}{% if section.to_confirm %}, {% blocktranslate count "
    "counter=section.to_confirm %}{{ counter }} carried over, to confirm{% plural %}{{ counter }}"
    " carried over, to confirm{% endblocktranslate %}{% endif %}</span></li>\n{% endfor %}"
)
TAG = Template("{% load section_list %}{% section_list assessment_pk sections %}")
HOSTILE = '<script>alert("x")</script> & Co'


def _section(key: str, title: object, answered: int, total: int, to_confirm: int) -> object:
    return SimpleNamespace(
        key=key, title=title, answered=answered, item_count=total, to_confirm=to_confirm
    )


SECTIONS = [
    _section("policymaker", {"en": "Policymaker", "fr": "Décideur", "de": "Politik"}, 3, 9, 0),
    _section("employer", HOSTILE, 0, 1, 1),
    _section("service-provider", {"en": "Services & providers"}, 1234, 5678, 2),
]


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("sections", [SECTIONS, SECTIONS[:1], []])
def test_the_sections_are_what_the_loop_wrote(language: str, sections: list[object]) -> None:
    context = {"assessment_pk": 42, "sections": sections}
    with translation.override(language):
        assert TAG.render(Context(context)) == LOOP.render(Context(context))
    written = TAG.render(Context({"assessment_pk": 42, "sections": SECTIONS}))
    assert "<script>" not in written and "&lt;script&gt;" in written
    assert 'href="/assessments/42/sections/employer/"' in written
