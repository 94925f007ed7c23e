"""The pages of errors with DEBUG off: in the site's layout, in plain words, with a way back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject

from config import urls as config_urls
from integratingcities.lib.testing import People, client_for
from integratingcities.site import errors


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault in a view")


# The site's URLs and two views that fail, for the tests marked with this module as URLconf.
urlpatterns = [
    path("test-only/forbidden/", forbidden),
    path("test-only/broken/", broken),
    *config_urls.urlpatterns,
]
handler404 = config_urls.handler404
handler403 = config_urls.handler403
handler500 = config_urls.handler500
THIS_URLCONF = __name__


def _has_site_layout(html: str) -> None:
    assert 'aria-label="Main"' in html
    assert f'href="{reverse("cities:signatories")}"' in html
    assert f'href="{reverse("site:home")}"' in html


def test_the_site_declares_its_own_error_pages() -> None:
    assert config_urls.handler404 is errors.page_not_found
    assert config_urls.handler403 is errors.permission_denied
    assert config_urls.handler500 is errors.server_error


def test_a_missing_page_says_so_in_the_site_layout(settings, db: None) -> None:
    assert settings.DEBUG is False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _has_site_layout(html)
    assert "This page does not exist" in html
    assert "<code>/no-such-page/</code>" in html
    assert f'action="{reverse("practices:library")}"' in html  # search the practices
    assert 'name="q"' in html
    assert f'href="{reverse("cities:list")}"' in html


def test_a_missing_page_links_back_to_the_page_of_the_site_one_came_from(db: None) -> None:
    response = Client().get("/no-such-page/", HTTP_REFERER="http://testserver/cities/?country=BE")
    assert 'href="http://testserver/cities/?country=BE"' in response.content.decode()
    assert "Back to the page you came from" in response.content.decode()


@pytest.mark.parametrize(
    "referer",
    ["https://elsewhere.example/page/", "http://testserver/no-such-page/", "javascript:alert(1)"],
)
def test_it_offers_no_way_back_to_another_site_or_to_the_same_page(db: None, referer: str) -> None:
    response = Client().get("/no-such-page/", HTTP_REFERER=referer)
    assert response.status_code == 404
    assert "Back to the page you came from" not in response.content.decode()


def test_a_missing_page_escapes_the_address(db: None) -> None:
    response = Client().get("/<script>x</script>/")
    assert "<script>x" not in response.content.decode()


def test_a_viewer_posting_to_a_secretariat_page_is_told_in_the_site_layout(
    people: People,
) -> None:
    response = client_for(people.viewer).post(reverse("cities:create"), {"name": "Nowhere"})
    assert response.status_code == 403
    html = response.content.decode()
    _has_site_layout(html)
    assert "You may not open this page" in html
    assert people.viewer.email in html
    assert f'href="{reverse("accounts:home")}"' in html
    assert "Log in, then come back" not in html


@pytest.mark.urls(THIS_URLCONF)
def test_an_anonymous_visitor_refused_is_offered_to_log_in(db: None) -> None:
    response = Client().get("/test-only/forbidden/?tab=2")
    assert response.status_code == 403
    html = response.content.decode()
    _has_site_layout(html)
    assert "You may not open this page" in html
    login = reverse("accounts:login")
    assert f'href="{login}?next=/test-only/forbidden/%3Ftab%3D2"' in html


@pytest.mark.urls(THIS_URLCONF)
def test_a_fault_shows_the_500_page_in_the_site_layout(people: People) -> None:
    client = client_for(people.editor)
    client.raise_request_exception = False
    response = client.get("/test-only/broken/", HTTP_REFERER="http://testserver/cities/")
    assert response.status_code == 500
    html = response.content.decode()
    _has_site_layout(html)
    assert "Something went wrong on our side" in html
    assert 'href="http://testserver/cities/"' in html
    # Rendered without the session: the person is not named, and nothing asks the database.
    assert people.editor.email not in html
    assert people.editor.get_short_name() not in html


def test_the_500_page_needs_no_database() -> None:
    """The database may be what failed: the page must not touch it, not even for the user.

    No ``db`` fixture: pytest-django refuses any query this test would make.
    """

    def unavailable() -> object:
        raise AssertionError("the 500 page read the user (the session, the database)")

    request = RequestFactory().get("/cities/ghent/")
    request.user = SimpleLazyObject(unavailable)  # type: ignore[assignment]
    response = errors.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'aria-label="Main"' in html
    # The footer's language form still works: for a visitor it needs no CSRF token
    # (lib/http_cache.py), so none is rendered, and certainly not an empty one.
    assert 'action="/i18n/setlang/"' in html
    assert "csrfmiddlewaretoken" not in html


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_error_pages_follow_the_language(db: None, language: str) -> None:
    client = Client()
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.content.decode()
