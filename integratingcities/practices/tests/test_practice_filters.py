"""The library's filter menus are written in Python; they must write what the template loops
did, with a field's errors too."""

from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from integratingcities.practices.forms import SearchForm

# What practices/library.html looped over before.
LOOP = Template(
    "{% load i18n %}    {% for field, options in facet_fields %}\n"
    '    <div class="{% if field.errors %}field-has-error{% endif %}">\n'
    '      <label for="{{ field.auto_id }}">{{ field.label }}</label>'
    '\n      <select name="{{ field.html_name }}" id="{{ field.auto_id }}"{% if field.errors %} '
    'aria-describedby="{{ field.auto_id }}_error"{% endif %}>\n        <option value="">'
    '{% translate "Any" %}</option>{{ options }}\n      </select>\n      {% if field.errors %}'
    '<div class="field-error" id="{{ field.auto_id }}_error">{% for error in field.errors %}'
    "<p>{{ error }}</p>{% endfor %}</div>{% endif %}\n    </div>\n    {% endfor %}|"
    '{% for value, label in form.fields.sort.choices %}<option value="{{ value }}"'
    "{% if value == selected %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)
TAG = Template(
    '{% load i18n practice_filters %}    {% translate "Any" as any_label %}'
    "{% filter_menus facet_fields any_label %}|"
    "{% choice_options form.fields.sort.choices selected %}"
)
HOSTILE = '<script>alert("x")</script>&'
NAMES = ("role", "commitment", "benchmark", "factor", "country", "city", "year", "source")


def _context(data: dict[str, str], options: Any) -> Context:
    form = SearchForm(data)
    form.is_valid()
    return Context(
        {
            "form": form,
            "facet_fields": [(form[name], options) for name in NAMES],
            "selected": data.get("sort", ""),
        }
    )


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"role": "city-as-employer", "country": "BE", "sort": "newest"},
        # Every field wrong: each menu shows its error, with the value escaped.
        {"role": HOSTILE, "country": HOSTILE, "city": "Zürich", "year": "x", "source": HOSTILE},
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        mark_safe('<option value="a&amp;b" selected>A &amp; B</option>'),
        HOSTILE,  # not marked safe: escaped, as the template would
    ],
)
def test_the_menus_are_what_the_loops_wrote(
    language: str, data: dict[str, str], options: Any
) -> None:
    with translation.override(language):
        assert TAG.render(_context(data, options)) == LOOP.render(_context(data, options))


def test_a_wrong_value_is_shown_escaped() -> None:
    written = TAG.render(_context({"role": HOSTILE}, ""))
    assert "field-has-error" in written and 'aria-describedby="id_role_error"' in written
    assert "<script>" not in written and "&lt;script&gt;" in written
