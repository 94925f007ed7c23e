"""Every published dataset, its downloads and the tables of its CSV files: read by the open
data page, its data dictionary, ``datapackage.json`` and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from integratingcities.downloads.urls import link
from integratingcities.indicators import exports as indicator_exports
from integratingcities.lib.tabular import Column, schema
from integratingcities.practices import exports as practice_exports

from . import selectors
from .datasets import Export, Parts, Table, benchmark_export, round_export
from .models import OpenDataSettings

PACKAGE_NAME = "integrating-cities-open-data"


@dataclass(frozen=True)
class Resource:
    """One CSV file, described for datapackage.json and the data dictionary."""

    name: str
    title: str
    path: str  # absolute
    columns: list[Column]
    primary_key: list[str]

    def descriptor(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "format": "csv",
            "mediatype": "text/csv",
            "schema": schema(self.columns, self.primary_key),
        }


@dataclass(frozen=True)
class Download:
    format: str  # XLSX, CSV, JSON
    label: str
    url: str  # on this site


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    illustrative: bool
    downloads: list[Download]
    resources: list[Resource] = field(default_factory=list)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _resource(table: Table, title: str, path: str) -> Resource:
    return Resource(table.name, title, _absolute(path), table.columns, table.primary_key)


def _export_dataset(
    export: Export, description: str, xlsx: str, urls: dict[str, str], *, by_role: bool
) -> Dataset:
    if by_role:
        workbook = _("Workbook: a summary sheet per role, every answer, the columns")
        summary = _("Per city and role: levels, score, coverage")
    else:
        workbook = _("Workbook: a summary sheet per key factor, every answer, the columns")
        summary = _("Per self-test and key factor: levels, score, coverage")
    return Dataset(
        key=export.key,
        title=export.title,
        description=description,
        illustrative=export.illustrative,
        downloads=[
            Download("XLSX", workbook, xlsx),
            Download("CSV", _("Every validated answer, with its evidence"), urls["answers"]),
            Download("CSV", summary, urls["summary"]),
            Download("JSON", _("The summary and every answer"), urls["json"]),
        ],
        resources=[
            _resource(
                export.answers,
                _("%(title)s: answers") % {"title": export.title},
                urls["answers"],
            ),
            _resource(
                export.summary,
                _("%(title)s: summary") % {"title": export.title},
                urls["summary"],
            ),
        ],
    )


def round_urls(pk: int) -> dict[str, str]:
    return {
        name: reverse(f"opendata:round_{name}", kwargs={"pk": pk})
        for name in ("answers", "summary", "json")
    }


def benchmark_urls(lineage: str) -> dict[str, str]:
    return {
        name: reverse(f"opendata:benchmark_{name}", kwargs={"lineage": lineage})
        for name in ("answers", "summary", "json")
    }


def datasets() -> list[Dataset]:
    """Every published dataset, the same for everyone (a fixed number of queries)."""
    rounds = list(selectors.published_rounds())
    benchmarks = selectors.shared_benchmarks()
    parts = Parts.load(
        [r.framework_id for r in rounds]
        + [pk for _f, versions, _i in benchmarks for pk in versions]
    )
    found = [
        _export_dataset(
            round_export(round_, parts),
            _(
                "The validated answers of the cities in this round of the Charter survey "
                "(%(opens)s to %(closes)s)."
            )
            % {"opens": round_.opens_on.isoformat(), "closes": round_.closes_on.isoformat()},
            link("opendata.round_xlsx", round=round_.pk),
            round_urls(round_.pk),
            by_role=True,
        )
        for round_ in rounds
    ]
    found += [
        _export_dataset(
            benchmark_export(framework, versions, parts, illustrative),
            _(
                "Self-tests against this benchmark that the secretariat validated and that "
                "their city chose to share."
            ),
            link("opendata.benchmark_xlsx", benchmark=framework.lineage),
            benchmark_urls(framework.lineage),
            by_role=False,
        )
        for framework, versions, illustrative in benchmarks
    ]
    practices = reverse("practices:export_csv")
    found.append(
        Dataset(
            key="practices",
            title=_("Library of good practice"),
            description=_("Every published practice, with its themes, source and contact."),
            illustrative=False,
            downloads=[
                Download(
                    "XLSX",
                    _("Workbook of the practices and their columns"),
                    reverse("practices:export_xlsx"),
                ),
                Download("CSV", _("One practice a row"), practices),
                Download("JSON", _("Every practice"), reverse("practices:export_json")),
            ],
            resources=[
                Resource(
                    "practices",
                    _("Library of good practice"),
                    _absolute(practices),
                    practice_exports.COLUMNS,
                    practice_exports.PRIMARY_KEY,
                )
            ],
        )
    )
    values = reverse("indicators:export_csv")
    found.append(
        Dataset(
            key="indicator-values",
            title=_("City indicators"),
            description=_("Every value of every city indicator, with its year and source."),
            illustrative=False,
            downloads=[Download("CSV", _("One value a row"), values)],
            resources=[
                Resource(
                    "indicator-values",
                    _("City indicators"),
                    _absolute(values),
                    indicator_exports.COLUMNS,
                    indicator_exports.PRIMARY_KEY,
                )
            ],
        )
    )
    return found


@dataclass(frozen=True)
class Dictionary:
    """Columns shared by several files are described once, naming every file that has them."""

    anchor: str
    files: list[str]
    columns: list[Column]


def dictionary(found: list[Dataset]) -> list[Dictionary]:
    groups: dict[tuple[str, ...], Dictionary] = {}
    for dataset in found:
        for resource in dataset.resources:
            names = tuple(column.name for column in resource.columns)
            if names not in groups:
                anchor = "columns-" + re.sub(r"[^a-z0-9-]+", "-", resource.name.lower())
                groups[names] = Dictionary(anchor, [], resource.columns)
            groups[names].files.append(resource.title)
    return list(groups.values())


def datapackage(found: list[Dataset], licence: OpenDataSettings) -> dict[str, Any]:
    """A Frictionless Data Package (v1) describing every CSV file, so that standard tools load
    them typed."""
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": _("Integrating Cities: open data"),
        "description": _(
            "Validated answers of published Charter survey rounds, shared benchmark self-tests, "
            "the library of good practice and city indicators."
        ),
        "homepage": _absolute(reverse("opendata:index")),
        "licenses": [
            {
                "name": licence.licence,
                "path": licence.licence_url,
                "title": str(licence.get_licence_display()),
            }
        ],
        "resources": [resource.descriptor() for dataset in found for resource in dataset.resources],
    }
