"""Facts of the network pages that were once wrong (issue 13, part 8), kept to the seeds."""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from integratingcities.cities.models import City
from integratingcities.cities.services import cities_load
from integratingcities.lib.testing import client_for
from integratingcities.network.models import Conference
from integratingcities.network.services import network_load

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def network(db: None) -> None:
    cities_load(yaml.safe_load((CONTENT / "cities.yaml").read_text()))
    network_load(yaml.safe_load((CONTENT / "network.yaml").read_text()))


def _text(name: str, **kwargs: str) -> str:
    html = client_for(None).get(reverse(name, kwargs=kwargs)).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.usefixtures("network")
def test_cities_grow_counts_its_16_partners_and_names_the_8_contributors_as_such() -> None:
    # 003: "16 local authorities from 12 Member States"; eight more cities "did not take part in
    # the CITIES GROW project but contributed their best practices".
    about = _text("network:process")
    card = about[about.index("CITIES GROW") : about.index("CITIES GROW") + 300]
    assert "16 cities" in card
    assert "examples from 8 more cities that did not take part" in card
    assert "24 cities" not in about
    listing = _text("network:projects")
    row = listing[listing.index("CITIES GROW") :]
    assert "16 and 8 contributing cities that did not take part" in row
    assert " 24 " not in row[:400]
    detail = _text("network:project", slug="cities-grow")
    assert "Partner cities (16)" in detail
    assert "Contributing cities (8)" in detail
    assert "did not take part in the project" in detail
    assert detail.index("Partner cities (16)") < detail.index("Contributing cities (8)")


@pytest.mark.usefixtures("network")
def test_projects_without_contributors_count_every_city() -> None:
    listing = _text("network:projects")
    assert "contributing" not in listing[listing.index("MIXITIES") : listing.index("CITIES GROW")]
    assert "Partner cities (16)" in _text("network:project", slug="mixities")


@pytest.mark.usefixtures("network")
def test_rotterdam_2006_and_milan_2007_are_not_numbered_conferences() -> None:
    # 001: the process "was launched in Rotterdam in 2006", commitment "reconfirmed through the
    # 2007 Milan Declaration"; neither is called a conference of the series.
    assert list(Conference.objects.values_list("number", flat=True)) == [3, 4, 5, 6]
    page = _text("network:conferences")
    assert "Integrating Cities conference, Rotterdam" not in page
    assert "launched in Rotterdam in 2006" in page
    assert "2007 Milan Declaration" in page
    about = _text("network:process")
    assert "launched in Rotterdam in 2006" in about
    assert "Conferences hosted" not in _text("cities:detail", slug="milan")


def test_the_migration_removes_only_the_two_wrong_rows(db: None) -> None:
    migration = importlib.import_module(
        "integratingcities.network.migrations.0002_rotterdam_and_milan_were_not_conferences"
    )
    rotterdam = City.objects.create(name="Rotterdam", slug="rotterdam", country="NL")
    milan = City.objects.create(name="Milan", slug="milan", country="IT")
    Conference.objects.create(
        number=1, title="Integrating Cities conference, Rotterdam", year=2006, host=rotterdam
    )
    Conference.objects.create(
        number=2, title="Integrating Cities conference, Milan", year=2007, host=milan
    )
    Conference.objects.create(number=7, title="Integrating Cities VII", year=2015, host=milan)
    migration.forwards(apps, None)
    assert list(Conference.objects.values_list("number", flat=True)) == [7]
