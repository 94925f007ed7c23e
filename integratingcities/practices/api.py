"""The practice library in the JSON API: the same search and filters as the library page."""

from collections.abc import Sequence
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from integratingcities.api.schemas import ErrorOut

from . import selectors
from .exports import practice_record
from .models import YEAR_MAX, YEAR_MIN, Practice

router = Router(tags=["practices"])

KEY = r"^[a-z0-9_-]{1,80}$"


class PracticeQuery(Schema):
    q: str | None = Field(
        None,
        max_length=500,
        description='Words (all must appear, stemmed), "a phrase", -left-out, `or` between words.',
    )
    role: str | None = Field(None, pattern=KEY, description="A Charter role, e.g. employer.")
    commitment: str | None = Field(
        None, pattern=KEY, description="A Charter commitment, e.g. workforce-diversity."
    )
    benchmark: str | None = Field(
        None, pattern=KEY, description="A benchmark lineage, e.g. anti-discrimination-job-market."
    )
    factor: str | None = Field(None, pattern=KEY, description="A key factor, e.g. data-collection.")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 code.")
    city: str | None = Field(None, pattern=KEY, description="A city's slug, e.g. ghent.")
    year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX)
    source: Literal["report-2015", "toolkit-2018", "submitted"] | None = None
    sort: Literal["relevance", "newest", "title"] | None = Field(
        None, description="Default: relevance when q is given, else title."
    )

    def filters(self) -> selectors.PracticeFilters:
        values = {name: value for name, value in self.dict().items() if value is not None}
        if "country" in values:
            values["country"] = values["country"].upper()
        return selectors.PracticeFilters(**values)


class PracticeOut(Schema):
    key: str
    title: str
    city: str
    city_name: str
    country: str
    other_cities: list[str]
    year: int | None
    summary: str = Field(description="Markdown.")
    what: str
    for_whom: str
    partners: str
    results: str
    responsible_body: str
    transfer: str
    roles: list[str]
    commitments: list[str]
    benchmarks: list[str]
    key_factors: list[str]
    source: str
    source_title: str
    source_section: str
    links: list[str]
    contact: str
    status: str
    illustrative: bool
    url: str


class FacetOptionOut(Schema):
    value: str
    label: str
    count: int


class PracticeFacetsOut(Schema):
    count: int
    role: list[FacetOptionOut]
    commitment: list[FacetOptionOut]
    benchmark: list[FacetOptionOut]
    factor: list[FacetOptionOut]
    country: list[FacetOptionOut]
    city: list[FacetOptionOut]
    year: list[FacetOptionOut]
    source: list[FacetOptionOut]


class _Records(Sequence[dict[str, Any]]):
    """The result queryset seen as records: the paginator counts and slices in the database."""

    def __init__(self, practices: QuerySet[Practice]) -> None:
        self.practices = practices
        self.names = selectors.kept_labels()

    def __len__(self) -> int:
        return self.practices.count()

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if isinstance(index, slice):
            if (index.start or 0) > 2**31:  # far past any real list; SQL OFFSET would overflow
                return []
            return [practice_record(p, self.names) for p in self.practices[index]]
        return practice_record(self.practices[index], self.names)


@router.get("/", response=list[PracticeOut])
@paginate(PageNumberPagination)
def list_practices(request: HttpRequest, filters: Query[PracticeQuery]) -> Sequence[dict[str, Any]]:
    """Published practices matching the search and filters, best match first when searching."""
    return _Records(selectors.search_practices(filters.filters()))


@router.get("/facets", response=PracticeFacetsOut)
def practice_facets(request: HttpRequest, filters: Query[PracticeQuery]) -> dict[str, Any]:
    """For each filter, its values and how many practices each gives with the other filters."""
    chosen = filters.filters()
    counted = selectors.facet_counts(chosen)
    found = selectors.facets(chosen, found=counted)
    return {
        "count": counted.total,
        **{
            name: [{"value": o.value, "label": o.label, "count": o.count} for o in facet.options]
            for name, facet in found.items()
        },
    }


@router.get("/{key}", response={200: PracticeOut, 404: ErrorOut})
def get_practice(request: HttpRequest, key: str) -> Status[dict[str, Any]]:
    """One practice: published ones for everyone; drafts for their city and the secretariat."""
    practice = None if "\x00" in key else selectors.practice_for_page(key[:120], request.user)
    if practice is None:
        return Status(404, {"detail": "No practice with this key."})
    return Status(200, practice_record(practice, selectors.kept_labels()))
