"""The home page: the latest published news and the number of signatories, in 3 queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integratingcities.lib.testing import SignatoryFactory, client_for
from integratingcities.network.models import NewsItem, NewsStatus

# Whether the Charter is loaded, the number of signatories, the latest news.
QUERIES = 3


def _news(slug: str, days_ago: int, status: str = NewsStatus.PUBLISHED) -> NewsItem:
    return NewsItem.objects.create(
        slug=slug,
        title=f"Title of {slug}",
        summary=f"Summary of {slug}",
        body="b",
        status=status,
        published_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_it_shows_the_three_latest_published_news_in_three_queries(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    SignatoryFactory.create_batch(4)
    for n in range(5):
        _news(f"item-{n}", days_ago=n)
    _news("a-draft", days_ago=0, status=NewsStatus.DRAFT)
    _news("tomorrow", days_ago=-1)
    with django_assert_num_queries(QUERIES):
        html = client_for(None).get("/").content.decode()
    assert '<span class="stat">4</span>' in html
    url = reverse("network:news_detail", args=["item-0"])
    assert f'<h3><a href="{url}">Title of item-0</a></h3>' in html
    assert html.count("<h3><a href=") == 3
    assert html.index("Title of item-0") < html.index("Title of item-1")
    assert "Summary of item-2" in html and "item-3" not in html
    assert "a-draft" not in html and "tomorrow" not in html


@pytest.mark.django_db
def test_without_news_it_says_so() -> None:
    html = client_for(None).get("/").content.decode()
    assert "No news has been published yet." in html
