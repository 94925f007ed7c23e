"""The comparison as data: one row per city and thing compared (CSV), and in words (the
chart's description)."""

from collections.abc import Iterator
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integratingcities.lib.tabular import Column

from .selectors import SCORED, Comparison

COLUMNS = [
    Column(
        "source", "string", gettext_lazy("The published results compared: a round or a benchmark.")
    ),
    Column("city", "string", gettext_lazy("The city's name.")),
    Column(
        "city_slug", "string", gettext_lazy("The city's identifier in the platform's addresses.")
    ),
    Column("country", "string", gettext_lazy("The city's country (ISO 3166-1 alpha-2).")),
    Column(
        "compared",
        "string",
        gettext_lazy("What is compared: overall, a section key, or section.item."),
    ),
    Column("compared_label", "string", gettext_lazy("What is compared, in words.")),
    Column("score", "number", gettext_lazy("The score (0-100); empty when there is none.")),
    Column("level", "string", gettext_lazy("For a commitment: the level the city gave.")),
    Column(
        "status",
        "string",
        gettext_lazy("scored, not enough answers to score, not answered or not applicable."),
    ),
    Column("illustrative", "boolean", gettext_lazy("Whether the levels are demonstration data.")),
]


def rows(found: Comparison) -> Iterator[tuple[Any, ...]]:
    source = found.source.title if found.source else ""
    for row in found.rows:
        for subject, cell in zip(found.subjects, row.cells, strict=True):
            yield (
                source,
                row.city.name,
                row.city.slug,
                str(row.city.country or ""),
                subject.token,
                subject.label,
                cell.score,
                cell.level,
                cell.label,
                row.is_illustrative,
            )


def describe(found: Comparison) -> str:
    """The comparison in words, with every score and every reason a score is missing."""
    if found.source is None:
        return _("Nothing is compared yet.")
    parts = [
        _("Scores from 0 to 100 in “%(source)s”, one group of bars per city.")
        % {"source": found.source.title}
    ]
    if not found.rows:
        parts.append(_("No city is compared."))
    for row in found.rows:
        cells = "; ".join(
            f"{subject.label}: "
            + (
                floatformat(cell.score, -1)
                if cell.status == SCORED and cell.score is not None
                else cell.label
            )
            for subject, cell in zip(found.subjects, row.cells, strict=True)
        )
        parts.append(f"{row.city.name}: {cells}.")
    return " ".join(parts)
