"""The library's facet counts come from the shared cache until a practice changes."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integratingcities.lib.testing import CityFactory, People, client_for
from integratingcities.practices import selectors
from integratingcities.practices.models import Practice, PracticeStatus
from integratingcities.practices.selectors import PracticeFilters
from integratingcities.practices.services import practice_publish, practice_return

from .factories import PracticeFactory, menu_counts

LIBRARY = reverse("practices:library")


def _roles(response: Any) -> dict[str, int]:
    return menu_counts(response, "role")


def _facet_queries(params: dict[str, str]) -> int:
    """How many queries of the page are the facet counts' (their WITH ... UNION ALL)."""
    with CaptureQueriesContext(connection) as captured:
        assert client_for(None).get(LIBRARY, params).status_code == 200
    return sum(1 for q in captured.captured_queries if "'total'" in q["sql"])


@pytest.mark.django_db
def test_the_counts_are_computed_once_then_read_from_the_cache() -> None:
    PracticeFactory.create_batch(3, commitments=["workforce-diversity"])
    assert _facet_queries({}) == 1
    assert _facet_queries({}) == 0
    # Other filters are other counts: computed once each.
    assert _facet_queries({"role": "employer"}) == 1
    assert _facet_queries({"role": "employer"}) == 0
    assert _facet_queries({}) == 0


@pytest.mark.django_db
def test_publishing_and_sending_back_refresh_the_counts(people: People) -> None:
    city = CityFactory(name="Lyon", slug="lyon", country="FR")
    PracticeFactory.create(city=city, commitments=["workforce-diversity"])
    proposed = PracticeFactory.create(
        city=city, status=PracticeStatus.PROPOSED, commitments=["equality-in-procurement"]
    )
    before = client_for(None).get(LIBRARY)
    assert _roles(before) == {"employer": 1}
    assert "1 practice" in before.content.decode()

    practice_publish(practice=proposed, user=people.secretariat)
    after = client_for(None).get(LIBRARY)
    assert _roles(after) == {"employer": 1, "buyer": 1}
    assert "2 practices" in after.content.decode()


@pytest.mark.django_db
def test_a_change_outside_the_request_is_seen_after_the_commit(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    published = PracticeFactory.create(commitments=["workforce-diversity"])
    Practice.objects.filter(pk=published.pk).update(status=PracticeStatus.PROPOSED)
    selectors.facets_changed()
    assert selectors.cached_facet_counts(PracticeFilters()).total == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        practice_publish(practice=published, user=people.secretariat)
    assert callbacks, "the counts are made stale again once the change is committed"
    assert selectors.cached_facet_counts(PracticeFilters()).total == 1
    practice_return(practice=_proposed(published, people), user=people.secretariat, comment="x")
    assert selectors.cached_facet_counts(PracticeFilters()).total == 0


def _proposed(practice: Practice, people: People) -> Practice:
    Practice.objects.filter(pk=practice.pk).update(status=PracticeStatus.PROPOSED)
    return Practice.objects.get(pk=practice.pk)


@pytest.mark.django_db
def test_an_evicted_version_never_brings_back_old_counts() -> None:
    from django.core.cache import cache

    PracticeFactory.create_batch(2)
    assert selectors.cached_facet_counts(PracticeFilters()).total == 2
    PracticeFactory.create()
    cache.delete(selectors.FACETS_VERSION_KEY)  # as a full cache would cull it
    assert selectors.cached_facet_counts(PracticeFilters()).total == 3
