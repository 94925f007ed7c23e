"""The section form's questions are written in Python (``section_rows``); they must write
what the template loop wrote. ``LOOP`` is that loop, as it was in
templates/assessments/section_form.html."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from integratingcities.assessments.models import Answer, Assessment, Comment
from integratingcities.assessments.services import assessment_carry_over
from integratingcities.frameworks.models import Framework, Item, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, client_for
from integratingcities.practices.templatetags.practices import answer_proposals
from integratingcities.practices.tests.factories import PracticeFactory

from .test_carry_over import _ghent_2024

BODY = (
    "\n"
    '  <fieldset class="question" id="item-{{ row.item.pk }}">\n'
    "    <legend>{{ forloop.counter }}. {{ row.item.text|tr }}{% if not"
    ' row.item.required %} <span class="required">({% translate "optional"'
    " %})</span>{% endif %}</legend>\n"
    '    {% if row.item.sub_questions %}<ul class="help">{% for question in'
    " row.item.sub_questions %}<li>{{ question|tr }}</li>{% endfor %}</ul>{% endif"
    " %}\n"
    "    {% if row.item.guidance %}{% if section.is_context %}<div"
    ' class="help"><p>{% translate "What this may involve:" %}</p>{{'
    ' row.item.guidance|tr|markdown }}<p>{% translate "If it affects your city,'
    ' explain how; leave it empty otherwise." %}</p></div>{% else %}<p'
    ' class="help">{{ row.item.guidance|tr }}</p>{% endif %}{% endif %}\n'
    "    {{ row.version }}\n"
    '    {% include "assessments/last_time.html" with'
    " earlier=last_time.readings|get_item:row.item.pk %}\n"
    "    {% if row.confirm %}\n"
    '      <div class="comment carried-over">\n'
    '        <p><span class="pill pill-warn">{% translate "Carried over, please'
    ' confirm" %}</span> {% if last_time %}{% blocktranslate with'
    " source=last_time.name %}This answer was copied from {{ source }}. Change it,"
    ' or confirm it as it is.{% endblocktranslate %}{% else %}{% translate "This'
    ' answer was copied from earlier answers. Change it, or confirm it as it is."'
    " %}{% endif %}</p>\n"
    '        <div class="field">{{ row.confirm }} <label for="{{'
    ' row.confirm.id_for_label }}">{{ row.confirm.label }}</label></div>\n'
    "      </div>\n"
    "    {% endif %}\n"
    "    {% for field in row.fields %}\n"
    '      <div class="field{% if field.errors %} field-has-error{% endif %}{% if'
    " field.widget_type == 'radiolist' or field.widget_type == 'checkboxlist' %}"
    ' choices{% endif %}">\n'
    "        {% if field.widget_type == 'radiolist' or field.widget_type =="
    " 'checkboxlist' %}\n"
    '          <span class="visually-hidden">{{ field.label }}</span>{{ field }}\n'
    "        {% else %}\n"
    '          <label for="{{ field.id_for_label }}">{% if field.name|slice:"-5:" =='
    ' "-text" or field.name|slice:"-7:" == "-number" %}{% translate "Your answer"'
    " %}{% else %}{{ field.label }}{% endif %}</label>{{ field }}\n"
    "        {% endif %}\n"
    '        {% if field.errors %}<div class="field-error">{% for error in'
    " field.errors %}<p>{{ error }}</p>{% endfor %}</div>{% endif %}\n"
    '        {% if field.help_text %}<div class="help" id="{{ field.auto_id'
    ' }}_helptext">{{ field.help_text }}</div>{% endif %}\n'
    "      </div>\n"
    "    {% endfor %}\n"
    "    {% with conflict=conflicts|get_item:row.item.pk %}{% if conflict %}\n"
    '      <div class="conflict">\n'
    "        <p><strong>{% blocktranslate with who=conflict.theirs.updated_by"
    ' when=conflict.theirs.updated_at|date:"DATETIME_FORMAT" %}Saved by {{ who }} at'
    " {{ when }} (now in the form). Your version was:{% endblocktranslate"
    " %}</strong></p>\n"
    "        {% if conflict.yours.level %}<p>{{ conflict.yours.level }}</p>{% endif"
    " %}\n"
    '        {% if conflict.yours.choices %}<p>{{ conflict.yours.choices|join:", "'
    " }}</p>{% endif %}\n"
    "        {% if conflict.yours.number is not None %}<p>{{ conflict.yours.number"
    " }}</p>{% endif %}\n"
    '        {% if conflict.yours.text %}<p style="white-space:pre-wrap">{{'
    " conflict.yours.text }}</p>{% endif %}\n"
    '        {% if conflict.yours.evidence %}<p style="white-space:pre-wrap">{{'
    " conflict.yours.evidence }}</p>{% endif %}\n"
    '        {% if conflict.yours.links %}<p>{{ conflict.yours.links|join:" "'
    " }}</p>{% endif %}\n"
    "      </div>\n"
    "    {% endif %}{% endwith %}\n"
    '    {% include "assessments/item_comments.html" with item=row.item %}\n'
    '    {% include "practices/includes/propose_button.html" with'
    " proposal=proposals|get_item:row.item.pk %}\n"
    "  </fieldset>\n"
    "  "
)
LOOP = Template("{% load i18n practices %}{% for row in rows %}" + BODY + "{% endfor %}")
TAG = Template("{% load section_rows %}{% section_rows %}")
HOSTILE = "<script>alert(\"x\")</script> & “quotes” 'n' <b>bold</b>"
KEYS = ("rows", "section", "last_time", "conflicts", "comments", "may_comment", "may_reply")


def _both(response: Any, user: Any, language: str) -> tuple[str, str]:
    assert response.status_code in (200, 409), response.status_code
    found = {key: response.context.get(key) for key in KEYS}
    found["proposals"] = answer_proposals(
        response.context["assessment"], response.context["answers"], user
    )
    with translation.override(language):
        return TAG.render(Context(found)), LOOP.render(Context(found))


def _section(assessment: Assessment, key: str) -> str:
    return reverse("assessments:section", args=[assessment.pk, key])


def _item(framework: Framework, key: str) -> Item:
    return Item.objects.filter(section__framework=framework, key=key).first()  # type: ignore[return-value]


def _level(framework: Framework, key: str) -> Level:
    return Level.objects.get(scale__framework=framework, key=key)


LANGUAGES = ["en", "fr", "de"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("section", ["policymaker", "organisation", "trends"])
def test_answered_sections_with_comments_and_proposals(
    people: People, ghent_assessment: Assessment, section: str, language: str
) -> None:
    framework = ghent_assessment.framework
    for item in Item.objects.filter(section__framework=framework, section__key=section):
        answer = Answer.objects.create(
            assessment=ghent_assessment,
            item=item,
            level=_level(framework, "partly") if item.kind == "rating" else None,
            evidence=HOSTILE if item.kind == "rating" else "",
            links=["https://example.org/?a=1&b=<2>"] if item.kind == "rating" else [],
            text=HOSTILE if item.kind == "text" else "",
            choices=[item.options[0]["key"]] if item.kind.endswith("choice") else [],
            number=12 if item.kind == "number" else None,
            is_answered=True,
            version=3,
        )
        Comment.objects.create(
            assessment=ghent_assessment, item=item, author=people.reviewer, text=HOSTILE
        )
        if item.kind == "rating" and item.position % 2:
            PracticeFactory(from_answer=answer, city=people.ghent, status="draft")
    for user in (people.editor, people.reviewer):
        response = client_for(user).get(_section(ghent_assessment, section))
        written, looped = _both(response, user, language)
        assert written == looped
        assert "<script>" not in written


@pytest.mark.parametrize("language", LANGUAGES)
def test_carried_over_answers_with_last_time(
    people: People, charter: Framework, ghent_assessment: Assessment, language: str
) -> None:
    _ghent_2024(people, charter)
    assessment_carry_over(assessment=ghent_assessment, user=people.editor)
    for section in ("policymaker", "organisation", "trends"):
        response = client_for(people.editor).get(_section(ghent_assessment, section))
        written, looped = _both(response, people.editor, language)
        assert written == looped
        assert "Carried over, please confirm" in written or language != "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_conflict_and_a_refused_link(
    people: People, ghent_assessment: Assessment, language: str
) -> None:
    item = _item(ghent_assessment.framework, "communicate-commitment")
    url = _section(ghent_assessment, "policymaker")
    form = {f"i{item.pk}-evidence": HOSTILE, f"i{item.pk}-version": "0"}
    client: Client = client_for(people.editor)
    client.post(url, form)
    conflict = client.post(url, {**form, f"i{item.pk}-evidence": "Second <i>editor</i>"})
    assert conflict.status_code == 409
    written, looped = _both(conflict, people.editor, language)
    assert written == looped and 'class="conflict"' in written
    refused = client.post(
        url,
        {f"i{item.pk}-links": "javascript:alert(1)\nnot a link", f"i{item.pk}-version": "1"},
    )
    written, looped = _both(refused, people.editor, language)
    assert written == looped and "field-has-error" in written


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_benchmark_context_section(people: People, language: str) -> None:
    path = Path(settings.BASE_DIR) / "content/frameworks/anti-discrimination-job-market.v1.yaml"
    benchmark = framework_import_path(path=path, publish=True).framework
    own = Assessment.objects.create(city=people.ghent, framework=benchmark)
    for section in benchmark.sections.all():
        response = client_for(people.editor).get(_section(own, section.key))
        written, looped = _both(response, people.editor, language)
        assert written == looped
