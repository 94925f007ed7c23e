"""Paginating a queryset whose rows the API turns into dicts."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet


class Mapped(Sequence[dict[str, object]]):
    """A queryset seen through a mapping, so the paginator counts and slices in the database
    and only the rows of the page are turned into dicts: one at a time (``mapping``), or the
    page's rows together (``rows``), for what is read in one query for them all."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        mapping: Callable[[Any], dict[str, object]] | None = None,
        *,
        rows: Callable[[list[Any]], list[dict[str, object]]] | None = None,
    ):
        if (mapping is None) == (rows is None):
            raise TypeError("Give one mapping: of a row, or of a page's rows.")
        self.queryset, self._mapping, self._rows = queryset, mapping, rows

    def rows(self, listed: list[Any]) -> list[dict[str, object]]:
        if self._rows is not None:
            return self._rows(listed)
        assert self._mapping is not None
        return [self._mapping(row) for row in listed]

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if isinstance(index, slice):
            if (index.start or 0) > 2**31:  # far past any real list; SQL OFFSET would overflow
                return []
            return self.rows(list(self.queryset[index]))
        return self.rows([self.queryset[index]])[0]
