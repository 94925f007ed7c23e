"""Queries built with the ORM once, then run again with new arguments.

Building and compiling a queryset costs Django 0.2-0.4 ms, more than the query itself on a page
that reads a few rows by key. ``@prepared`` keeps the SQL a function's queryset compiles to and,
on each later call, runs it with that call's arguments, converting the rows as the queryset
would (dates, JSON, booleans on SQLite).

The function must build the same query whatever its arguments: they may only be compared for
equality (``city_id=city_id``, ``slug=slug``), never decide the query's shape (``if``, ``None``,
``__in``, slicing, ``__icontains``). Each argument is an ``int`` or a ``str``; a number beyond
its column's integers matches nothing, as with the ORM. The query may not hold a date or a time
of its own (``timezone.now()`` would be frozen at the first call): such a query is refused when
it is first prepared, as is an argument that does not reach the SQL as it was given, or a
prefetch. The result is a list: of model instances (``select_related()`` and annotations
included), of dicts for ``values()``, of tuples for ``values_list()``, of values for
``values_list(flat=True)``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql import Query
from django.utils.translation import get_language

# In range of a 32-bit column: Django treats a value beyond it as matching nothing.
_INT_SENTINEL = 2_000_000_000
_STR_SENTINEL = "\x1fprepared argument {}\x1f"
_FROZEN = (datetime.date, datetime.time, datetime.timedelta)


class NotPreparable(TypeError):
    """The function's query cannot be kept and run with new arguments; the message says why."""


@dataclass(frozen=True)
class _Instances:
    """How ``ModelIterable`` makes a row into a model instance, worked out once."""

    model: Any
    start: int
    end: int
    attnames: list[str]
    populators: list[Any]  # select_related()
    annotations: dict[str, int]

    def make(self, db: str, rows: Iterable[Any]) -> list[Any]:
        made = []
        for row in rows:
            obj = self.model.from_db(db, self.attnames, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            made.append(obj)
        return made


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    # Where each argument goes: its position in the parameters, its index, the type it takes.
    slots: tuple[tuple[int, int, type], ...]
    compiler: Any
    converters: Any
    instances: _Instances | None
    names: tuple[str, ...] | None  # values(): the dicts' keys
    flat: bool
    col_count: int | None  # the columns to keep when the SQL selects more (ordering)
    empty: bool
    using: str

    def run(self, args: tuple[Any, ...]) -> list[Any]:
        if self.empty:
            return []
        params = list(self.params)
        for position, index, kind in self.slots:
            if not _fits(kind, args[index]):
                return []  # as Django answers an equality with a number beyond the column's
            params[position] = kind(args[index])
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Any = cursor.fetchall()
        if self.col_count is not None:
            rows = [row[: self.col_count] for row in rows]
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.instances is not None:
            return self.instances.make(self.using, rows)
        if self.names is not None:
            names = self.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        if self.flat:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]


# The integers each parameter type holds: psycopg's own for PostgreSQL, 64 bits for SQLite's.
_BITS = {"Int2": 16, "Int4": 32, "Int8": 64}


def _fits(kind: type, value: Any) -> bool:
    if kind is str:
        return True
    bits = _BITS.get(kind.__name__, 64)
    return bool(-(2 ** (bits - 1)) <= value < 2 ** (bits - 1))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sentinel(index: int, value: Any) -> Any:
    if not (_is_int(value) or isinstance(value, str)):
        raise NotPreparable(
            f"argument {index} is a {type(value).__name__}: only an int or a str can be prepared"
        )
    return _INT_SENTINEL + index if _is_int(value) else _STR_SENTINEL.format(index)


def _plan(queryset: QuerySet[Any], sentinels: tuple[Any, ...]) -> _Plan:
    iterable = queryset._iterable_class
    if iterable not in (ModelIterable, ValuesIterable, ValuesListIterable, FlatValuesListIterable):
        raise NotPreparable(f"{iterable.__name__} rows cannot be prepared")
    related = (queryset._prefetch_related_lookups, queryset._known_related_objects)  # type: ignore[attr-defined]
    if any(related):
        raise NotPreparable("prefetch_related() and a related manager's rows cannot be prepared")
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    names = None
    if iterable is ValuesIterable:
        names = tuple(
            query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
        )
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Plan("", (), (), None, None, None, names, False, None, True, queryset.db)
    frozen = _frozen_value(query.where)
    if frozen is not None:
        raise NotPreparable(f"the query holds a date or time of its own ({frozen!r})")
    index_of = {(type(sentinel), sentinel): i for i, sentinel in enumerate(sentinels)}
    slots = []
    for position, param in enumerate(params):
        if isinstance(param, _FROZEN):
            raise NotPreparable(f"the query holds a date or time of its own ({param!r})")
        kind = str if isinstance(param, str) else int if _is_int(param) else None
        if kind is not None and (kind, kind(param)) in index_of:
            # The backend may wrap the value in a type of its own (psycopg's Int4): keep it.
            slots.append((position, index_of[kind, kind(param)], type(param)))
    missing = set(range(len(sentinels))) - {index for _, index, _ in slots}
    if missing:
        raise NotPreparable(f"argument(s) {sorted(missing)} do not reach the SQL as given")
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    instances = None
    if iterable is ModelIterable:
        # As ModelIterable.__iter__ reads the compiler once it has compiled.
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        instances = _Instances(
            model=klass_info["model"],
            start=start,
            end=end,
            attnames=[column[0].target.attname for column in select[start:end]],
            # The stubs follow Django 6, which adds an argument.
            populators=get_related_populators(klass_info, select, queryset.db),  # type: ignore[call-arg]
            annotations=dict(compiler.annotation_col_map or {}),
        )
    return _Plan(
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        compiler=compiler,
        converters=compiler.get_converters(fields),
        instances=instances,
        names=names,
        flat=iterable is FlatValuesListIterable,
        col_count=compiler.col_count if compiler.has_extra_select else None,
        empty=False,
        using=queryset.db,
    )


def _frozen_value(node: Any) -> Any:
    """A date or time the query compares with, in its conditions, its subqueries' or its
    unions' (SQLite gets them as text, so the compiled parameters cannot tell)."""
    if isinstance(node, _FROZEN):
        return node
    if isinstance(node, list | tuple):
        parts: Iterable[Any] = node
    elif isinstance(node, Query):
        parts = (node.where, *node.combined_queries)
    else:
        parts = (
            *getattr(node, "children", ()),
            getattr(node, "rhs", None),
            getattr(node, "query", None),  # a Subquery or an Exists
        )
    for part in parts:
        found = None if part is None else _frozen_value(part)
        if found is not None:
            return found
    return None


def prepared(build: Callable[..., QuerySet[Any]]) -> Callable[..., list[Any]]:
    """Run ``build``'s queryset with the arguments of each call, compiled once per language and
    argument types (a process has one database); see the module's docstring for what ``build``
    may do."""
    plans: dict[tuple[Any, ...], _Plan] = {}

    @wraps(build)
    def run(*args: Any) -> list[Any]:
        key = (tuple(type(arg) for arg in args), get_language())
        plan = plans.get(key)
        if plan is None:
            sentinels = tuple(_sentinel(i, arg) for i, arg in enumerate(args))
            plan = plans[key] = _plan(build(*sentinels), sentinels)
        return plan.run(args)

    run.plans = plans  # type: ignore[attr-defined]
    return run
