from django.urls import reverse

from integratingcities.lib.testing import People, client_for
from integratingcities.network.models import NewsItem, NewsStatus


def _write(people: People, **data: str) -> object:
    form = {
        "title": "Charter survey 2026 opens",
        "slug": "survey-2026",
        "summary": "It opens.",
        "body": "The **survey** opens.",
        **data,
    }
    return client_for(people.secretariat).post(reverse("network:news_create"), form)


def test_a_draft_stays_off_the_public_pages(people: People) -> None:
    _write(people)
    item = NewsItem.objects.get(slug="survey-2026")
    assert item.status == NewsStatus.DRAFT
    assert item.author == people.secretariat
    assert (
        "Charter survey 2026" not in client_for(None).get(reverse("network:news")).content.decode()
    )


def test_publishing_puts_it_on_the_news_and_home_pages(people: People) -> None:
    _write(people, publish="on")
    item = NewsItem.objects.get(slug="survey-2026")
    assert item.published_at is not None
    for url in (reverse("network:news"), reverse("site:home")):
        assert "Charter survey 2026 opens" in client_for(None).get(url).content.decode()
    page = client_for(None).get(item.get_absolute_url()).content.decode()
    assert "<strong>survey</strong>" in page


def test_unpublishing_keeps_the_first_publication_date(people: People) -> None:
    _write(people, publish="on")
    first = NewsItem.objects.get().published_at
    url = reverse("network:news_edit", kwargs={"slug": "survey-2026"})
    client_for(people.secretariat).post(
        url, {"title": "T", "slug": "survey-2026", "summary": "S", "body": "B"}
    )
    item = NewsItem.objects.get()
    assert item.status == NewsStatus.DRAFT
    assert item.published_at == first


def test_script_in_news_is_removed(people: People) -> None:
    _write(
        people,
        publish="on",
        body='Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror="alert(3)">',
    )
    page = client_for(None).get("/news/survey-2026/").content.decode()
    body = page.split('class="lead"', 1)[1]
    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert "onerror" not in body
