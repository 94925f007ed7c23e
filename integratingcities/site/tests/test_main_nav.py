"""The main menu, worked out once per language (site_nav): every link, the current one marked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from integratingcities.site.templatetags.site_nav import MAIN_NAV

LINK = re.compile(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>')


def _menu(html: str) -> list[tuple[str, bool, str]]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav is not None
    return [(url, bool(current), label) for url, current, label in LINK.findall(nav.group(0))]


@pytest.mark.django_db
def test_it_links_every_entry_and_marks_only_the_page_shown() -> None:
    menu = _menu(Client().get(reverse("cities:signatories")).content.decode())
    assert [(url, label) for url, _, label in menu] == [
        (reverse(name), str(label)) for name, label in MAIN_NAV
    ]
    assert [url for url, current, _ in menu if current] == [reverse("cities:signatories")]
    assert menu[0] == (reverse("frameworks:charter"), False, "The Charter")


@pytest.mark.django_db
def test_a_page_outside_the_menu_marks_none_and_another_marks_its_own() -> None:
    assert not any(current for _, current, _ in _menu(Client().get("/").content.decode()))
    news = _menu(Client().get(reverse("network:news")).content.decode())
    assert [label for _, current, label in news if current] == ["News"]


@pytest.mark.django_db
def test_the_fixed_links_of_every_page_are_there() -> None:
    html = Client().get("/").content.decode()
    for name in ("site:home", "accounts:login", "opendata:index", "api:openapi-view"):
        assert f'href="{reverse(name)}"' in html
    assert f'<form action="{reverse("set_language")}" method="post"' in html
