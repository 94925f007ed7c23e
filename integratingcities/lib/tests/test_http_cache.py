"""HTTP caching of public pages (lib/http_cache.py), and the shared database cache."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from integratingcities.lib.testing import People, client_for

PUBLIC_PAGES = ["/", "/signatories/", "/cities/", "/practices/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_visitor_gets_a_public_page_with_an_etag_and_a_repeat_gets_304(
    people: People, url: str
) -> None:
    client = Client()
    first = client.get(url)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"]
    # A proxy keeps it a minute; the visitor's browser asks again each time (a 304 if unchanged).
    assert "s-maxage=60" in first["Cache-Control"]
    assert "max-age=0" in first["Cache-Control"]
    assert first.has_header("ETag")
    assert not first.cookies, "a page a proxy may share must set no cookie"
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in first["Vary"].split(",")}

    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    # The page is the same for the next visitor: a proxy serves one copy to both.
    assert Client().get(url)["ETag"] == first["ETag"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_logged_in_person_gets_a_private_page(people: People, url: str) -> None:
    response = client_for(people.editor).get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.django_db
def test_a_page_with_a_form_for_a_logged_in_person_is_never_public(people: People) -> None:
    response = client_for(people.secretariat).get(f"/cities/{people.ghent.slug}/edit/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "private" in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_page_that_sets_a_cookie_is_never_public(people: People) -> None:
    # The login form carries a CSRF token, and so sets the CSRF cookie.
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert response.cookies
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_post_answer_is_never_public(people: People) -> None:
    response = Client().post("/accounts/login/", {"username": "x", "password": "y"})
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_request_with_credentials_is_not_shared(people: People) -> None:
    response = Client().get("/signatories/", headers={"authorization": "Bearer something"})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_visitor_changes_language_without_a_csrf_cookie(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/signatories/")
    assert b"csrfmiddlewaretoken" not in page.content
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/signatories/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    assert "public" not in response["Cache-Control"]
    assert client.get("/signatories/").headers["Content-Language"] == "fr"


@pytest.mark.django_db
def test_a_logged_in_person_still_gets_the_token_in_the_language_form(people: People) -> None:
    assert b"csrfmiddlewaretoken" in client_for(people.editor).get("/signatories/").content


# The tests run on a memory cache (pyproject.toml): the fixture that empties it before each test
# runs without the database, and the query counts pinned on list pages count pages, not cache
# reads. This test runs the real database cache, on the table the migration made.
DATABASE_CACHES = {
    alias: {"BACKEND": "integratingcities.lib.cache.DatabaseCache", "LOCATION": "ic_cache"}
    for alias in ("default", "worker_a", "worker_b")
}


@pytest.mark.django_db
def test_the_database_cache_is_shared_between_connections() -> None:
    with override_settings(CACHES=DATABASE_CACHES):
        one, other = caches["worker_a"], caches["worker_b"]
        assert one is not other
        one.set("facets:v1", {"total": 3}, 60)
        assert other.get("facets:v1") == {"total": 3}
        assert other.add("facets:version", 1) and one.incr("facets:version") == 2
        other.delete("facets:v1")
        assert one.get("facets:v1") is None
        assert other.get("facets:version") == 2
