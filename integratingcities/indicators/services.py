"""Writes for city indicators: the catalogue, and the city figures peer groups read."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import OuterRef, Subquery

from integratingcities.cities.models import City

from .models import Indicator, IndicatorValue

POPULATION = "population"
FOREIGN_BORN_SHARE = "foreign-born-share"


class IndicatorLoadError(Exception):
    """The catalogue file is not valid; the message names the record and the field."""


@transaction.atomic
def indicators_load(path: Path) -> int:
    """Create or update the built-in indicators of a catalogue file; returns how many."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    records = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise IndicatorLoadError(f"{path.name}: expected a list under 'indicators'")
    references: dict[str, str] = {}
    for position, record in enumerate(records):
        try:
            key = record["key"]
            fields = {
                name: record[name] for name in ("name", "unit", "basis", "better", "definition")
            }
        except (KeyError, TypeError) as error:
            raise IndicatorLoadError(f"{path.name}: indicator {position + 1}: {error}") from error
        indicator, _created = Indicator.objects.update_or_create(
            key=key,
            defaults={
                **fields,
                "source_guidance": record.get("source_guidance", ""),
                "position": position,
                "is_builtin": True,
            },
        )
        indicator.full_clean()
        if record.get("reference"):
            references[key] = record["reference"]
    for key, reference in references.items():
        try:
            target = Indicator.objects.get(key=reference)
        except Indicator.DoesNotExist as error:
            raise IndicatorLoadError(
                f"{path.name}: {key}: reference {reference!r} is not an indicator"
            ) from error
        Indicator.objects.filter(key=key).update(reference=target)
    return len(records)


def city_figures_sync(city_ids: Iterable[int] | None = None) -> None:
    """Copy each city's latest population and foreign-born share (with year and source) onto
    the city, where peer groups read them. Call after values are written or undone."""
    cities = City.objects.all() if city_ids is None else City.objects.filter(pk__in=city_ids)
    for key, value_field, year_field, source_field in (
        (POPULATION, "population", "population_year", "population_source"),
        (FOREIGN_BORN_SHARE, "foreign_born_share", "foreign_born_year", "foreign_born_source"),
    ):
        latest = IndicatorValue.objects.filter(indicator__key=key, city_id=OuterRef("pk")).order_by(
            "-year", "-date", "-pk"
        )
        cities.update(
            **{
                value_field: Subquery(latest.values("value")[:1]),
                year_field: Subquery(latest.values("year")[:1]),
                source_field: Subquery(latest.values("source")[:1]),
            }
        )
