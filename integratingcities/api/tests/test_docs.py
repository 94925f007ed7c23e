"""The API documentation works on a machine without internet: Swagger UI comes from the platform."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client


def _docs_html() -> str:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    return response.content.decode()


def test_the_docs_page_loads_nothing_from_another_host(db: None) -> None:
    html = _docs_html()
    assert "swagger-ui" in html
    for outside in ("cdn", "//unpkg", "jsdelivr", "cdnjs", "http://", "https://"):
        assert outside not in html.lower(), outside


def test_the_files_the_docs_page_references_exist(db: None) -> None:
    html = _docs_html()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    static = [urlsplit(ref).path for ref in references if ref.startswith(settings.STATIC_URL)]
    assert {"swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"} <= {
        name.rsplit("/", 1)[-1] for name in static
    }
    for url in static:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url


def test_the_docs_page_has_a_language_and_a_way_back(db: None) -> None:
    html = _docs_html()
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert 'href="/"' in html


def test_the_docs_page_puts_no_link_inside_a_button(db: None) -> None:
    """Swagger UI's deep links put each operation's link inside the button that opens it (axe:
    nested-interactive, WCAG 4.1.2); the page turns them off."""
    assert '"deepLinking": false' in _docs_html()
