"""Writes for frameworks: import a framework file, publish a version."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.lib.translation import as_translated

from .models import Framework, FrameworkStatus, Item, ItemKind, Level, Scale, Section

SCHEMA_PATH = Path(__file__).with_name("framework.schema.json")


class FrameworkFileError(Exception):
    """A framework file that cannot be imported; says where and why."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        self.source, self.path, self.reason = source, path, reason
        super().__init__(f"{source}: {path}: {reason}")


@dataclass(frozen=True)
class ImportResult:
    framework: Framework
    created: bool
    unchanged: bool


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema)


def _json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


class _AliasFound(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark
        super().__init__()


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases before anything is built.

    An alias repeats a value without repeating its text: a file of a few hundred bytes can stand
    for billions of values (the "billion laughs"). A framework file has no need of them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasFound(event.start_mark)
        return super().compose_node(parent, index)


def _load_yaml(text: str) -> Any:
    loader = _NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_framework_file(text: str, *, source: str) -> dict[str, Any]:
    """Load YAML (or JSON) text and check it against the schema and the rules beyond it."""
    try:
        data = _load_yaml(text)
    except _AliasFound as exc:
        raise FrameworkFileError(
            source,
            f"line {exc.mark.line + 1}, column {exc.mark.column + 1}",
            _("YAML anchors (&) and aliases (*) are not accepted: write each value out in full"),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "$"
        raise FrameworkFileError(source, where, _("not valid YAML: %s") % exc) from exc
    except (ValueError, RecursionError) as exc:  # e.g. an integer of thousands of digits
        raise FrameworkFileError(source, "$", _("not valid YAML: %s") % exc) from exc
    errors = list(_validator().iter_errors(data))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        raise FrameworkFileError(source, _json_path(error.absolute_path), error.message)
    _check_rules(data, source)
    return data


def _check_unique(entries: list[dict[str, Any]], path: str, source: str) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry["key"] in seen:
            raise FrameworkFileError(
                source, f"{path}[{index}].key", _("the key %r is used twice") % entry["key"]
            )
        seen.add(entry["key"])


def _check_rules(data: dict[str, Any], source: str) -> None:
    _check_unique(data["scales"], "$.scales", source)
    for s_index, scale in enumerate(data["scales"]):
        _check_unique(scale["levels"], f"$.scales[{s_index}].levels", source)
    scale_keys = {scale["key"] for scale in data["scales"]}
    previous = data.get("previous_version")
    if previous is not None and previous >= data["version"]:
        raise FrameworkFileError(
            source, "$.previous_version", _("must be lower than this file's version")
        )
    _check_unique(data["sections"], "$.sections", source)
    for s_index, section in enumerate(data["sections"]):
        _check_unique(section["items"], f"$.sections[{s_index}].items", source)
        for i_index, item in enumerate(section["items"]):
            path = f"$.sections[{s_index}].items[{i_index}]"
            if "scale" in item and item["scale"] not in scale_keys:
                raise FrameworkFileError(
                    source, f"{path}.scale", _("no scale with the key %r") % item["scale"]
                )
            if section.get("context") and item["kind"] != ItemKind.TEXT:
                raise FrameworkFileError(
                    source,
                    f"{path}.kind",
                    _("a context factor is a text item: the city explains how it applies"),
                )
            if "options" in item:
                _check_unique(item["options"], f"{path}.options", source)
            if "min" in item and "max" in item and item["min"] > item["max"]:
                raise FrameworkFileError(source, f"{path}.min", _("min is greater than max"))


def content_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def framework_import(*, text: str, source: str, publish: bool = False) -> ImportResult:
    """Create a framework version from a file's text, all or nothing.

    An unchanged file is a no-op; a changed file replaces a draft of the same version but never
    a published one (which may have answers): that needs a new version number.
    """
    data = parse_framework_file(text, source=source)
    digest = content_hash(data)
    with transaction.atomic():
        existing = (
            Framework.objects.select_for_update()
            .filter(lineage=data["lineage"], version=data["version"])
            .first()
        )
        if existing and existing.content_hash == digest:
            if publish and not existing.is_published:
                framework_publish(framework=existing)
            return ImportResult(existing, created=False, unchanged=True)
        if existing and existing.is_published:
            raise FrameworkFileError(
                source,
                "$.version",
                _(
                    "version %(version)s of %(lineage)r is published and may have answers; "
                    "give the changed file a new version number"
                )
                % {"version": data["version"], "lineage": data["lineage"]},
            )
        if existing:
            existing.delete()
        framework = _create(data, digest)
        if publish:
            framework_publish(framework=framework)
    return ImportResult(framework, created=existing is None, unchanged=False)


def framework_import_path(*, path: Path, publish: bool = False) -> ImportResult:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkFileError(str(path), "$", _("cannot be read: %s") % exc) from exc
    return framework_import(text=text, source=str(path), publish=publish)


def framework_publish(*, framework: Framework) -> Framework:
    if not framework.is_published:
        framework.status = FrameworkStatus.PUBLISHED
        framework.published_at = timezone.now()
        framework.save(update_fields=["status", "published_at"])
    return framework


def _create(data: dict[str, Any], digest: str) -> Framework:
    framework = Framework.objects.create(
        lineage=data["lineage"],
        version=data["version"],
        kind=data["kind"],
        title=as_translated(data["title"]),
        summary=as_translated(data.get("summary")),
        standard=as_translated(data.get("standard")),
        aims=[as_translated(aim) for aim in data.get("aims", [])],
        notes=[
            {"key": n["key"], "title": as_translated(n["title"]), "text": as_translated(n["text"])}
            for n in data.get("notes", [])
        ],
        previous_version=data.get("previous_version"),
        source=as_translated(data.get("source")),
        content_hash=digest,
    )
    scales: dict[str, Scale] = {}
    levels: list[Level] = []
    for scale_data in data["scales"]:
        scale = Scale.objects.create(
            framework=framework,
            key=scale_data["key"],
            title=as_translated(scale_data.get("title")),
        )
        scales[scale.key] = scale
        levels += [
            Level(
                scale=scale,
                key=level["key"],
                position=position,
                label=as_translated(level["label"]),
                score=None if level["score"] is None else Decimal(str(level["score"])),
                requires_evidence=level.get("requires_evidence", False),
            )
            for position, level in enumerate(scale_data["levels"])
        ]
    Level.objects.bulk_create(levels)
    items: list[Item] = []
    for position, section_data in enumerate(data["sections"]):
        section = Section.objects.create(
            framework=framework,
            key=section_data["key"],
            position=position,
            title=as_translated(section_data["title"]),
            description=as_translated(section_data.get("description")),
            guidance=as_translated(section_data.get("guidance")),
            weight=Decimal(str(section_data.get("weight", 1))),
            is_context=section_data.get("context", False),
            examples=[_example(example) for example in section_data.get("examples", [])],
        )
        items += [
            Item(
                section=section,
                key=item["key"],
                position=item_position,
                kind=ItemKind(item["kind"]),
                text=as_translated(item["text"]),
                guidance=as_translated(item.get("guidance")),
                sub_questions=[as_translated(q) for q in item.get("sub_questions", [])],
                follows=item.get("follows", ""),
                weight=Decimal(str(item.get("weight", 1))),
                scale=scales.get(item.get("scale", "")),
                options=[
                    {"key": option["key"], "label": as_translated(option["label"])}
                    for option in item.get("options", [])
                ],
                number_min=_decimal_or_none(item.get("min")),
                number_max=_decimal_or_none(item.get("max")),
                unit=as_translated(item.get("unit")),
                required=item.get("required", True),
            )
            for item_position, item in enumerate(section_data["items"])
        ]
    Item.objects.bulk_create(items)
    return framework


def _example(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "city": as_translated(data["city"]),
        "city_slug": data.get("city_slug", ""),
        "title": as_translated(data.get("title")),
        "text": as_translated(data["text"]),
        "links": data.get("links", []),
    }


def _decimal_or_none(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
