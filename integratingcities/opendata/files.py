"""The files of a dataset: XLSX (made in the background), CSV and JSON (streamed)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integratingcities.downloads.registry import Progress
from integratingcities.lib.tabular import Book, csv_lines, record

from .datasets import OVERALL, Export, Table
from .models import OpenDataSettings

PROGRESS_EVERY = 10_000  # answer rows between two progress reports


def _quiet(percent: int, doing: str) -> None:
    """Progress nobody follows (a file made in a test or a benchmark)."""


def licence_record(licence: OpenDataSettings) -> dict[str, str]:
    return {
        "name": licence.licence,
        "title": str(licence.get_licence_display()),
        "path": licence.licence_url,
        "attribution": licence.attribution,
    }


def about(export: Export, licence: OpenDataSettings) -> list[tuple[str, str]]:
    """What a file says of itself: title, source, licence, how to credit, what it holds."""
    pairs = [
        (_("Dataset"), export.title),
        (_("Source"), settings.SITE_URL + reverse("opendata:index")),
        (_("Licence"), f"{licence.get_licence_display()} {licence.licence_url}"),
        (_("How to credit"), licence.attribution),
        (
            _("What it holds"),
            _(
                "Only answers the secretariat validated; drafts and answers awaiting review are "
                "never included. Self-tests only where the city chose to share its evidence."
            ),
        ),
        (_("Made"), timezone.now().strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if export.illustrative:
        pairs.append(
            (
                _("Illustrative"),
                _(
                    "Some or all levels are demonstration data, not the cities' own "
                    "self-assessment: the column illustrative of the summary sheets says which."
                ),
            )
        )
    return pairs


def _counted(table: Table, progress: Progress, start: int, end: int) -> Iterator[tuple[Any, ...]]:
    total = max(table.size(), 1)
    for number, row in enumerate(table.rows(), start=1):
        if number % PROGRESS_EVERY == 0:
            progress(
                start + (end - start) * min(number, total) // total,
                _("Writing the answers: %(done)s of %(total)s") % {"done": number, "total": total},
            )
        yield row


def _sheet_title(key: str, title: str) -> str:
    """The section's title where a sheet's name can hold it (31 characters), else its key in
    words: a name cut short reads worse ("Cities as buyers of goods and s")."""
    return title if len(title) <= 31 else key.replace("_", " ").replace("-", " ").capitalize()


def xlsx(export: Export, licence: OpenDataSettings, progress: Progress = _quiet) -> bytes:
    """The workbook: a summary sheet per role (key factor) and one overall, every answer with
    its evidence, a sheet describing every column, and one about the file."""
    book = Book()
    progress(5, _("Scoring each city"))
    columns = export.summary.columns
    section_at = next(n for n, c in enumerate(columns) if c.name in {"role", "key_factor"})
    by_section: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in export.summary.rows():
        by_section[row[section_at]].append(row)
    for key, title in export.sections:
        book.table(_sheet_title(key, title), columns, by_section.get(key, []))
    book.table(_("Overall"), columns, by_section.get(OVERALL, []))
    progress(25, _("Writing the answers"))
    book.table(_("Answers"), export.answers.columns, _counted(export.answers, progress, 25, 90))
    progress(92, _("Describing the columns"))
    book.dictionary(_("Columns"), (_("Sheet"), _("Column"), _("Type"), _("Meaning")))
    book.notes(_("About"), about(export, licence))
    return book.close()


def csv_stream(table: Table) -> Iterator[str]:
    return csv_lines(table.columns, table.rows())


def json_stream(export: Export, licence: OpenDataSettings) -> Iterator[str]:
    """``{"title", "licence", "illustrative", "summary": [...], "answers": [...]}``, streamed a
    record at a time; each record has the columns of its CSV file, typed."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    head = {
        "title": export.title,
        "source": settings.SITE_URL + reverse("opendata:index"),
        "licence": licence_record(licence),
        "illustrative": export.illustrative,
    }
    yield encoder.encode(head)[:-1]  # the object stays open for the two lists
    for name, table in (("summary", export.summary), ("answers", export.answers)):
        yield f', "{name}": ['
        for number, row in enumerate(table.rows()):
            yield ("," if number else "") + "\n" + encoder.encode(record(table.columns, row))
        yield "\n]"
    yield "}\n"
