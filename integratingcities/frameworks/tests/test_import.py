from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from integratingcities.frameworks.models import Framework, Item, Level, Section
from integratingcities.frameworks.services import FrameworkFileError, framework_import

CHARTER = Path(settings.BASE_DIR) / "content" / "frameworks" / "charter.v1.yaml"

MINIMAL = """
schema: integratingcities/framework/1
lineage: demo
version: 1
kind: benchmark
title: {en: Demo benchmark, fr: Référentiel de démonstration}
scales:
  - key: answer
    levels:
      - {key: "yes", label: "Yes", score: 100}
      - {key: "no", label: "No", score: 0}
      - {key: dont-know, label: "Don't know", score: null}
sections:
  - key: data
    title: Data collection
    items:
      - {key: q1, kind: rating, scale: answer, text: "Does the city collect data?"}
      - key: q2
        kind: multiple_choice
        text: Which data?
        options: [{key: staff, label: Staff}, {key: residents, label: Residents}]
"""


def _import(text: str, *, publish: bool = False) -> Framework:
    return framework_import(text=text, source="demo.yaml", publish=publish).framework


@pytest.mark.django_db
class TestCharterFile:
    def test_it_ships_four_roles_and_eleven_commitments(self) -> None:
        call_command("import_framework", str(CHARTER), "--publish")
        charter = Framework.objects.get(lineage="charter", version=1)
        assert charter.is_published
        rated = [
            section.items.filter(kind="rating").count()
            for section in charter.sections.order_by("position")
        ]
        assert [count for count in rated if count] == [3, 2, 3, 3]
        levels = Level.objects.filter(scale__framework=charter).order_by("position")
        assert [level.key for level in levels] == [
            "fully",
            "partly",
            "not_at_all",
            "not_applicable",
        ]
        assert levels.get(key="not_applicable").score is None
        kinds = set(Item.objects.filter(section__framework=charter).values_list("kind", flat=True))
        assert kinds == {"rating", "single_choice", "multiple_choice", "number", "text"}

    def test_importing_it_again_changes_nothing(self) -> None:
        call_command("import_framework", str(CHARTER), "--publish")
        first = Framework.objects.get(lineage="charter")
        call_command("import_framework", str(CHARTER), "--publish")
        assert Framework.objects.get(lineage="charter").pk == first.pk


@pytest.mark.django_db
class TestImport:
    def test_it_keeps_translations_and_english_fallback(self) -> None:
        framework = _import(MINIMAL)
        assert framework.title == {"en": "Demo benchmark", "fr": "Référentiel de démonstration"}
        assert Section.objects.get(framework=framework).title == {"en": "Data collection"}
        assert framework.status == "draft"

    @pytest.mark.parametrize(
        ("change", "path", "reason"),
        [
            (("kind: benchmark", "kind: survey"), "$.kind", "is not one of"),
            (("scale: answer,", "scale: missing,"), "$.sections[0].items[0].scale", "no scale"),
            (("key: q2", "key: q1"), "$.sections[0].items[1].key", "used twice"),
            (("title: Data collection", "title: ''"), "$.sections[0].title", ""),
            (("lineage: demo", "lineage: Not A Key"), "$.lineage", "does not match"),
            (
                ("{key: q1, kind: rating, scale: answer,", "{key: q1, kind: rating,"),
                "$.sections[0].items[0]",
                "scale",
            ),
            (("title: {en: Demo benchmark, fr:", "title: {fr:"), "$.title", ""),
        ],
    )
    def test_it_refuses_an_invalid_file_naming_path_and_reason(
        self, change: tuple[str, str], path: str, reason: str
    ) -> None:
        text = MINIMAL.replace(*change)
        assert text != MINIMAL
        with pytest.raises(FrameworkFileError) as caught:
            _import(text)
        assert caught.value.source == "demo.yaml"
        assert caught.value.path == path
        assert reason in caught.value.reason
        assert not Framework.objects.exists()

    def test_it_refuses_broken_yaml_with_line_number(self) -> None:
        with pytest.raises(FrameworkFileError) as caught:
            _import("schema: [unclosed\nlineage: x")
        assert caught.value.path.startswith("line ")

    def test_it_writes_nothing_when_a_write_fails_half_way(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def fail(*args: object, **kwargs: object) -> None:
            raise DatabaseError("disk full")

        monkeypatch.setattr(Item.objects, "bulk_create", fail)
        with pytest.raises(DatabaseError):
            _import(MINIMAL)
        assert not Framework.objects.exists()
        assert not Section.objects.exists()

    def test_a_changed_draft_is_replaced_in_place(self) -> None:
        _import(MINIMAL)
        _import(MINIMAL.replace("Which data?", "Which data do you hold?"))
        assert Framework.objects.count() == 1
        assert Item.objects.filter(text__en="Which data do you hold?").exists()

    def test_a_published_version_is_never_changed_in_place(self) -> None:
        _import(MINIMAL, publish=True)
        with pytest.raises(FrameworkFileError) as caught:
            _import(MINIMAL.replace("Which data?", "Which data do you hold?"))
        assert caught.value.path == "$.version"
        assert "new version number" in caught.value.reason
        assert Item.objects.filter(text__en="Which data?").exists()

    def test_a_new_version_lives_beside_the_old_one(self) -> None:
        _import(MINIMAL, publish=True)
        _import(MINIMAL.replace("version: 1", "version: 2").replace("Which data?", "What?"))
        assert list(Framework.objects.values_list("version", flat=True)) == [2, 1]

    def test_the_command_reports_file_path_and_reason(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text(MINIMAL.replace("version: 1", "version: 0"))
        with pytest.raises(CommandError, match=r"bad.yaml: \$.version: 0 is less than"):
            call_command("import_framework", str(bad))
        assert not Framework.objects.exists()

    def test_the_command_reports_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="cannot be read"):
            call_command("import_framework", str(tmp_path / "nope.yaml"))
