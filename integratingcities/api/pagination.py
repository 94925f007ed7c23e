"""Paginating a queryset whose rows the API turns into dicts."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet


class Mapped(Sequence[dict[str, object]]):
    """A queryset seen through a mapping, so the paginator counts and slices in the database
    and only the rows of the page are turned into dicts."""

    def __init__(self, queryset: QuerySet[Any], mapping: Callable[[Any], dict[str, object]]):
        self.queryset, self.mapping = queryset, mapping

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if isinstance(index, slice):
            if (index.start or 0) > 2**31:  # far past any real list; SQL OFFSET would overflow
                return []
            return [self.mapping(row) for row in self.queryset[index]]
        return self.mapping(self.queryset[index])
