"""base.html: its fixed parts kept per language ({% per_language %}), the rest of every request."""

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse, set_script_prefix

from integratingcities.lib.testing import People, client_for


def _selected(html: str) -> list[str]:
    return re.findall(r'<option value="(\w+)" selected>', html)


@pytest.mark.django_db
def test_each_language_gets_its_own_layout_in_any_order() -> None:
    for language, change in [("fr", "Modification"), ("en", "Change")] * 2:
        html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
        assert f'<html lang="{language}">' in html
        assert _selected(html) == [language]
        assert f'<button type="submit" class="button button-small">{change}</button>' in html


def test_a_kept_part_sees_no_variable_of_the_page() -> None:
    page = Template("{% load site_nav %}{% per_language %}[{{ secret }}]{% endper_language %}")
    assert page.render(Context({"secret": "the page's"})) == "[]"


def test_a_kept_part_is_kept_per_script_prefix() -> None:
    page = Template(
        "{% load site_nav %}{% per_language %}{% url 'site:home' %}{% endper_language %}"
    )
    try:
        set_script_prefix("/platform/")
        assert page.render(Context()) == "/platform/"
    finally:
        set_script_prefix("/")
    assert page.render(Context()) == "/"


def test_what_depends_on_the_person_and_the_page_is_still_rendered_each_time(
    people: People,
) -> None:
    visitor = client_for(None).get(reverse("cities:list") + "?page=2").content.decode()
    assert "csrfmiddlewaretoken" not in visitor
    assert 'name="next" type="hidden" value="/cities/?page=2"' in visitor
    assert f'href="{reverse("accounts:login")}"' in visitor
    editor = client_for(people.editor).get("/").content.decode()
    assert editor.count('name="csrfmiddlewaretoken"') == 2  # log out, language
    assert f'href="{reverse("accounts:login")}"' not in editor
    assert people.editor.get_short_name() in editor
    assert 'name="next" type="hidden" value="/"' in editor
