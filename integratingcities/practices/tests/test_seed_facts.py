"""Facts of the shipped practice library that were once wrong (issue 13, part 8), kept right.

Each is checked against what the page shows, from content/practices.yaml as loaded.
"""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from integratingcities.cities.services import cities_load
from integratingcities.frameworks.models import Framework
from integratingcities.lib.testing import client_for
from integratingcities.practices.models import Practice
from integratingcities.practices.services import practices_load_path

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def shipped(db: None, charter: Framework, benchmark: Framework) -> None:
    cities_load(yaml.safe_load((CONTENT / "cities.yaml").read_text()))
    practices_load_path(CONTENT / "practices.yaml")


def _page(key: str) -> str:
    practice = Practice.objects.get(key=key)
    return client_for(None).get(practice.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("shipped")
def test_ghents_foreign_origin_practice_is_not_dated_by_the_decree_it_uses() -> None:
    # 003 dates the Flemish Integration Decree (2009), not Ghent's use of its definition.
    practice = Practice.objects.get(key="ghent-foreign-origin-definition")
    assert practice.year is None
    assert "Flemish Integration Decree of 2009" in practice.summary
    assert "· 2009" not in _page("ghent-foreign-origin-definition")


@pytest.mark.usefixtures("shipped")
def test_viennas_public_transport_is_not_a_partner_of_the_human_rights_city() -> None:
    # 004 names the public transport's anti-racist campaign as an example of the year's
    # awareness work, not as a partner of the initiative.
    practice = Practice.objects.get(key="vienna-human-rights-city")
    assert practice.partners == ""
    assert "public transport" in practice.summary
    assert 'id="partners-heading"' not in _page("vienna-human-rights-city")
