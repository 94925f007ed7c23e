"""Load the shipped indicator values: the figures of the source documents
(content/indicator_values.yaml) and every city's population from GeoNames
(content/populations.csv, written by scripts/populations_from_geonames.py).

Loading is idempotent: a value is identified by (indicator, city, year) and updated in place. A
value that came from an import or was entered by a person (it has a batch or an author) is the
city's or the secretariat's own figure and is never overwritten by the shipped one.
"""

import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from integratingcities.cities.models import City

from .models import YEAR_MAX, YEAR_MIN, Basis, Indicator, IndicatorValue, Unit
from .services import POPULATION, city_figures_sync, indicators_load

CONTENT = Path(settings.BASE_DIR) / "content"
CATALOGUE = CONTENT / "indicators.yaml"
VALUES = CONTENT / "indicator_values.yaml"
POPULATIONS = CONTENT / "populations.csv"

_WRITTEN = ("date", "value", "basis", "source", "note", "is_illustrative")


class SeedLoadError(Exception):
    """A content file is not valid; the message names the file, the record and the field."""


@dataclass(frozen=True)
class _Record:
    where: str  # "indicator_values.yaml, record 3 (ghent, residents-from-bulgaria, 2011)"
    city: str
    indicator: str
    year: int
    date: datetime.date | None
    value: Decimal
    basis: str | None
    source: str
    note: str
    is_illustrative: bool


def _decimal(raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise SeedLoadError(f"{where}: value: expected a number, got {raw!r}")
    try:
        # Via str, so that YAML's float 22.2 becomes Decimal("22.2") and not its binary double.
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation as error:
        raise SeedLoadError(f"{where}: value: expected a number, got {raw!r}") from error
    if not value.is_finite():
        raise SeedLoadError(f"{where}: value: expected a number, got {raw!r}")
    return value


def _year(raw: Any, where: str) -> int:
    try:
        year = int(str(raw))
    except (TypeError, ValueError) as error:
        raise SeedLoadError(f"{where}: year: expected a year, got {raw!r}") from error
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise SeedLoadError(f"{where}: year: {year} is not between {YEAR_MIN} and {YEAR_MAX}")
    return year


def _values_records(path: Path) -> list[_Record]:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("values") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SeedLoadError(f"{path.name}: expected a list under 'values'")
    records = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}, record {number}"
        if not isinstance(entry, dict):
            raise SeedLoadError(f"{where}: expected a mapping of fields")
        missing = [f for f in ("city", "indicator", "year", "value", "source") if f not in entry]
        if missing:
            raise SeedLoadError(f"{where}: missing {', '.join(missing)}")
        where = f"{where} ({entry['city']}, {entry['indicator']}, {entry['year']})"
        date = entry.get("date")
        if date is not None and not isinstance(date, datetime.date):
            raise SeedLoadError(f"{where}: date: expected YYYY-MM-DD, got {date!r}")
        illustrative = entry.get("is_illustrative", False)
        if not isinstance(illustrative, bool):
            raise SeedLoadError(f"{where}: is_illustrative: expected true or false")
        records.append(
            _Record(
                where=where,
                city=str(entry["city"]),
                indicator=str(entry["indicator"]),
                year=_year(entry["year"], where),
                date=date,
                value=_decimal(entry["value"], where),
                basis=entry.get("basis"),
                source=str(entry["source"]).strip(),
                note=str(entry.get("note") or "").strip(),
                is_illustrative=illustrative,
            )
        )
    return records


def _population_records(path: Path) -> list[_Record]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    records = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path.name}, line {number}"
        missing = [
            f for f in ("city", "geonames_id", "population", "year", "source") if not row.get(f)
        ]
        if missing:
            raise SeedLoadError(f"{where}: missing {', '.join(missing)}")
        where = f"{where} ({row['city']})"
        records.append(
            _Record(
                where=where,
                city=row["city"],
                indicator=POPULATION,
                year=_year(row["year"], where),
                date=None,
                value=_decimal(row["population"], where),
                basis=Basis.ALL_RESIDENTS,
                source=row["source"].strip(),
                note=(row.get("note") or f"GeoNames {row['geonames_id']}").strip(),
                is_illustrative=False,
            )
        )
    return records


def _check(record: _Record, indicator: Indicator) -> None:
    if record.basis is not None and record.basis not in Basis.values:
        raise SeedLoadError(
            f"{record.where}: basis {record.basis!r} is not one of {', '.join(Basis.values)}"
        )
    if record.date is not None and record.date.year != record.year:
        raise SeedLoadError(f"{record.where}: date {record.date} is not in the year {record.year}")
    if record.value < 0:
        raise SeedLoadError(f"{record.where}: value {record.value} is negative")
    if indicator.unit == Unit.PERCENT and record.value > 100:
        raise SeedLoadError(f"{record.where}: {record.value} is not a percentage")
    if indicator.unit == Unit.COUNT and record.value != record.value.to_integral_value():
        raise SeedLoadError(f"{record.where}: {record.value} is not a whole number of people")


@transaction.atomic
def seed_values_load(
    values_path: Path = VALUES, populations_path: Path = POPULATIONS, catalogue: Path = CATALOGUE
) -> int:
    """Load the catalogue, then the shipped values of both files, then copy each city's latest
    population and foreign-born share onto the city. Returns how many values were written."""
    indicators_load(catalogue)
    records = _values_records(values_path) + _population_records(populations_path)
    cities = {c.slug: c for c in City.objects.filter(slug__in={r.city for r in records})}
    indicators = {
        i.key: i for i in Indicator.objects.filter(key__in={r.indicator for r in records})
    }

    seen: dict[tuple[str, str, int], str] = {}
    for record in records:
        if record.city not in cities:
            raise SeedLoadError(
                f"{record.where}: city {record.city!r} is not a city of the platform"
            )
        if record.indicator not in indicators:
            raise SeedLoadError(
                f"{record.where}: indicator {record.indicator!r} is not an indicator"
            )
        _check(record, indicators[record.indicator])
        key = (record.indicator, record.city, record.year)
        if key in seen:
            raise SeedLoadError(f"{record.where}: the same value as {seen[key]}")
        seen[key] = record.where

    existing = {
        (v.indicator_id, v.city_id, v.year): v
        for v in IndicatorValue.objects.filter(
            indicator__in=indicators.values(), city__in=cities.values()
        )
    }
    to_create: list[IndicatorValue] = []
    to_update: list[IndicatorValue] = []
    for record in records:
        indicator, city = indicators[record.indicator], cities[record.city]
        row = existing.get((indicator.pk, city.pk, record.year))
        if row is None:
            row = IndicatorValue(indicator=indicator, city=city, year=record.year)
            to_create.append(row)
        elif row.batch_id is not None or row.created_by_id is not None:
            continue  # imported or entered by a person: theirs, not ours
        else:
            to_update.append(row)
        row.date = record.date
        row.value = record.value
        row.basis = record.basis or indicator.basis
        row.source = record.source
        row.note = record.note
        row.is_illustrative = record.is_illustrative
        try:
            row.full_clean(
                exclude=["indicator", "city", "batch", "created_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            raise SeedLoadError(f"{record.where}: {error}") from error
    IndicatorValue.objects.bulk_create(to_create)
    IndicatorValue.objects.bulk_update(to_update, _WRITTEN)
    city_figures_sync()
    return len(to_create) + len(to_update)
