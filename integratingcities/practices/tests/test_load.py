"""Loading content/practices.yaml: every record checked, all or nothing, idempotent."""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from integratingcities.cities.services import cities_load
from integratingcities.frameworks.models import Framework
from integratingcities.practices.models import Practice, PracticeStatus, PracticeTheme
from integratingcities.practices.services import (
    PracticeLoadError,
    practices_load,
    practices_load_path,
)

from .conftest import SAMPLE

CONTENT = Path(settings.BASE_DIR) / "content"
REAL = CONTENT / "practices.yaml"


def sample() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text())


def stored() -> list[tuple[Any, ...]]:
    return list(Practice.objects.order_by("key").values_list("key", "title", "year", "updated_at"))


@pytest.mark.usefixtures("library")
class TestSample:
    def test_sources_roles_and_cities_are_mapped(self) -> None:
        ghent = Practice.objects.get(key="ghent-procurement-clause")
        assert ghent.source == "report-2015"
        assert ghent.status == PracticeStatus.PUBLISHED
        assert ghent.year is None
        assert set(ghent.themes.values_list("section_key", "item_key")) == {
            ("buyer", "equality-in-procurement"),
            ("buyer", "equality-among-contractors"),
        }
        vienna = Practice.objects.get(key="vienna-monitors-workforce")
        assert vienna.source == "toolkit-2018"
        assert vienna.source_section == "Using feedback, monitoring and evaluation"
        assert PracticeTheme.objects.filter(
            practice=vienna, lineage="anti-discrimination-job-market", item_key=""
        ).exists()
        barcelona = Practice.objects.get(key="barcelona-anti-rumour-training")
        assert [c.slug for c in barcelona.other_cities.all()] == ["ghent"]

    def test_loading_again_changes_nothing(self) -> None:
        before = stored()
        history = Practice.history.count()
        assert practices_load_path(SAMPLE) == 6
        assert stored() == before
        assert Practice.history.count() == history

    def test_a_changed_record_is_updated_in_place(self) -> None:
        data = sample()
        data["practices"][0]["title"] = "Vienna counts its staff"
        data["practices"][0]["commitments"] = ["workforce-diversity", "fair-treatment-of-staff"]
        practices_load(data)
        vienna = Practice.objects.get(key="vienna-monitors-workforce")
        assert vienna.title == "Vienna counts its staff"
        assert vienna.themes.filter(lineage="charter").count() == 2
        assert Practice.objects.count() == 6

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"key": "Not A Key"}, "practices[2].key: required"),
            ({"title": ""}, "practices[2].title: required"),
            ({"summary": None}, "practices[2].summary: required"),
            ({"city": "atlantis"}, "practices[2].city: no city with the slug “atlantis”"),
            ({"other_cities": ["ghent"]}, "practices[2].other_cities: “ghent” is already"),
            ({"year": 1492}, "practices[2].year: a year from 1900 to 2100"),
            ({"year": "2015"}, "practices[2].year"),
            ({"commitments": ["fly"]}, "practices[2].commitments: “fly” is not a commitment"),
            ({"key_factors": ["luck"]}, "practices[2].key_factors: “luck” is not a key factor"),
            ({"source": "005"}, 'practices[2].source: "003"'),
            ({"links": ["javascript:alert(1)"]}, "practices[2].links: “javascript:alert(1)”"),
            ({"contact": "x" * 301}, "practices[2].contact"),
            ({"colour": "red"}, "practices[2].colour: unknown field"),
            (
                {"key": "vienna-monitors-workforce"},
                "practices[2].key: “vienna-monitors-workforce” is used twice",
            ),
        ],
    )
    def test_an_invalid_record_is_named_and_nothing_is_written(
        self, change: dict[str, Any], message: str
    ) -> None:
        data = sample()
        data["practices"][0]["title"] = "Changed, but must not be written"
        data["practices"][2].update(change)
        before = stored()
        with pytest.raises(PracticeLoadError) as error:
            practices_load(copy.deepcopy(data), name="practices.yaml")
        assert f"practices.yaml: {message}" in str(error.value)
        assert stored() == before

    def test_a_file_that_is_not_a_library_is_refused(self, tmp_path: Path) -> None:
        for text in ("[1, 2]", "practices: nope", "practices: [42]", ": : :"):
            path = tmp_path / "bad.yaml"
            path.write_text(text)
            with pytest.raises(PracticeLoadError, match=r"^bad\.yaml"):
                practices_load_path(path)


@pytest.mark.skipif(not REAL.exists(), reason="content/practices.yaml is not written yet")
def test_the_shipped_library_loads(db: None, charter: Framework, benchmark: Framework) -> None:
    cities_load(yaml.safe_load((CONTENT / "cities.yaml").read_text()))
    data = yaml.safe_load(REAL.read_text())
    count = practices_load_path(REAL)
    assert count == len(data["practices"]) == Practice.objects.count()
    assert not Practice.objects.exclude(status=PracticeStatus.PUBLISHED).exists()
    assert Practice.objects.filter(source="toolkit-2018").exists()
    assert Practice.objects.filter(source="report-2015").exists()
    before = stored()
    practices_load_path(REAL)
    assert stored() == before


@pytest.mark.usefixtures("library")
def test_the_command_loads_and_names_errors(tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("load_practices", str(SAMPLE), "--reindex", stdout=out)
    assert "Loaded 6 practices" in out.getvalue()
    bad = tmp_path / "practices.yaml"
    bad.write_text("practices:\n  - key: x\n")
    with pytest.raises(CommandError, match=r"practices\.yaml: practices\[0\]\.title"):
        call_command("load_practices", str(bad))
    with pytest.raises(CommandError):
        call_command("load_practices", str(tmp_path / "missing.yaml"))
