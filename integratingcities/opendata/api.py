"""Open data in the JSON API: the datasets and their licence, and the validated answers of a
published round or of a benchmark's shared self-tests, a page at a time.

The answers' schemas are made from the same column specs as the CSV files, so the API, the files
and the data dictionary cannot disagree."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import create_model

from integratingcities.api.pagination import Mapped
from integratingcities.frameworks.models import Framework, FrameworkKind, FrameworkStatus
from integratingcities.lib.tabular import Column, python_type, record
from integratingcities.rounds.models import Round, RoundStatus

from . import catalogue, selectors
from .datasets import (
    ROUND_ANSWERS,
    SELFTEST_ANSWERS,
    AnswerRows,
    answers_query,
    round_assessments,
    shared_selftests,
)

router = Router(tags=["open data"])


def _schema(name: str, columns: list[Column]) -> type[Schema]:
    fields: dict[str, Any] = {
        column.name: (
            python_type(column) | None,
            Field(None, description=str(column.description)),
        )
        for column in columns
    }
    return create_model(name, __base__=Schema, **fields)  # type: ignore[call-overload,no-any-return]


RoundAnswerOut = _schema("RoundAnswerOut", ROUND_ANSWERS)
SelfTestAnswerOut = _schema("SelfTestAnswerOut", SELFTEST_ANSWERS)


class LicenceOut(Schema):
    name: str = Field(description="SPDX identifier, e.g. CC-BY-4.0.")
    title: str
    path: str = Field(description="The licence's text.")
    attribution: str = Field(description="How to credit the data (Markdown).")


class FieldOut(Schema):
    name: str
    type: str
    description: str


class ResourceOut(Schema):
    name: str
    title: str
    path: str = Field(description="Address of the CSV file.")
    fields: list[FieldOut]
    primary_key: list[str]


class DownloadOut(Schema):
    format: str
    label: str
    url: str


class DatasetOut(Schema):
    key: str
    title: str
    description: str
    illustrative: bool = Field(description="Demonstration levels, not the cities' own answers.")
    downloads: list[DownloadOut]
    resources: list[ResourceOut]


class OpenDataOut(Schema):
    licence: LicenceOut
    datapackage: str = Field(description="Address of datapackage.json (Frictionless).")
    datasets: list[DatasetOut]


@router.get("/open-data/", response=OpenDataOut)
def open_data(request: HttpRequest) -> dict[str, Any]:
    """Every published dataset, its files and their columns, and the licence they are under."""
    licence = selectors.licence_settings()
    return {
        "licence": {
            "name": licence.licence,
            "title": str(licence.get_licence_display()),
            "path": licence.licence_url,
            "attribution": licence.attribution,
        },
        "datapackage": settings.SITE_URL + reverse("opendata:datapackage"),
        "datasets": [
            {
                "key": dataset.key,
                "title": dataset.title,
                "description": dataset.description,
                "illustrative": dataset.illustrative,
                "downloads": [
                    {"format": d.format, "label": d.label, "url": settings.SITE_URL + d.url}
                    for d in dataset.downloads
                ],
                "resources": [
                    {
                        "name": r.name,
                        "title": r.title,
                        "path": r.path,
                        "fields": [
                            {"name": c.name, "type": c.type, "description": str(c.description)}
                            for c in r.columns
                        ],
                        "primary_key": r.primary_key,
                    }
                    for r in dataset.resources
                ],
            }
            for dataset in catalogue.datasets()
        ],
    }


@router.get("/rounds/{round_id}/answers", response=list[RoundAnswerOut])  # type: ignore[valid-type]
@paginate(PageNumberPagination)
def round_answers(request: HttpRequest, round_id: int) -> Sequence[dict[str, object]]:
    """A published round's validated answers, by city and in the Charter's order: the rows of
    its answers CSV file. Drafts and answers awaiting review are never listed."""
    found = None
    if -(2**63) < round_id < 2**63:
        found = (
            Round.objects.filter(pk=round_id, status=RoundStatus.PUBLISHED)
            .values_list("pk", flat=True)
            .first()
        )
    if found is None:
        raise HttpError(404, "No published round with this id.")
    pk = found
    assessments = round_assessments(pk)
    rows = AnswerRows(assessments, lambda who: (pk,))
    return Mapped(answers_query(assessments), lambda row: record(ROUND_ANSWERS, rows.row(row)))


@router.get("/benchmarks/{lineage}/answers", response=list[SelfTestAnswerOut])  # type: ignore[valid-type]
@paginate(PageNumberPagination)
def benchmark_answers(request: HttpRequest, lineage: str) -> Sequence[dict[str, object]]:
    """The answers of a benchmark's self-tests that were validated and that their city chose
    to share: the rows of its answers CSV file."""
    known = (
        "\x00" not in lineage
        and Framework.objects.filter(
            lineage=lineage[:80], kind=FrameworkKind.BENCHMARK, status=FrameworkStatus.PUBLISHED
        ).exists()
    )
    if not known:
        raise HttpError(404, "No published benchmark with this key.")
    assessments = shared_selftests(lineage)
    rows = AnswerRows(assessments, lambda who: (lineage, who.version, who.pk))
    return Mapped(answers_query(assessments), lambda row: record(SELFTEST_ANSWERS, rows.row(row)))
