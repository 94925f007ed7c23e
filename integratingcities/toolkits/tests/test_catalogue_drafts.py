"""An uploaded benchmark is a draft: the public catalogue lists it only once it is published."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import People, client_for
from integratingcities.network.models import Project
from integratingcities.toolkits.models import Toolkit

BENCHMARK = Path(settings.BASE_DIR) / "content/frameworks/anti-discrimination-job-market.v1.yaml"
NEW_THEME = (
    BENCHMARK.read_text()
    .replace("lineage: anti-discrimination-job-market", "lineage: secret-new-theme", 1)
    .replace("title: Anti-discrimination strategies", "title: Embargoed theme strategies", 1)
)
CATALOGUE = reverse("toolkits:catalogue")


@pytest.fixture
def uploaded(people: People) -> Framework:
    response = client_for(people.secretariat).post(
        reverse("toolkits:upload"),
        {"file": SimpleUploadedFile("secret-new-theme.yaml", NEW_THEME.encode())},
    )
    assert response.status_code == 302
    framework = Framework.objects.get(lineage="secret-new-theme")
    assert not framework.is_published
    assert Toolkit.objects.filter(key="secret-new-theme").exists()
    return framework


@pytest.mark.parametrize("role", ["anonymous", "editor", "viewer", "reviewer", "outsider"])
def test_a_draft_benchmark_is_not_in_the_catalogue(
    people: People, uploaded: Framework, role: str
) -> None:
    page = client_for(people.all_roles()[role]).get(CATALOGUE).content.decode()
    assert "Embargoed theme" not in page
    assert "secret-new-theme" not in page


def test_the_secretariat_sees_the_draft_marked_as_a_draft(
    people: People, uploaded: Framework
) -> None:
    page = client_for(people.secretariat).get(CATALOGUE).content.decode()
    assert "Embargoed theme" in page
    assert "draft, version 1: not public until published" in page
    assert reverse("toolkits:benchmark", args=["secret-new-theme"]) in page


def test_once_published_it_is_in_the_catalogue_for_everyone(
    people: People, uploaded: Framework
) -> None:
    client_for(people.secretariat).post(
        reverse("toolkits:publish", args=["secret-new-theme", uploaded.version])
    )
    page = client_for(None).get(CATALOGUE).content.decode()
    assert "Embargoed theme" in page
    assert "full benchmark, version 1" in page


def test_an_entry_without_content_is_still_listed(db: None) -> None:
    Toolkit.objects.create(key="not-loaded", title={"en": "Awaiting its file"}, position=1)
    page = client_for(None).get(CATALOGUE).content.decode()
    assert "Awaiting its file" in page
    assert "content not loaded yet" in page


def test_the_kept_rows_follow_every_change_and_each_view_keeps_its_own(
    people: People, uploaded: Framework
) -> None:
    """The rows are kept per view (with drafts or without) and language: a change to a toolkit,
    a project or a framework shows on the next visit, and the secretariat's copy with drafts is
    never another's."""
    project = Project.objects.create(slug="grow", name="CITIES GROW")
    toolkit = Toolkit.objects.create(
        key="kept-entry", title={"en": "A kept entry", "fr": "Une entrée"}, project=project
    )
    secretariat, visitor = client_for(people.secretariat), client_for(None)
    assert "Embargoed theme" in secretariat.get(CATALOGUE).content.decode()
    page = visitor.get(CATALOGUE).content.decode()
    assert "Embargoed theme" not in page and "CITIES GROW" in page

    project.name = "Cities Grow, renamed"
    project.save()
    assert "Cities Grow, renamed" in visitor.get(CATALOGUE).content.decode()
    toolkit.year = 2031
    toolkit.save()
    assert "2031" in visitor.get(CATALOGUE).content.decode()
    assert "Une entrée" in visitor.get(CATALOGUE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    client_for(people.secretariat).post(
        reverse("toolkits:publish", args=["secret-new-theme", uploaded.version])
    )
    assert "Embargoed theme" in visitor.get(CATALOGUE).content.decode()
    assert "full benchmark, version 1" in secretariat.get(CATALOGUE).content.decode()
