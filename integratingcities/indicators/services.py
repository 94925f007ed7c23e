"""Writes for city indicators: the catalogue, the city figures peer groups read, and values
(imported from a file and undone as a whole, or entered one by one)."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from integratingcities.accounts.models import User
from integratingcities.cities.models import City
from integratingcities.lib.errors import DomainError
from integratingcities.permissions import Perm, require

from .imports import CheckedValue, ImportReport, Row, check_rows, unit_problem
from .models import ImportBatch, Indicator, IndicatorValue
from .tasks import warm_indicator_pages

POPULATION = "population"
FOREIGN_BORN_SHARE = "foreign-born-share"


class IndicatorLoadError(Exception):
    """The catalogue file is not valid; the message names the record and the field."""


@transaction.atomic
def indicators_load(path: Path) -> int:
    """Add the built-in indicators of a catalogue file that are not there yet; returns how many
    the file holds.

    An indicator already in the database is left as it is: the secretariat may have edited a
    built-in one (its wording, its reference, whether cities may enter values), and loading the
    content again on a deployment must not undo that."""
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
        indicator, created = Indicator.objects.get_or_create(
            key=key,
            defaults={
                **fields,
                "source_guidance": record.get("source_guidance", ""),
                "position": position,
                "is_builtin": True,
            },
        )
        if created:
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
                # A city without the figure has no source: "" (the column is not nullable).
                source_field: Coalesce(Subquery(latest.values("source")[:1]), Value("")),
            }
        )


# ---------------------------------------------------------------------------------------
# Values: imported from a file, entered in a form, undone, deleted


class IndicatorError(DomainError):
    """A value or an import the rules refuse; the message says why."""


class ImportRefused(IndicatorError):
    """The file has problems: nothing was written. ``report`` lists them by row and column."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            ngettext(
                "Nothing was imported: the file has %(count)d problem.",
                "Nothing was imported: the file has %(count)d problems.",
                len(report.problems),
            )
            % {"count": len(report.problems)}
        )
        self.report = report


def _values_changed(city_ids: Iterable[int]) -> None:
    """After values were written: the cities' figures copied again, and the indicator pages
    warmed once this commits."""
    city_figures_sync(city_ids)
    _warm_after_commit()


def _warm_after_commit() -> None:
    """What the indicator pages keep made again in the worker (``tasks``), before a visitor
    waits for it."""
    transaction.on_commit(lambda: warm_indicator_pages.enqueue(), robust=True)


def values_import(
    *, rows: Sequence[Row], user: User, file_name: str, file_format: str
) -> ImportBatch:
    """Write every value of a file, or none: the rows are checked again (the catalogue or the
    stored values may have changed since the person read the report), then written in one
    transaction with a few queries whatever their number. Raises ImportRefused with the
    report when any row has a problem."""
    require(user, Perm.MANAGE_INDICATORS)
    try:
        with transaction.atomic():
            report = check_rows(rows)
            if not report.ok:
                raise ImportRefused(report)
            now = timezone.now()
            batch = ImportBatch.objects.create(
                file_name=file_name[:255],
                file_format=file_format,
                imported_by=user,
                imported_at=now,
                value_count=len(report.values),
            )
            _insert(report.values, batch=batch, user=user, now=now)
            _values_changed(report.city_ids)
    except IntegrityError:
        # Another import or a colleague's form stored one of these values meanwhile.
        raise IndicatorError(
            _("Values for these cities were stored meanwhile: import the file again.")
        ) from None
    return batch


_COLUMNS = (
    "indicator",
    "city",
    "year",
    "date",
    "value",
    "basis",
    "source",
    "note",
    "is_illustrative",
    "batch",
    "created_by",
    "created_at",
)


ROWS_PER_INSERT = 500  # 12 parameters a row: well under SQLite's and PostgreSQL's limits


def _insert(
    values: Sequence[CheckedValue], *, batch: ImportBatch, user: User, now: datetime.datetime
) -> None:
    """COPY on PostgreSQL; elsewhere INSERTs of many rows each (``ROWS_PER_INSERT``).

    ``bulk_create`` would build a model instance per value and, on SQLite, send a query per 83
    of them (some 30 s for 100,000 values); on PostgreSQL even INSERTs of 500 rows took 10 s for
    100,000, where COPY takes a fraction of it (docs/benchmarks.md)."""
    meta, ops = IndicatorValue._meta, connection.ops
    column = {field.name: field.column for field in meta.concrete_fields}
    columns = ", ".join(ops.quote_name(str(column[name])) for name in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    created_at = ops.adapt_datetimefield_value(now)
    date_of, number_of = ops.adapt_datefield_value, ops.adapt_decimalfield_value
    if connection.vendor == "postgresql":
        # COPY: PostgreSQL's bulk load, several times faster than INSERTs of bound parameters.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(  # type: ignore[attr-defined]
                f"COPY {ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
            ) as copy,
        ):
            for value in values:
                copy.write_row(
                    (
                        value.indicator_id,
                        value.city_id,
                        value.year,
                        value.date,
                        value.value,
                        value.basis,
                        value.source,
                        value.note,
                        value.is_illustrative,
                        batch.pk,
                        user.pk,
                        now,
                    )
                )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(values), ROWS_PER_INSERT):
            chunk = values[start : start + ROWS_PER_INSERT]
            params: list[Any] = []
            for value in chunk:
                params += (
                    value.indicator_id,
                    value.city_id,
                    value.year,
                    date_of(value.date),
                    number_of(value.value, 16, 4),
                    value.basis,
                    value.source,
                    value.note,
                    value.is_illustrative,
                    batch.pk,
                    user.pk,
                    created_at,
                )
            # Names from the model, quoted; every value a parameter.
            cursor.execute(
                f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(chunk))}",
                params,
            )


@transaction.atomic
def import_undo(*, batch: ImportBatch, user: User) -> int:
    """Delete every value an import brought (those still there); returns how many."""
    require(user, Perm.MANAGE_INDICATORS)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.undone_at is not None:
        raise IndicatorError(_("This import is already undone."))
    city_ids = set(batch.values.values_list("city_id", flat=True).distinct())
    deleted, _by_model = IndicatorValue.objects.filter(batch=batch).delete()
    batch.undone_at, batch.undone_by = timezone.now(), user
    batch.save(update_fields=["undone_at", "undone_by"])
    _values_changed(city_ids)
    return deleted


@transaction.atomic
def value_save(
    *,
    user: User,
    indicator: Indicator,
    city: City,
    year: int,
    value: Decimal,
    source: str,
    date: datetime.date | None = None,
    basis: str = "",
    note: str = "",
    is_illustrative: bool = False,
) -> IndicatorValue:
    """One city's figure for one indicator and year, entered in a form. The secretariat enters
    any; a city's editors their own city's, of indicators the secretariat opened to cities."""
    entry = IndicatorValue(
        indicator=indicator,
        city=city,
        year=year,
        date=date,
        value=value,
        basis=basis or indicator.basis,
        source=source.strip(),
        note=note.strip(),
        is_illustrative=is_illustrative,
        created_by=user,
    )
    require(user, Perm.ENTER_INDICATOR_VALUES, entry)
    problem = unit_problem(indicator.unit, value)
    if problem:
        raise IndicatorError(problem)
    if date is not None and date.year != year:
        raise IndicatorError(
            _("The date %(date)s is not in the year %(year)d.") % {"date": date, "year": year}
        )
    if IndicatorValue.objects.filter(indicator=indicator, city=city, year=year).exists():
        raise IndicatorError(
            _("%(city)s already has a value of “%(indicator)s” for %(year)d.")
            % {"city": city.name, "indicator": indicator.name, "year": year}
        )
    try:
        entry.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise IndicatorError(" ".join(error.messages)) from None
    entry.save()
    _values_changed([city.pk])
    return entry


@transaction.atomic
def value_delete(*, value: IndicatorValue, user: User) -> None:
    """Delete one value (also one that came in an import: undoing the import later deletes
    the rest)."""
    require(user, Perm.ENTER_INDICATOR_VALUES, value)
    city_id = value.city_id
    value.delete()
    _values_changed([city_id])


# ---------------------------------------------------------------------------------------
# The catalogue: the secretariat defines and changes indicators

# Words the indicator pages start with: an indicator of that key would have no page.
RESERVED_KEYS = frozenset({"cities", "manage"})
INDICATOR_FIELDS = (
    "name",
    "unit",
    "basis",
    "better",
    "definition",
    "source_guidance",
    "reference",
    "cities_may_enter",
)


class CatalogueRefused(IndicatorError):
    """The indicator cannot be saved so; ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def indicator_problems(*, indicator: Indicator | None, data: dict[str, Any]) -> dict[str, str]:
    """What the catalogue's rules refuse in ``data`` (a new indicator when ``indicator`` is
    None), by field: a key taken, a reference to itself or round in a circle, a changed unit
    of an indicator with values. The form shows these; the services refuse them."""
    problems: dict[str, str] = {}
    if indicator is None:
        key = data.get("key") or ""
        if key in RESERVED_KEYS:
            problems["key"] = _("“%(key)s” is a word of the pages' addresses: choose another.") % {
                "key": key
            }
        elif key and Indicator.objects.filter(key=key).exists():
            problems["key"] = _(
                "“%(key)s” is the short name of another indicator: choose another."
            ) % {"key": key}
    elif "unit" in data and data["unit"] != indicator.unit:
        count = indicator.values.count()
        if count:
            problems["unit"] = ngettext(
                "the indicator has %(count)d value: a new unit would change what it means. "
                "Define a new indicator instead.",
                "the indicator has %(count)d values: a new unit would change what they mean. "
                "Define a new indicator instead.",
                count,
            ) % {"count": count}
    reference: Indicator | None = data.get("reference")
    if reference is not None and indicator is not None:
        if reference.pk == indicator.pk:
            problems["reference"] = _("an indicator cannot be read against itself.")
        elif _reads_against(reference.pk, indicator.pk):
            problems["reference"] = _(
                "“%(reference)s” is read against this indicator, directly or through others: "
                "the two would be read against each other in a circle."
            ) % {"reference": reference.name}
    return problems


def _reads_against(start: int, target: int) -> bool:
    """Whether the chain of references from indicator ``start`` reaches ``target``."""
    references = dict(Indicator.objects.values_list("pk", "reference_id"))
    seen: set[int] = set()
    current: int | None = start
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        current = references.get(current)
    return False


def _check_and_fill(indicator: Indicator, data: dict[str, Any], *, new: bool) -> None:
    problems = indicator_problems(indicator=None if new else indicator, data=data)
    if problems:
        raise CatalogueRefused(problems)
    for name in INDICATOR_FIELDS:
        if name in data:
            setattr(indicator, name, data[name])
    for name in ("name", "definition", "source_guidance"):
        setattr(indicator, name, str(getattr(indicator, name)).strip())
    try:
        indicator.full_clean(exclude=["reference", "position"], validate_unique=False)
    except ValidationError as error:
        raise CatalogueRefused(
            {
                field: " ".join(str(message) for message in messages)
                for field, messages in error.message_dict.items()
            }
        ) from None


def indicator_create(*, user: User, data: dict[str, Any]) -> Indicator:
    """A new indicator of the catalogue, at its end. ``data`` holds ``key`` and the fields of
    INDICATOR_FIELDS; raises CatalogueRefused, by field, for what the rules refuse."""
    require(user, Perm.MANAGE_INDICATORS)
    indicator = Indicator(key=data.get("key") or "")
    try:
        with transaction.atomic():
            _check_and_fill(indicator, data, new=True)
            last = Indicator.objects.order_by("-position").values_list("position", flat=True)
            indicator.position = min((last.first() or 0) + 1, 32767)
            indicator.save()
    except IntegrityError:
        # A colleague took the key meanwhile.
        raise CatalogueRefused(
            {
                "key": _("“%(key)s” is the short name of another indicator: choose another.")
                % {"key": indicator.key}
            }
        ) from None
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, user: User, data: dict[str, Any]) -> Indicator:
    """Change an indicator (a built-in one too); its key never changes. Raises
    CatalogueRefused, by field, for what the rules refuse."""
    require(user, Perm.MANAGE_INDICATORS)
    # Locked, so that no value arrives between the check of the unit and the change.
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    data = {name: value for name, value in data.items() if name != "key"}
    _check_and_fill(locked, data, new=False)
    locked.save()
    _warm_after_commit()
    return locked
