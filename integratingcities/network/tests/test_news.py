from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from integratingcities.accounts.models import User
from integratingcities.lib.testing import People, client_for
from integratingcities.network.models import NewsItem, NewsStatus
from integratingcities.network.services import network_load
from integratingcities.network.tasks import news_due


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


@pytest.mark.django_db(transaction=True)
def test_an_item_dated_later_is_queued_to_show_at_its_hour(settings: Any) -> None:
    """With a backend that runs jobs later, an item of the content file dated tomorrow queues
    the job that makes the kept pages stale at its hour; one dated before queues nothing."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tomorrow = timezone.now().date() + timedelta(days=1)
    entry = {"title": "Conference", "summary": "S", "body": "B"}
    network_load(
        {
            "news": [
                {**entry, "slug": "later", "published_on": tomorrow},
                {**entry, "slug": "before", "published_on": date(2020, 1, 1)},
            ]
        }
    )
    waiting = DBTaskResult.objects.filter(task_path__endswith="news_due")
    assert [task.run_after for task in waiting] == [NewsItem.objects.get(slug="later").published_at]


def test_at_its_hour_an_item_dated_later_shows_on_the_kept_pages(
    people: People, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is written when a scheduled item's hour comes: the home page and the news kept
    for visitors before it showed it only when their copies ran out (``PAGE_CACHE_SECONDS``).
    The job queued for its hour (``news_due``) makes them stale."""
    settings.PAGE_CACHE_SECONDS = 300
    now = timezone.now()
    NewsItem.objects.create(
        title="Survey results out",
        slug="results",
        summary="S",
        body="B",
        status=NewsStatus.PUBLISHED,
        published_at=now + timedelta(seconds=60),
    )
    pages = (reverse("site:home"), reverse("network:news"))

    def shown() -> list[bool]:
        return ["Survey results out" in Client().get(url).content.decode() for url in pages]

    assert shown() == [False, False]  # and kept
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=120))
    assert shown() == [False, False]  # the copies kept before its hour
    news_due.call()
    assert shown() == [True, True]


@pytest.mark.django_db(transaction=True)
def test_an_item_dated_later_in_the_admin_is_queued_too(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = User.objects.create_superuser(email="admin@example.org", password="x" * 16)
    later = timezone.localtime() + timedelta(days=3)
    response = client_for(admin).post(
        reverse("admin:network_newsitem_add"),
        {
            "title": "Conference",
            "slug": "conference",
            "summary": "S",
            "body": "B",
            "status": NewsStatus.PUBLISHED,
            "published_at_0": later.strftime("%Y-%m-%d"),
            "published_at_1": later.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    waiting = DBTaskResult.objects.filter(task_path__endswith="news_due")
    assert [task.run_after for task in waiting] == [NewsItem.objects.get().published_at]
