"""What the catalogue says about the ImpleMentoring toolkits (issue 13, part 8), kept to the seeds.

The ImpleMentoring leaflet (002) announced three toolkits; the 2015 report (004) says four were
published in June 2014; the CITIES GROW toolkit (003) names the earlier themes without saying
which project published each.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from integratingcities.cities.services import cities_load
from integratingcities.lib.testing import client_for
from integratingcities.network.services import network_load
from integratingcities.toolkits.models import Toolkit
from integratingcities.toolkits.services import toolkits_load

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def catalogue(db: None) -> str:
    cities_load(yaml.safe_load((CONTENT / "cities.yaml").read_text()))
    network_load(yaml.safe_load((CONTENT / "network.yaml").read_text()))
    toolkits_load(yaml.safe_load((CONTENT / "toolkits.yaml").read_text()))
    return client_for(None).get(reverse("toolkits:catalogue")).content.decode()


def _row(page: str, title: str) -> str:
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if title in row]
    assert len(rows) == 1, title
    return rows[0]


def test_political_participation_is_not_listed_as_published_in_2014(catalogue: str) -> None:
    toolkit = Toolkit.objects.get(key="political-participation")
    assert toolkit.year is None
    row = _row(catalogue, "Political participation of migrants")
    assert "2014" not in row
    assert "not known" in row
    assert "do not say that it was published" in row


def test_promoting_cultural_diversity_carries_its_caveat_in_the_catalogue(catalogue: str) -> None:
    row = _row(catalogue, "Promoting cultural diversity")
    assert "ImpleMentoring" in row
    assert "does not say which" in row
    assert "project published it" in row


def test_an_entry_of_unknown_year_stays_beside_its_project(catalogue: str) -> None:
    order = re.findall(r"<th scope=\"row\"><a [^>]*>([^<]+)</a>", catalogue)
    at = order.index("Political participation of migrants")
    assert order[at - 1] == "Making participation effective in diverse neighbourhoods"
    assert order[at + 1] == "Promoting cultural diversity"
