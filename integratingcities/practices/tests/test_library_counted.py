"""After a change to the library, the worker counts its first page again before a visitor."""

from typing import Any

import pytest
from django.urls import reverse

from integratingcities.lib.testing import People, client_for
from integratingcities.practices import selectors
from integratingcities.practices.models import PracticeStatus
from integratingcities.practices.services import practice_publish

from .factories import PracticeFactory

pytestmark = pytest.mark.django_db


def test_a_publication_has_the_library_counted_before_anyone_visits(
    people: People, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    PracticeFactory.create(title="Already published")
    draft = PracticeFactory.create(title="Mediators in schools", status=PracticeStatus.PROPOSED)
    with django_capture_on_commit_callbacks(execute=True):
        practice_publish(practice=draft, user=people.secretariat)

    def counted_on_the_visit(*args: Any) -> Any:
        raise AssertionError("the visitor counted the library")

    monkeypatch.setattr(selectors, "facet_counts", counted_on_the_visit)
    response = client_for(None).get(reverse("practices:library"))
    assert response.status_code == 200
    assert "Mediators in schools" in response.content.decode()


@pytest.mark.usefixtures("library")
def test_the_librarys_labels_follow_a_change_of_a_framework() -> None:
    """The themes' labels are kept in the cache with the counts: a framework's text changed
    is shown at once (any write to public data starts a new generation of what is kept)."""
    from integratingcities.frameworks.models import Section

    url = reverse("practices:library")
    assert "Cities as employers" in client_for(None).get(url).content.decode()
    Section.objects.filter(key="employer").update(title="Cities that employ")
    html = client_for(None).get(url).content.decode()
    assert "Cities that employ" in html
    assert "Cities as employers" not in html
